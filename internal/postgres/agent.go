package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/reel-sh/reel"
)

var _ reel.AgentRegistry = (*Store)(nil)

// PutAgent inserts or replaces the supervised session with a.ID.
// EINVALID if a has no id or name; ECONFLICT if another session has
// a.Name, including one that another client puts at the same moment.
func (s *Store) PutAgent(ctx context.Context, a reel.AgentSession) error {
	if a.ID == "" || a.Name == "" {
		return reel.Errorf(reel.EINVALID, "put agent session: no id or name")
	}
	record, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("put agent session %s: %w", a.Name, err)
	}
	id, name := encText(a.ID), encText(a.Name)
	err = s.retry(ctx, func(ctx context.Context) error {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		var other string
		err = tx.QueryRow(ctx, `SELECT id FROM agents WHERE name = $1 AND id <> $2`, name, id).Scan(&other)
		switch {
		case err == nil:
			return final{nameTaken(a.Name, decText(other))}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO agents (id, name, created_at, record) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, created_at = excluded.created_at, record = excluded.record`,
			id, name, a.CreatedAt.UnixNano(), string(record)); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation: a concurrent put took the name
				return final{nameTaken(a.Name, "")}
			}
			return err
		}
		return tx.Commit(ctx)
	})
	var f final
	if errors.As(err, &f) {
		return f.error
	}
	return s.wrap("put agent session", err)
}

// nameTaken is the ECONFLICT of putting a session named name that
// session other (if known) has.
func nameTaken(name, other string) error {
	msg := fmt.Sprintf("agent session name %q is taken", name)
	if other != "" {
		msg += " by session " + reel.ShortID(other)
	}
	return reel.Errorf(reel.ECONFLICT, "%s", msg).WithHint("choose another name (-n NAME)")
}

// Agents returns every registered session, newest first; an empty slice
// if there are none. ECORRUPT names a row that cannot be read back.
func (s *Store) Agents(ctx context.Context) ([]reel.AgentSession, error) {
	var out []reel.AgentSession
	err := s.retry(ctx, func(ctx context.Context) error {
		out = []reel.AgentSession{}
		rows, err := s.pool.Query(ctx, `SELECT id, record FROM agents ORDER BY created_at DESC, id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, record string
			if err := rows.Scan(&id, &record); err != nil {
				return err
			}
			a, err := decodeAgent(decText(id), record)
			if err != nil {
				return final{err}
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	var f final
	if errors.As(err, &f) {
		return nil, f.error
	}
	if err != nil {
		return nil, s.wrap("list agent sessions", err)
	}
	return out, nil
}

// DeleteAgent removes a session; deleting a missing one is not an error.
func (s *Store) DeleteAgent(ctx context.Context, id string) error {
	return s.wrap("delete agent session", s.retry(ctx, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `DELETE FROM agents WHERE id = $1`, encText(id))
		return err
	}))
}

// decodeAgent reads back the record of the row with id, its times in
// UTC.
func decodeAgent(id, record string) (reel.AgentSession, error) {
	var a reel.AgentSession
	if err := json.Unmarshal([]byte(record), &a); err != nil {
		return a, &reel.Error{Code: reel.ECORRUPT, Message: fmt.Sprintf("read agent session %s", id), Err: err}
	}
	a.CreatedAt, a.LastActivity, a.StoppedAt = a.CreatedAt.UTC(), a.LastActivity.UTC(), a.StoppedAt.UTC()
	if a.Pause != nil {
		a.Pause.At, a.Pause.ResumedAt = a.Pause.At.UTC(), a.Pause.ResumedAt.UTC()
	}
	return a, nil
}

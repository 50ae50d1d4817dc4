package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/agentrecord"
)

var _ reel.AgentRegistry = (*Store)(nil)

// PutAgent inserts or replaces the supervised session with a.ID.
// EINVALID if a has no id or name; ECONFLICT if another session has
// a.Name, including one that another client puts at the same moment.
func (s *Store) PutAgent(ctx context.Context, a reel.AgentSession) error {
	record, err := agentrecord.Encode(a)
	if err != nil {
		return err
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
			return final{agentrecord.NameTaken(a.Name, decText(other))}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO agents (id, name, created_at, record) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, created_at = excluded.created_at, record = excluded.record`,
			id, name, a.CreatedAt.UnixNano(), record); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation: a concurrent put took the name
				return final{agentrecord.NameTaken(a.Name, "")}
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
			a, err := agentrecord.Decode(decText(id), record)
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

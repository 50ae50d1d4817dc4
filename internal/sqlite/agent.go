package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"github.com/reel-sh/reel"
)

var _ reel.AgentRegistry = (*Store)(nil)

// PutAgent inserts or replaces the supervised session with a.ID.
// EINVALID if a has no id or name; ECONFLICT if another session has
// a.Name.
func (s *Store) PutAgent(ctx context.Context, a reel.AgentSession) error {
	if a.ID == "" || a.Name == "" {
		return reel.Errorf(reel.EINVALID, "put agent session: no id or name")
	}
	record, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("put agent session %s: %w", a.Name, err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// The transaction is immediate (see dsn): no writer runs between the
	// check and the write.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("put agent session", err)
	}
	defer tx.Rollback()
	var other string
	err = tx.QueryRowContext(ctx, `SELECT id FROM agents WHERE name = ? AND id <> ?`, a.Name, a.ID).Scan(&other)
	switch {
	case err == nil:
		return nameTaken(a.Name, other)
	case !errors.Is(err, sql.ErrNoRows):
		return s.wrap("put agent session", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agents (id, name, created_at, record) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, created_at = excluded.created_at, record = excluded.record`,
		a.ID, a.Name, a.CreatedAt.UnixNano(), string(record)); err != nil {
		if se := (sqlite3.Error{}); errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
			return nameTaken(a.Name, "")
		}
		return s.wrap("put agent session", err)
	}
	return s.wrap("put agent session", tx.Commit())
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
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, record FROM agents ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, s.wrap("list agent sessions", err)
	}
	defer rows.Close()
	out := []reel.AgentSession{}
	for rows.Next() {
		var id, record string
		if err := rows.Scan(&id, &record); err != nil {
			return nil, s.wrap("list agent sessions", err)
		}
		a, err := decodeAgent(id, record)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, s.wrap("list agent sessions", rows.Err())
}

// DeleteAgent removes a session; deleting a missing one is not an error.
func (s *Store) DeleteAgent(ctx context.Context, id string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.db.ExecContext(ctx, `DELETE FROM agents WHERE id = ?`, id)
	return s.wrap("delete agent session", err)
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

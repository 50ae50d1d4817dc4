package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/mattn/go-sqlite3"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/agentrecord"
)

var _ reel.AgentRegistry = (*Store)(nil)

// PutAgent inserts or replaces the supervised session with a.ID.
// EINVALID if a has no id or name; ECONFLICT if another session has
// a.Name.
func (s *Store) PutAgent(ctx context.Context, a reel.AgentSession) error {
	record, err := agentrecord.Encode(a)
	if err != nil {
		return err
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
		return agentrecord.NameTaken(a.Name, other)
	case !errors.Is(err, sql.ErrNoRows):
		return s.wrap("put agent session", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agents (id, name, created_at, record) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, created_at = excluded.created_at, record = excluded.record`,
		a.ID, a.Name, a.CreatedAt.UnixNano(), record); err != nil {
		if se := (sqlite3.Error{}); errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
			return agentrecord.NameTaken(a.Name, "")
		}
		return s.wrap("put agent session", err)
	}
	return s.wrap("put agent session", tx.Commit())
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
		a, err := agentrecord.Decode(id, record)
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

package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"

	"github.com/mattn/go-sqlite3"

	"github.com/reel-sh/reel"
)

// PutCheckpoint writes c, replacing the checkpoint with its ID (in
// whichever session), so that writing the same checkpoint twice leaves
// one. Apply never deletes checkpoints: a session read again keeps them.
//
// ENOTFOUND if c's session does not exist. EINVALID as
// reel.Checkpoint.Validate says, or if c.Seq is beyond the session's EventCount (a checkpoint of
// a live session may mark the next event, no later one). ECONFLICT,
// naming it, if another checkpoint of the session has c's label.
func (s *Store) PutCheckpoint(ctx context.Context, c reel.Checkpoint) error {
	if err := c.Validate(); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// The transaction is immediate (see dsn), so the checks below hold
	// until the commit: no other writer runs in between.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("put checkpoint", err)
	}
	defer tx.Rollback()
	var sk, count int64
	err = tx.QueryRowContext(ctx, `SELECT sk, event_count FROM sessions WHERE id = ?`, c.SessionID).Scan(&sk, &count)
	if err == sql.ErrNoRows {
		return reel.Errorf(reel.ENOTFOUND, "put checkpoint %q: session %q not found", c.ID, c.SessionID)
	}
	if err != nil {
		return s.wrap("put checkpoint", err)
	}
	if c.Seq > count {
		return reel.Errorf(reel.EINVALID, "put checkpoint %q: seq %d is beyond the session's %d events", c.ID, c.Seq, count)
	}
	if c.Label != "" {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT id FROM checkpoints WHERE session_sk = ? AND label = ? AND id <> ?`,
			sk, c.Label, c.ID).Scan(&other)
		switch {
		case err == nil:
			return labelTaken(&c, other)
		case err != sql.ErrNoRows:
			return s.wrap("put checkpoint", err)
		}
	}
	var state any
	if c.State != nil {
		state = []byte(c.State) // a non-nil empty state stays an empty blob, not NULL
	}
	if _, err := tx.ExecContext(ctx, upsertCheckpointSQL,
		c.ID, sk, c.Label, encTime(c.Time), c.Seq, state); err != nil {
		return s.wrap("put checkpoint", err)
	}
	return s.wrap("put checkpoint", tx.Commit())
}

// upsertCheckpointSQL writes a checkpoint by id, wherever it was.
const upsertCheckpointSQL = `INSERT INTO checkpoints (id, session_sk, label, time, seq, state)
	VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET session_sk = excluded.session_sk, label = excluded.label,
	time = excluded.time, seq = excluded.seq, state = excluded.state`

// labelTaken returns the ECONFLICT of putting c when checkpoint other of
// its session has its label.
func labelTaken(c *reel.Checkpoint, other string) error {
	return reel.Errorf(reel.ECONFLICT, "put checkpoint %q: label %q already names checkpoint %q of session %s",
		c.ID, c.Label, other, c.SessionID).
		WithHint(fmt.Sprintf("choose another label, or relabel checkpoint %q first", other))
}

// Checkpoints returns a session's checkpoints ordered by seq, then time
// (the zero time first), then id; an empty slice if it has none.
// ENOTFOUND if there is no session with that full id.
func (s *Store) Checkpoints(ctx context.Context, sessionID string) ([]reel.Checkpoint, error) {
	// One read transaction, so the session cannot vanish between the two
	// queries.
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.wrap("list checkpoints", err)
	}
	defer tx.Rollback()
	sk, err := sessionKey(ctx, tx, sessionID)
	if err != nil {
		return nil, s.wrap("list checkpoints", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, label, time, seq, state FROM checkpoints
		WHERE session_sk = ? ORDER BY seq, time, id`, sk)
	if err != nil {
		return nil, s.wrap("list checkpoints", err)
	}
	defer rows.Close()
	out := []reel.Checkpoint{}
	for rows.Next() {
		c := reel.Checkpoint{SessionID: sessionID}
		var t sql.NullInt64
		var state []byte
		if err := rows.Scan(&c.ID, &c.Label, &t, &c.Seq, &state); err != nil {
			return nil, s.wrap("list checkpoints", err)
		}
		c.Time = decTime(t)
		if state != nil {
			c.State = json.RawMessage(state)
		}
		out = append(out, c)
	}
	return out, s.wrap("list checkpoints", rows.Err())
}

// upsertCheckpoint writes checkpoint cp of session sk inside Apply's
// transaction, as PutCheckpoint does; Batch.Validate has checked it.
func upsertCheckpoint(c *sqlite3.SQLiteConn, sk int64, cp *reel.Checkpoint) error {
	bg := context.Background()
	if cp.Label != "" {
		rows, err := c.QueryContext(bg, `SELECT id FROM checkpoints WHERE session_sk = ? AND label = ? AND id <> ?`,
			[]driver.NamedValue{{Ordinal: 1, Value: sk}, {Ordinal: 2, Value: cp.Label}, {Ordinal: 3, Value: cp.ID}})
		if err != nil {
			return fmt.Errorf("find checkpoint label: %w", err)
		}
		dest := make([]driver.Value, 1)
		err = rows.Next(dest)
		rows.Close()
		switch {
		case err == nil:
			other, _ := dest[0].(string)
			return labelTaken(cp, other)
		case err != io.EOF:
			return fmt.Errorf("find checkpoint label: %w", err)
		}
	}
	var state driver.Value
	if cp.State != nil {
		state = []byte(cp.State)
	}
	_, err := c.ExecContext(bg, upsertCheckpointSQL, []driver.NamedValue{
		{Ordinal: 1, Value: cp.ID}, {Ordinal: 2, Value: sk}, {Ordinal: 3, Value: cp.Label},
		{Ordinal: 4, Value: encTime(cp.Time)}, {Ordinal: 5, Value: cp.Seq}, {Ordinal: 6, Value: state}})
	if err != nil {
		return fmt.Errorf("checkpoint %q: %w", cp.ID, err)
	}
	return nil
}

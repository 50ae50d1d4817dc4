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

// labelIndex is the unique index that lets a label name one checkpoint of
// a session (migration 0002).
const labelIndex = "checkpoints_label"

// PutCheckpoint writes c, replacing the checkpoint with its ID (in
// whichever session), so that writing the same checkpoint twice leaves
// one, whoever writes it. Apply never deletes checkpoints: a session read
// again keeps them. It is tried again like Apply (see retry).
//
// ENOTFOUND if c's session does not exist. EINVALID as
// reel.Checkpoint.Validate says, or if c.Seq is beyond the session's
// EventCount (a checkpoint of a live session may mark the next event, no
// later one). ECONFLICT, naming it, if another checkpoint of the session
// has c's label, also when another host put it at the same moment.
func (s *Store) PutCheckpoint(ctx context.Context, c reel.Checkpoint) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var sk int64
	err := s.retry(ctx, func(ctx context.Context) error {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		// FOR SHARE holds off an Apply that would change the event
		// count until the commit; Apply locks the session row first too,
		// so the two never deadlock.
		var count int64
		err = tx.QueryRow(ctx, `SELECT sk, event_count FROM sessions WHERE id = $1 FOR SHARE`,
			encText(c.SessionID)).Scan(&sk, &count)
		if errors.Is(err, pgx.ErrNoRows) {
			return reel.Errorf(reel.ENOTFOUND, "put checkpoint %q: session %q not found", c.ID, c.SessionID)
		}
		if err != nil {
			return err
		}
		if c.Seq > count {
			return reel.Errorf(reel.EINVALID, "put checkpoint %q: seq %d is beyond the session's %d events", c.ID, c.Seq, count)
		}
		if c.Label != "" {
			other, err := labelHolder(ctx, tx, sk, &c)
			if err != nil {
				return err
			}
			if other != "" {
				return labelTaken(&c, other)
			}
		}
		sql, args := upsertCheckpoints([]*reel.Checkpoint{&c})
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if isLabelConflict(err) {
		// Another writer took the label between the check and the insert.
		other, lerr := labelHolder(ctx, s.pool, sk, &c)
		if lerr != nil {
			return s.wrap("put checkpoint", lerr)
		}
		return labelTaken(&c, other)
	}
	return s.wrap("put checkpoint", err)
}

// labelHolder returns the id of the checkpoint of session sk, other than
// c, that has c's label, or "" if there is none.
func labelHolder(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sk int64, c *reel.Checkpoint) (string, error) {
	var other string
	err := q.QueryRow(ctx, `SELECT id FROM checkpoints WHERE session_sk = $1 AND label = $2 AND id <> $3`,
		sk, encText(c.Label), encText(c.ID)).Scan(&other)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return decText(other), err
}

// isLabelConflict reports whether err is the unique violation of a label
// that another checkpoint of the session has.
func isLabelConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == labelIndex
}

// labelTaken returns the ECONFLICT of putting c when checkpoint other of
// its session has its label.
func labelTaken(c *reel.Checkpoint, other string) error {
	return reel.Errorf(reel.ECONFLICT, "put checkpoint %q: label %q already names checkpoint %q of session %s",
		c.ID, c.Label, other, c.SessionID).
		WithHint(fmt.Sprintf("choose another label, or relabel checkpoint %q first", other))
}

// upsertCheckpoints writes checkpoints by id, in the order given, each to
// the session its SessionID names. No two may share an id.
func upsertCheckpoints(cs []*reel.Checkpoint) (string, []any) {
	n := len(cs)
	var (
		id, sid, label = make([]string, n), make([]string, n), make([]string, n)
		tm             = make([]*int64, n)
		seq            = make([]int64, n)
		state          = make([][]byte, n)
	)
	for i, c := range cs {
		id[i], sid[i], label[i] = encText(c.ID), encText(c.SessionID), encText(c.Label)
		tm[i], seq[i] = encTime(c.Time), c.Seq
		if c.State != nil {
			state[i] = []byte(c.State) // a non-nil empty state stays empty bytes, not NULL
			if len(state[i]) == 0 {
				state[i] = []byte{}
			}
		}
	}
	return `INSERT INTO checkpoints (id, session_sk, label, time, seq, state)
	SELECT u.id, s.sk, u.label, u.time, u.seq, u.state
	FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[])
		WITH ORDINALITY AS u (id, sid, label, time, seq, state, ord)
	JOIN sessions s ON s.id = u.sid
	ORDER BY u.ord
	ON CONFLICT (id) DO UPDATE SET session_sk = excluded.session_sk, label = excluded.label,
		time = excluded.time, seq = excluded.seq, state = excluded.state`,
		[]any{id, sid, label, tm, seq, state}
}

// Checkpoints returns a session's checkpoints ordered by seq, then time
// (the zero time first), then id; an empty slice if it has none. The
// session and its checkpoints are read by one statement, so one
// snapshot. ENOTFOUND if there is no session with that full id.
func (s *Store) Checkpoints(ctx context.Context, sessionID string) ([]reel.Checkpoint, error) {
	var out []reel.Checkpoint
	err := s.retry(ctx, func(ctx context.Context) error {
		out = []reel.Checkpoint{}
		// A session without checkpoints yields one row of NULLs.
		rows, err := s.pool.Query(ctx, `SELECT c.id, c.label, c.time, c.seq, c.state
			FROM sessions s LEFT JOIN checkpoints c ON c.session_sk = s.sk
			WHERE s.id = $1 ORDER BY c.seq, c.time NULLS FIRST, c.id`, encText(sessionID))
		if err != nil {
			return err
		}
		defer rows.Close()
		found := false
		for rows.Next() {
			found = true
			var id, label *string
			var t, seq *int64
			var state []byte
			if err := rows.Scan(&id, &label, &t, &seq, &state); err != nil {
				return err
			}
			if id == nil {
				continue // no checkpoints
			}
			c := reel.Checkpoint{ID: decText(*id), SessionID: sessionID, Label: decText(*label),
				Time: decTime(t), Seq: *seq}
			if state != nil {
				c.State = json.RawMessage(state)
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if !found {
			return reel.Errorf(reel.ENOTFOUND, "session %q not found", sessionID)
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap("list checkpoints", err)
	}
	return out, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/reel-sh/reel"
)

// sessionKey returns the surrogate key of the session with the full id,
// ENOTFOUND if there is none.
func sessionKey(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (int64, error) {
	var sk int64
	err := q.QueryRowContext(ctx, `SELECT sk FROM sessions WHERE id = ?`, id).Scan(&sk)
	if err == sql.ErrNoRows {
		return 0, reel.Errorf(reel.ENOTFOUND, "session %q not found", id)
	}
	return sk, err
}

// Events returns a session's events in seq order, filtered by f's Kinds,
// Roles, Since and Until (event time in [Since, Until)), SeqFrom and SeqTo
// (seq in [SeqFrom, SeqTo), a range of the events_session_seq index) and
// Limit (0 or less for all). ENOTFOUND if there is no session with that
// full id.
func (s *Store) Events(ctx context.Context, sessionID string, f reel.Filter) ([]reel.Event, error) {
	// One read transaction, so the session cannot vanish between the two
	// queries.
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.wrap("list events", err)
	}
	defer tx.Rollback()
	sk, err := sessionKey(ctx, tx, sessionID)
	if err != nil {
		return nil, s.wrap("list events", err)
	}
	q, args := eventsQuery(sk, f)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap("list events", err)
	}
	defer rows.Close()
	out := []reel.Event{}
	for rows.Next() {
		e := reel.Event{SessionID: sessionID}
		var t, exit sql.NullInt64
		var dur int64
		var input []byte
		if err := rows.Scan(&e.Seq, &t, &e.Kind, &e.Role, &e.Tool, &e.CallID, &e.MessageID,
			&e.NativeID, &e.Model, &exit, &e.IsError, &dur, &e.Tokens.Input, &e.Tokens.Output,
			&e.Tokens.CacheRead, &e.Tokens.CacheCreation, &e.Tokens.Reasoning, &input,
			&e.RawIndex, &e.Text); err != nil {
			return nil, s.wrap("list events", err)
		}
		e.Time = decTime(t)
		e.Duration = time.Duration(dur)
		if exit.Valid {
			code := int(exit.Int64)
			e.ExitCode = &code
		}
		if input != nil {
			e.Input = json.RawMessage(input)
		}
		out = append(out, e)
	}
	return out, s.wrap("list events", rows.Err())
}

// eventsQuery returns the statement and arguments that select the events
// of the session with key sk that f keeps, in seq order. A seq bound is a
// range of the events_session_seq index.
func eventsQuery(sk int64, f reel.Filter) (string, []any) {
	var w where
	w.add("session_sk = ?", sk)
	w.in("kind", f.Kinds)
	w.in("role", f.Roles)
	if !f.Since.IsZero() {
		w.add("time >= ?", bound(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("time < ?", bound(f.Until))
	}
	if f.SeqFrom > 0 {
		w.add("seq >= ?", f.SeqFrom)
	}
	if f.SeqTo > 0 {
		w.add("seq < ?", f.SeqTo)
	}
	q := `SELECT seq, time, kind, role, tool, call_id, message_id, native_id, model, exit_code,
		is_error, duration, tok_input, tok_output, tok_cache_read, tok_cache_creation,
		tok_reasoning, input, raw_index, text FROM events` + w.sql() + ` ORDER BY seq`
	args := w.args
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return q, args
}

// RawRecords calls fn for each raw record of a session in index order,
// stopping at fn's first error, which it returns unwrapped. The records
// come from one read transaction, so a concurrent Apply never shows a mix
// of old and new ones. ENOTFOUND if there is no session with that full id.
func (s *Store) RawRecords(ctx context.Context, sessionID string, fn func(reel.RawRecord) error) error {
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("read raw records", err)
	}
	defer tx.Rollback()
	sk, err := sessionKey(ctx, tx, sessionID)
	if err != nil {
		return s.wrap("read raw records", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT idx, byte_offset, type, status, reason, data, name
		FROM raw_records WHERE session_sk = ? ORDER BY idx`, sk)
	if err != nil {
		return s.wrap("read raw records", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r reel.RawRecord
		if err := rows.Scan(&r.Index, &r.Offset, &r.Type, &r.Status, &r.Reason, &r.Data, &r.Name); err != nil {
			return s.wrap("read raw records", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return s.wrap("read raw records", rows.Err())
}

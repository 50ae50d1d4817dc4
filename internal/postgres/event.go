package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/reel-sh/reel"
)

// Events returns a session's events in seq order, filtered by f's Kinds,
// Roles, Since and Until (event time in [Since, Until)), SeqFrom and SeqTo
// (seq in [SeqFrom, SeqTo), a range of the (session_sk, seq) index) and
// Limit (0 or less for all). ENOTFOUND if there is no session with that full id.
//
// The session and its events are read by one statement, so one snapshot:
// the session cannot vanish between two queries.
func (s *Store) Events(ctx context.Context, sessionID string, f reel.Filter) ([]reel.Event, error) {
	var out []reel.Event
	err := s.retry(ctx, func(ctx context.Context) error {
		out = []reel.Event{}
		var a args
		w := where{"session_sk = s.sk"}
		id := a.add(encText(sessionID))
		if len(f.Kinds) > 0 {
			w = append(w, "kind = ANY("+a.add(encTexts(f.Kinds))+")")
		}
		if len(f.Roles) > 0 {
			w = append(w, "role = ANY("+a.add(encTexts(f.Roles))+")")
		}
		if !f.Since.IsZero() {
			w = append(w, "time >= "+a.add(bound(f.Since)))
		}
		if !f.Until.IsZero() {
			w = append(w, "time < "+a.add(bound(f.Until)))
		}
		if f.SeqFrom > 0 {
			w = append(w, "seq >= "+a.add(f.SeqFrom))
		}
		if f.SeqTo > 0 {
			w = append(w, "seq < "+a.add(f.SeqTo))
		}
		limit := ""
		if f.Limit > 0 {
			limit = " LIMIT " + a.add(f.Limit)
		}
		// A session without (matching) events yields one row of NULLs.
		rows, err := s.pool.Query(ctx, `SELECT e.seq, e.time, e.kind, e.role, e.tool, e.call_id,
			e.message_id, e.native_id, e.model, e.exit_code, e.is_error, e.duration,
			coalesce(e.tok_input, 0), coalesce(e.tok_output, 0), coalesce(e.tok_cache_read, 0),
			coalesce(e.tok_cache_creation, 0), coalesce(e.tok_reasoning, 0), e.input,
			e.raw_index, e.text
		FROM sessions s LEFT JOIN LATERAL (SELECT * FROM events`+w.sql()+` ORDER BY seq`+limit+`) e ON true
		WHERE s.id = `+id+` ORDER BY e.seq`, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		found := false
		for rows.Next() {
			found = true
			var seq, t, exit, dur, rawIdx *int64
			var isErr *bool
			var e reel.Event
			var input []byte
			var kind, role, tool, call, msg, native, model, text *string
			if err := rows.Scan(&seq, &t, &kind, &role, &tool, &call, &msg, &native, &model, &exit,
				&isErr, &dur, &e.Tokens.Input, &e.Tokens.Output, &e.Tokens.CacheRead,
				&e.Tokens.CacheCreation, &e.Tokens.Reasoning, &input, &rawIdx, &text); err != nil {
				return err
			}
			if seq == nil {
				continue // no events
			}
			e.SessionID, e.Seq, e.Time = sessionID, *seq, decTime(t)
			e.Kind, e.Role, e.Tool, e.CallID = decText(*kind), decText(*role), decText(*tool), decText(*call)
			e.MessageID, e.NativeID, e.Model, e.Text = decText(*msg), decText(*native), decText(*model), decText(*text)
			e.IsError, e.Duration, e.RawIndex = *isErr, time.Duration(*dur), *rawIdx
			if exit != nil {
				code := int(*exit)
				e.ExitCode = &code
			}
			if input != nil {
				e.Input = json.RawMessage(input)
			}
			out = append(out, e)
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
		return nil, s.wrap("list events", err)
	}
	return out, nil
}

// RawRecords calls fn for each raw record of a session in index order,
// stopping at fn's first error, which it returns unwrapped. The records
// come from one statement, so one snapshot: a concurrent Apply never
// shows a mix of old and new ones. ENOTFOUND if there is no session with
// that full id.
func (s *Store) RawRecords(ctx context.Context, sessionID string, fn func(reel.RawRecord) error) error {
	called := false
	var fnErr error
	read := func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, `SELECT r.idx, r.byte_offset, r.name, r.type, r.status, r.reason, r.data
			FROM sessions s LEFT JOIN raw_records r ON r.session_sk = s.sk
			WHERE s.id = $1 ORDER BY r.idx`, encText(sessionID))
		if err != nil {
			return err
		}
		defer rows.Close()
		found := false
		for rows.Next() {
			found = true
			var idx, off *int64
			var name, typ, status, reason *string
			var data []byte
			if err := rows.Scan(&idx, &off, &name, &typ, &status, &reason, &data); err != nil {
				return err
			}
			if idx == nil {
				continue // no records
			}
			r := reel.RawRecord{Index: *idx, Offset: *off, Name: decText(*name), Type: decText(*typ),
				Status: decText(*status), Reason: decText(*reason), Data: data}
			called = true
			if fnErr = fn(r); fnErr != nil {
				return nil
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if !found {
			return reel.Errorf(reel.ENOTFOUND, "session %q not found", sessionID)
		}
		return nil
	}
	err := s.retry(ctx, func(ctx context.Context) error {
		err := read(ctx)
		if err != nil && called {
			// fn saw records already: another try would show them twice.
			return final{err}
		}
		return err
	})
	if fnErr != nil {
		return fnErr
	}
	return s.wrap("read raw records", err)
}

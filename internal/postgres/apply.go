package postgres

import (
	"context"
	"errors"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/reel-sh/reel"
)

// Apply writes batches in one transaction. For each batch it upserts the
// session, drops the session's raw records and events at or after FromRaw
// and FromSeq, inserts the batch's, and replaces the file's cursor.
// Because the tail is dropped first, applying the same batch twice leaves
// the same rows, whoever applies it and however often. A batch with an
// empty Cursor.Path writes no cursor.
//
// The whole transaction is one round trip (see doc.go), and it is tried
// again, up to 5 times, after a deadlock, a serialization failure or a
// lost connection; EBUSY or EINTERNAL if the last try fails so.
//
// EINVALID if a batch is inconsistent: no session id or source, an event
// of another session, raw indexes or event seqs that are below
// FromRaw/FromSeq or not strictly increasing, or a time outside the years
// 1678 to 2262, or a checkpoint Batch.Validate refuses. The batches'
// checkpoints are upserted after the events, as PutCheckpoint does;
// ECONFLICT if one's label names another checkpoint of its session.
// Nothing is written then.
func (s *Store) Apply(ctx context.Context, bs ...*reel.Batch) error {
	for _, b := range bs {
		if err := b.Validate(); err != nil {
			return err
		}
	}
	if len(bs) == 0 {
		return nil
	}
	stmts := s.statements(bs)
	err := s.retry(ctx, func(ctx context.Context) error {
		// A pgx.Batch remembers the prepared statements it was sent with,
		// which another connection lacks: each try sends a new one.
		b := &pgx.Batch{}
		for _, st := range stmts {
			b.Queue(st.sql, st.args...)
		}
		return s.pool.SendBatch(ctx, b).Close()
	})
	if isLabelConflict(err) {
		var pe *pgconn.PgError
		errors.As(err, &pe)
		return &reel.Error{Code: reel.ECONFLICT,
			Message: "apply batch: a checkpoint's label already names another checkpoint of its session (" + pe.Detail + ")",
			Hint:    "choose another label, or relabel the other checkpoint first", Err: err}
	}
	return s.wrap("apply batch", err)
}

// write is what an Apply does to one session: the batches for it
// composed, so that the transaction touches each session once.
type write struct {
	ss *reel.Session // the last batch's
	// fromSeq and fromRaw are where the stored tail is dropped: the lowest
	// FromSeq and FromRaw of the batches.
	fromSeq, fromRaw int64
	events           []reel.Event
	raw              []reel.RawRecord
}

// checkpoints returns the checkpoints of the batches, in order, each id
// once: a later batch's checkpoint replaces an earlier one with its id in
// place, as putting them one by one would leave it.
func checkpoints(bs []*reel.Batch) []*reel.Checkpoint {
	var out []*reel.Checkpoint
	at := map[string]int{}
	for _, b := range bs {
		for i := range b.Checkpoints {
			c := &b.Checkpoints[i]
			if j, ok := at[c.ID]; ok {
				out[j] = c
				continue
			}
			at[c.ID] = len(out)
			out = append(out, c)
		}
	}
	return out
}

// compose folds batches into one write per session, sorted by session id,
// and the cursors they leave, sorted by path. Applying the batches one by
// one drops each one's tail, including what earlier batches of the same
// Apply wrote there, then appends: so does compose, in memory.
func compose(bs []*reel.Batch) ([]*write, []*reel.Cursor) {
	byID := map[string]*write{}
	cursors := map[string]*reel.Cursor{}
	for _, b := range bs {
		w := byID[b.Session.ID]
		if w == nil {
			w = &write{fromSeq: b.FromSeq, fromRaw: b.FromRaw}
			byID[b.Session.ID] = w
		}
		w.ss = &b.Session
		w.fromSeq, w.fromRaw = min(w.fromSeq, b.FromSeq), min(w.fromRaw, b.FromRaw)
		n := sort.Search(len(w.events), func(i int) bool { return w.events[i].Seq >= b.FromSeq })
		w.events = append(w.events[:n:n], b.Events...)
		n = sort.Search(len(w.raw), func(i int) bool { return w.raw[i].Index >= b.FromRaw })
		w.raw = append(w.raw[:n:n], b.Raw...)
		if b.Cursor.Path != "" {
			cursors[b.Cursor.Path] = &b.Cursor
		}
	}
	ws := make([]*write, 0, len(byID))
	for _, w := range byID {
		ws = append(ws, w)
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].ss.ID < ws[j].ss.ID })
	cs := make([]*reel.Cursor, 0, len(cursors))
	for _, c := range cursors {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Path < cs[j].Path })
	return ws, cs
}

// statement is an SQL statement with its arguments.
type statement struct {
	sql  string
	args []any
}

// statements returns the Apply's statements, which are sent as one
// pipelined batch. pgx runs a batch without BEGIN as one implicit
// transaction: it commits when the last statement succeeds and rolls back
// if any fails. Each statement takes every row of one kind at once, as
// arrays.
//
// The session upsert comes first and takes the sessions' row locks in id
// order; every later statement touches only rows of those sessions, so
// two Applies that share sessions queue on the first one's locks and
// never deadlock. Under READ COMMITTED, each later statement sees what
// the Apply it waited for committed, so the tail it drops includes that
// Apply's rows: whatever the order, the result is as if the Applies had
// run one after the other.
func (s *Store) statements(bs []*reel.Batch) []statement {
	ws, cs := compose(bs)
	var out []statement
	add := func(sql string, args []any) { out = append(out, statement{sql, args}) }
	add(upsertSessions(ws, s.host, s.user))
	add(dropTails(ws))
	add(insertRaw(ws))
	add(insertEvents(ws))
	if cps := checkpoints(bs); len(cps) > 0 {
		add(upsertCheckpoints(cps))
	}
	if len(cs) > 0 {
		add(upsertCursors(cs, s.host))
	}
	return out
}

// upsertSessions writes the sessions, in the order given (by id), and
// stamps each with this Store's host and user.
func upsertSessions(ws []*write, host, user string) (string, []any) {
	n := len(ws)
	var (
		id, source, native, parent, title, project = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		branch, hostCol, model, version, status    = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		path                                       = make([]string, n)
		started, ended, active                     = make([]*int64, n), make([]*int64, n), make([]*int64, n)
		count, tin, tout, tcr, tcc, trs            = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	)
	for i, w := range ws {
		ss := w.ss
		id[i], source[i], native[i], parent[i] = encText(ss.ID), encText(ss.Source), encText(ss.NativeID), encText(ss.ParentID)
		title[i], project[i], branch[i], hostCol[i] = encText(ss.Title), encText(ss.Project), encText(ss.GitBranch), encText(ss.Host)
		model[i], version[i], status[i], path[i] = encText(ss.Model), encText(ss.Version), encText(ss.Status), encText(ss.Path)
		act := ss.StartedAt
		if ss.EndedAt.After(act) {
			act = ss.EndedAt
		}
		started[i], ended[i], active[i] = encTime(ss.StartedAt), encTime(ss.EndedAt), encTime(act)
		count[i], tin[i], tout[i] = ss.EventCount, ss.Tokens.Input, ss.Tokens.Output
		tcr[i], tcc[i], trs[i] = ss.Tokens.CacheRead, ss.Tokens.CacheCreation, ss.Tokens.Reasoning
	}
	return `INSERT INTO sessions (id, source, native_id, parent_id, title, project, git_branch, host, model,
		client_version, started_at, ended_at, active_at, status, event_count, tok_input, tok_output,
		tok_cache_read, tok_cache_creation, tok_reasoning, path, ingested_by_host, ingested_by_user)
	SELECT u.id, u.source, u.native_id, u.parent_id, u.title, u.project, u.git_branch, u.host, u.model,
		u.client_version, u.started_at, u.ended_at, u.active_at, u.status, u.event_count, u.tok_input,
		u.tok_output, u.tok_cache_read, u.tok_cache_creation, u.tok_reasoning, u.path, $22, $23
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[],
		$15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::text[])
		WITH ORDINALITY AS u (id, source, native_id, parent_id, title, project, git_branch, host, model,
		client_version, started_at, ended_at, active_at, status, event_count, tok_input, tok_output,
		tok_cache_read, tok_cache_creation, tok_reasoning, path, ord)
	ORDER BY u.ord
	ON CONFLICT (id) DO UPDATE SET source = excluded.source, native_id = excluded.native_id,
		parent_id = excluded.parent_id, title = excluded.title, project = excluded.project,
		git_branch = excluded.git_branch, host = excluded.host, model = excluded.model,
		client_version = excluded.client_version, started_at = excluded.started_at,
		ended_at = excluded.ended_at, active_at = excluded.active_at, status = excluded.status,
		event_count = excluded.event_count, tok_input = excluded.tok_input,
		tok_output = excluded.tok_output, tok_cache_read = excluded.tok_cache_read,
		tok_cache_creation = excluded.tok_cache_creation, tok_reasoning = excluded.tok_reasoning,
		path = excluded.path, ingested_by_host = excluded.ingested_by_host,
		ingested_by_user = excluded.ingested_by_user`,
		[]any{id, source, native, parent, title, project, branch, hostCol, model, version,
			started, ended, active, status, count, tin, tout, tcr, tcc, trs, path, encText(host), encText(user)}
}

// dropTails deletes each session's events and raw records from its
// write's fromSeq and fromRaw on, in one statement: the sessions are few
// and each deletion is an index range.
func dropTails(ws []*write) (string, []any) {
	ids, seqs, raws := make([]string, len(ws)), make([]int64, len(ws)), make([]int64, len(ws))
	for i, w := range ws {
		ids[i], seqs[i], raws[i] = encText(w.ss.ID), w.fromSeq, w.fromRaw
	}
	return `WITH d AS (
		SELECT s.sk, u.from_seq, u.from_raw FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u (id, from_seq, from_raw)
		JOIN sessions s ON s.id = u.id
	), e AS (
		DELETE FROM events e USING d WHERE e.session_sk = d.sk AND e.seq >= d.from_seq
	)
	DELETE FROM raw_records r USING d WHERE r.session_sk = d.sk AND r.idx >= d.from_raw`,
		[]any{ids, seqs, raws}
}

// insertRaw inserts the raw records. Every record it inserts is past its
// session's dropped tail, so none conflicts.
func insertRaw(ws []*write) (string, []any) {
	var n int
	for _, w := range ws {
		n += len(w.raw)
	}
	var (
		sid                       = make([]string, 0, n)
		idx, off                  = make([]int64, 0, n), make([]int64, 0, n)
		name, typ, status, reason = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		data                      = make([][]byte, 0, n)
	)
	for _, w := range ws {
		id := encText(w.ss.ID)
		for i := range w.raw {
			r := &w.raw[i]
			d := r.Data
			if d == nil {
				d = []byte{} // the column is NOT NULL; nil encodes as NULL
			}
			sid, idx, off = append(sid, id), append(idx, r.Index), append(off, r.Offset)
			name, typ = append(name, encText(r.Name)), append(typ, encText(r.Type))
			status, reason = append(status, encText(r.Status)), append(reason, encText(r.Reason))
			data = append(data, d)
		}
	}
	return `INSERT INTO raw_records (session_sk, idx, byte_offset, name, type, status, reason, data)
	SELECT s.sk, u.idx, u.byte_offset, u.name, u.type, u.status, u.reason, u.data
	FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[])
		AS u (id, idx, byte_offset, name, type, status, reason, data)
	JOIN sessions s ON s.id = u.id`,
		[]any{sid, idx, off, name, typ, status, reason, data}
}

// insertEvents inserts the events with their full-text index entries,
// built here (word.go).
func insertEvents(ws []*write) (string, []any) {
	var n int
	for _, w := range ws {
		n += len(w.events)
	}
	str := func() []string { return make([]string, 0, n) }
	num := func() []int64 { return make([]int64, 0, n) }
	var (
		sid, kind, role, tool, call, msg, native, model, text = str(), str(), str(), str(), str(), str(), str(), str(), str()
		seq, dur, tin, tout, tcr, tcc, trs, rawIdx            = num(), num(), num(), num(), num(), num(), num(), num()
		tm, exit                                              = make([]*int64, 0, n), make([]*int64, 0, n)
		isErr                                                 = make([]bool, 0, n)
		input                                                 = make([][]byte, 0, n)
		vec                                                   vectorizer
		tsv                                                   = make([]pgtype.TSVector, 0, n)
	)
	for _, w := range ws {
		id := encText(w.ss.ID)
		for i := range w.events {
			e := &w.events[i]
			var code *int64
			if e.ExitCode != nil {
				c := int64(*e.ExitCode)
				code = &c
			}
			var in []byte
			if e.Input != nil {
				in = []byte(e.Input)
			}
			sid, seq, tm = append(sid, id), append(seq, e.Seq), append(tm, encTime(e.Time))
			kind, role, tool = append(kind, encText(e.Kind)), append(role, encText(e.Role)), append(tool, encText(e.Tool))
			call, msg = append(call, encText(e.CallID)), append(msg, encText(e.MessageID))
			native, model = append(native, encText(e.NativeID)), append(model, encText(e.Model))
			exit, isErr, dur = append(exit, code), append(isErr, e.IsError), append(dur, int64(e.Duration))
			tin, tout, tcr = append(tin, e.Tokens.Input), append(tout, e.Tokens.Output), append(tcr, e.Tokens.CacheRead)
			tcc, trs = append(tcc, e.Tokens.CacheCreation), append(trs, e.Tokens.Reasoning)
			input, rawIdx, text = append(input, in), append(rawIdx, e.RawIndex), append(text, encText(e.Text))
			tsv = append(tsv, vec.tsvector(e.Text))
		}
	}
	// Rows are inserted in the order given, so that ids follow seq.
	return `INSERT INTO events (session_sk, seq, time, kind, role, tool, call_id, message_id, native_id,
		model, exit_code, is_error, duration, tok_input, tok_output, tok_cache_read, tok_cache_creation,
		tok_reasoning, input, raw_index, text, tsv)
	SELECT s.sk, u.seq, u.time, u.kind, u.role, u.tool, u.call_id, u.message_id, u.native_id,
		u.model, u.exit_code, u.is_error, u.duration, u.tok_input, u.tok_output, u.tok_cache_read,
		u.tok_cache_creation, u.tok_reasoning, u.input, u.raw_index, u.text, u.tsv
	FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::bigint[], $12::boolean[], $13::bigint[], $14::bigint[],
		$15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bytea[], $20::bigint[],
		$21::text[], $22::tsvector[])
		WITH ORDINALITY AS u (id, seq, time, kind, role, tool, call_id, message_id, native_id,
		model, exit_code, is_error, duration, tok_input, tok_output, tok_cache_read, tok_cache_creation,
		tok_reasoning, input, raw_index, text, tsv, ord)
	JOIN sessions s ON s.id = u.id
	ORDER BY u.ord`,
		[]any{sid, seq, tm, kind, role, tool, call, msg, native, model, exit, isErr, dur,
			tin, tout, tcr, tcc, trs, input, rawIdx, text, tsv}
}

// upsertCursors replaces host's cursors, in the order given (by path).
func upsertCursors(cs []*reel.Cursor, host string) (string, []any) {
	n := len(cs)
	var (
		path, source, sid, head     = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		size, off, nextRaw, nextSeq = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		mod                         = make([]*int64, n)
		state                       = make([][]byte, n)
	)
	for i, c := range cs {
		path[i], source[i], sid[i], head[i] = encText(c.Path), encText(c.Source), encText(c.SessionID), encText(c.HeadHash)
		size[i], off[i], nextRaw[i], nextSeq[i] = c.Size, c.Offset, c.NextRaw, c.NextSeq
		mod[i], state[i] = encTime(c.ModTime), c.State
	}
	return `INSERT INTO cursors (host, path, source, session_id, size, mod_time, head_hash, byte_offset,
		next_raw, next_seq, state)
	SELECT $11::text, * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
		$7::bigint[], $8::bigint[], $9::bigint[], $10::bytea[])
	ON CONFLICT (host, path) DO UPDATE SET source = excluded.source, session_id = excluded.session_id,
		size = excluded.size, mod_time = excluded.mod_time, head_hash = excluded.head_hash,
		byte_offset = excluded.byte_offset, next_raw = excluded.next_raw, next_seq = excluded.next_seq,
		state = excluded.state`,
		[]any{path, source, sid, size, mod, head, off, nextRaw, nextSeq, state, encText(host)}
}

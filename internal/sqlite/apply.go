package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/mattn/go-sqlite3"

	"github.com/reel-sh/reel"
)

// Apply writes batches in one transaction. For each batch it upserts the session, drops
// the session's raw records and events at or after FromRaw and FromSeq
// (with their full-text entries), inserts the batch's, and replaces the
// file's cursor. Because the tail is dropped first, applying the same
// batch twice leaves the same rows. A batch with an empty Cursor.Path
// writes no cursor.
//
// EINVALID if the batch is inconsistent: no session id or source, an
// event of another session, raw indexes or event seqs that are below
// FromRaw/FromSeq or not strictly increasing, or a time SQLite cannot
// hold (before 1678 or after 2262), or a checkpoint Batch.Validate
// refuses. The batch's checkpoints are upserted after its events, as
// PutCheckpoint does; ECONFLICT if one's label names another checkpoint
// of its session. Nothing is written then.
func (s *Store) Apply(ctx context.Context, bs ...*reel.Batch) error {
	for _, b := range bs {
		if err := b.Validate(); err != nil {
			return err
		}
	}
	if len(bs) == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.wrote.Store(true)
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap("apply batch", err)
	}
	defer conn.Close()
	// Rows are written through the driver connection itself: database/sql
	// converts every argument of every row, which costs as much as
	// SQLite's own insert.
	err = conn.Raw(func(dc any) error {
		return applyConn(ctx, dc.(*sqlite3.SQLiteConn), &s.bandSeen, bs)
	})
	return s.wrap("apply batch", err)
}

// applyConn runs the batches' transaction on c. One transaction for many
// small batches matters: the full-text index writes a segment per commit.
func applyConn(ctx context.Context, c *sqlite3.SQLiteConn, seen *bandSeen, bs []*reel.Batch) error {
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE", nil); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			c.Exec("ROLLBACK", nil)
		}
	}()
	var ix indexer
	for _, b := range bs {
		if err := applyBatch(ctx, c, b, &ix); err != nil {
			return err
		}
	}
	if err := ix.flush(c); err != nil {
		return err
	}
	if err := bandUpdate(c, seen, ix.removed, ix.first); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := c.Exec("COMMIT", nil); err != nil {
		return err
	}
	committed = true
	return nil
}

// indexer defers the full-text indexing of the transaction's new events
// to one statement. FTS5 keeps new entries in memory until it must
// write them, and it must whenever a statement opens a savepoint, which
// most writes in a transaction do (the session upsert among them): when
// every batch indexed its own events, every batch wrote a segment of its
// own, and the commit then spent its time merging them.
//
// Events get ids above every existing one, so as long as no event is
// deleted, the pending ones are exactly those with id >= from.
type indexer struct {
	from int64 // the first pending event id; 0 if none is pending
	// first is the transaction's first new event id (0 if none), and
	// removed the older events it unindexed: the bands are kept current
	// from them once all are indexed (see bandUpdate).
	first   int64
	removed []bandText
}

// mark records that events are about to be inserted.
func (ix *indexer) mark(c *sqlite3.SQLiteConn) error {
	if ix.from != 0 {
		return nil
	}
	rows, err := c.Query(`SELECT coalesce(max(id), 0) + 1 FROM events`, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err != nil {
		return err
	}
	from, ok := dest[0].(int64)
	if !ok {
		return fmt.Errorf("next event id is %T", dest[0])
	}
	ix.from = from
	if ix.first == 0 {
		ix.first = from
	}
	return nil
}

// flush indexes the pending events.
func (ix *indexer) flush(c *sqlite3.SQLiteConn) error {
	if ix.from == 0 {
		return nil
	}
	_, err := c.ExecContext(context.Background(), `INSERT INTO events_fts (rowid, body)
		SELECT id, body FROM event_fts_source WHERE id >= ?`,
		[]driver.NamedValue{{Ordinal: 1, Value: ix.from}})
	if err != nil {
		return fmt.Errorf("index events: %w", err)
	}
	ix.from = 0
	return nil
}

// readRemoved reads the events of session sk from seq from on, which are
// about to be unindexed, unless this transaction inserted them.
func (ix *indexer) readRemoved(c *sqlite3.SQLiteConn, sk, from int64) error {
	first := ix.first
	if first == 0 {
		first = math.MaxInt64
	}
	return (&sqlite3Conn{c: c}).query(`SELECT s.id, s.body FROM event_fts_source s
		WHERE s.session_sk = ? AND s.seq >= ? AND s.id < ?`, []any{sk, from, first}, func(v []driver.Value) {
		ev := bandText{id: v[0].(int64)}
		switch b := v[1].(type) {
		case string:
			ev.body = []byte(b)
		case []byte:
			ev.body = slices.Clone(b)
		}
		ix.removed = append(ix.removed, ev)
	}, 2)
}

// applyBatch writes one batch inside the open transaction, leaving the
// full-text indexing of its events to ix. Statements run without ctx,
// because the driver starts a goroutine per statement to watch a
// cancellable context; ctx is checked between steps instead.
func applyBatch(ctx context.Context, c *sqlite3.SQLiteConn, b *reel.Batch, ix *indexer) error {
	bg := context.Background()
	exec := func(what, query string, args ...any) error {
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		if _, err := c.ExecContext(bg, query, nv); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}

	sk, err := upsertSession(c, &b.Session)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	// A batch that starts at or after the session's last event (a new
	// session, or a file that grew) replaces no event.
	replaces, err := hasEventsFrom(c, sk, b.FromSeq)
	if err != nil {
		return fmt.Errorf("find events: %w", err)
	}
	if replaces {
		// Deleting events would break the pending range, and an
		// external-content index must be told what to forget by feeding
		// it the indexed text, which must still exist: index the pending
		// events, unindex the replaced ones, then delete them.
		if err := ix.flush(c); err != nil {
			return err
		}
		if err := ix.readRemoved(c, sk, b.FromSeq); err != nil {
			return fmt.Errorf("read replaced events: %w", err)
		}
		if err := exec("unindex events", `INSERT INTO events_fts (events_fts, rowid, body)
			SELECT 'delete', id, body FROM event_fts_source WHERE session_sk = ? AND seq >= ?`, sk, b.FromSeq); err != nil {
			return err
		}
		if err := exec("delete events", `DELETE FROM events WHERE session_sk = ? AND seq >= ?`, sk, b.FromSeq); err != nil {
			return err
		}
	}
	if err := exec("delete raw records", `DELETE FROM raw_records WHERE session_sk = ? AND idx >= ?`, sk, b.FromRaw); err != nil {
		return err
	}
	if err := insertRaw(ctx, c, sk, b.Raw); err != nil {
		return fmt.Errorf("insert raw records: %w", err)
	}
	if len(b.Events) > 0 {
		if err := ix.mark(c); err != nil {
			return fmt.Errorf("index events: %w", err)
		}
		if err := insertEvents(ctx, c, sk, b.Events); err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
	}
	for i := range b.Checkpoints {
		if err := upsertCheckpoint(c, sk, &b.Checkpoints[i]); err != nil {
			return err
		}
	}
	if c := &b.Cursor; c.Path != "" {
		var state any
		if c.State != nil {
			state = c.State
		}
		if err := exec("cursor", `INSERT OR REPLACE INTO cursors (path, source, session_id, size,
			mod_time, head_hash, byte_offset, next_raw, next_seq, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Path, c.Source, c.SessionID, c.Size, encTime(c.ModTime), c.HeadHash, c.Offset,
			c.NextRaw, c.NextSeq, state); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// hasEventsFrom reports whether session sk has an event with seq >= from.
func hasEventsFrom(c *sqlite3.SQLiteConn, sk, from int64) (bool, error) {
	rows, err := c.QueryContext(context.Background(),
		`SELECT 1 FROM events WHERE session_sk = ? AND seq >= ? LIMIT 1`,
		[]driver.NamedValue{{Ordinal: 1, Value: sk}, {Ordinal: 2, Value: from}})
	if err != nil {
		return false, err
	}
	defer rows.Close()
	err = rows.Next(make([]driver.Value, 1))
	switch {
	case err == nil:
		return true, nil
	case err == io.EOF:
		return false, nil
	}
	return false, err
}

// rowStmt is a prepared insert whose argument slice is reused row after
// row.
type rowStmt struct {
	st   driver.Stmt
	args []driver.NamedValue
}

func prepareRow(c *sqlite3.SQLiteConn, query string, n int) (*rowStmt, error) {
	st, err := c.Prepare(query)
	if err != nil {
		return nil, err
	}
	r := &rowStmt{st: st, args: make([]driver.NamedValue, n)}
	for i := range r.args {
		r.args[i].Ordinal = i + 1
	}
	return r, nil
}

func (r *rowStmt) exec() error {
	_, err := r.st.(driver.StmtExecContext).ExecContext(context.Background(), r.args)
	return err
}

// checkEvery is how many rows are written between checks of ctx.
const checkEvery = 256

func insertRaw(ctx context.Context, c *sqlite3.SQLiteConn, sk int64, recs []reel.RawRecord) error {
	if len(recs) == 0 {
		return nil
	}
	st, err := prepareRow(c, `INSERT INTO raw_records
		(session_sk, idx, byte_offset, type, status, reason, data, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, 8)
	if err != nil {
		return err
	}
	defer st.st.Close()
	a := st.args
	a[0].Value = sk
	for i := range recs {
		if i%checkEvery == checkEvery-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r := &recs[i]
		data := r.Data
		if data == nil {
			data = []byte{} // the column is NOT NULL; nil binds as NULL
		}
		a[1].Value, a[2].Value, a[3].Value, a[4].Value, a[5].Value, a[6].Value, a[7].Value =
			r.Index, r.Offset, r.Type, r.Status, r.Reason, data, r.Name
		if err := st.exec(); err != nil {
			return fmt.Errorf("record %d: %w", r.Index, err)
		}
	}
	return nil
}

func insertEvents(ctx context.Context, c *sqlite3.SQLiteConn, sk int64, evs []reel.Event) error {
	if len(evs) == 0 {
		return nil
	}
	st, err := prepareRow(c, `INSERT INTO events
		(session_sk, seq, time, kind, role, tool, call_id, message_id, native_id, model,
		 exit_code, is_error, duration,
		 tok_input, tok_output, tok_cache_read, tok_cache_creation, tok_reasoning,
		 input, raw_index, text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, 21)
	if err != nil {
		return err
	}
	defer st.st.Close()
	a := st.args
	a[0].Value = sk
	for i := range evs {
		if i%checkEvery == checkEvery-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		e := &evs[i]
		var exit, input driver.Value
		if e.ExitCode != nil {
			exit = int64(*e.ExitCode)
		}
		if e.Input != nil {
			input = []byte(e.Input)
		}
		a[1].Value, a[2].Value, a[3].Value, a[4].Value, a[5].Value = e.Seq, encTime(e.Time), e.Kind, e.Role, e.Tool
		a[6].Value, a[7].Value, a[8].Value, a[9].Value = e.CallID, e.MessageID, e.NativeID, e.Model
		a[10].Value, a[11].Value, a[12].Value = exit, e.IsError, int64(e.Duration)
		a[13].Value, a[14].Value, a[15].Value = e.Tokens.Input, e.Tokens.Output, e.Tokens.CacheRead
		a[16].Value, a[17].Value = e.Tokens.CacheCreation, e.Tokens.Reasoning
		a[18].Value, a[19].Value, a[20].Value = input, e.RawIndex, e.Text
		if err := st.exec(); err != nil {
			return fmt.Errorf("event %d: %w", e.Seq, err)
		}
	}
	return nil
}

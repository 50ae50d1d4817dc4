package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func testApply(t *testing.T, open func(*testing.T) reel.Store) {
	ctx := context.Background()
	ss := newSession(reel.SourceClaudeCode, "apply")

	t.Run("OK", func(t *testing.T) {
		st := open(t)
		b := batch(ss, 0, texts("alpha", "bravo", "charlie")...)
		apply(t, st, b)
		equal(t, "texts", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"alpha", "bravo", "charlie"})
		equal(t, "raw", len(rawData(t, st, ss.ID)), 3)
		got, err := st.Session(ctx, ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "event count", got.EventCount, int64(3))
		c, err := st.Cursor(ctx, ss.Path)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "cursor next seq", c.NextSeq, int64(3))
	})

	t.Run("Append", func(t *testing.T) {
		st := open(t)
		apply(t, st, batch(ss, 0, texts("alpha", "bravo")...))
		apply(t, st, batch(ss, 2, texts("charlie", "delta")...))
		equal(t, "texts", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"alpha", "bravo", "charlie", "delta"})
		equal(t, "raw", len(rawData(t, st, ss.ID)), 4)
	})

	t.Run("Idempotent", func(t *testing.T) {
		st := open(t)
		b1 := batch(ss, 0, texts("alpha idempotent", "bravo")...)
		b2 := batch(ss, 2, texts("charlie idempotent")...)
		apply(t, st, b1)
		apply(t, st, b2)
		want := snapshot(t, st, ss.ID, "idempotent")
		apply(t, st, b2)
		apply(t, st, b2)
		equal(t, "after re-applying the last batch", snapshot(t, st, ss.ID, "idempotent"), want)
		// Re-applying an earlier batch rewinds to it: the same as
		// writing it once, and the later batch is gone.
		apply(t, st, b1)
		apply(t, st, b2)
		equal(t, "after re-applying both", snapshot(t, st, ss.ID, "idempotent"), want)
		if n := len(search(t, st, "idempotent", reel.Filter{})); n != 2 {
			t.Errorf("search after re-applying: %d hits, want 2 (no duplicate index entries)", n)
		}
	})

	t.Run("DiscardTail", func(t *testing.T) {
		// The sync engine re-reads a torn last line: the raw record and the
		// events from it are replaced, not appended to.
		st := open(t)
		b := batch(ss, 0, texts("alpha", "bravo", "torn tailword")...)
		b.Raw[2].Data = []byte(`{"seq":2,"text":"torn`) // no newline yet
		b.Raw[2].Status = reel.RecordInvalid
		apply(t, st, b)
		apply(t, st, batch(ss, 2, texts("complete", "echo")...))
		equal(t, "texts", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"alpha", "bravo", "complete", "echo"})
		raw := rawData(t, st, ss.ID)
		equal(t, "raw count", len(raw), 4)
		equal(t, "raw 2", raw[2], "{\"seq\":2,\"text\":\"complete\"}\n")
		if hits := search(t, st, "tailword", reel.Filter{}); len(hits) != 0 {
			t.Errorf("discarded text still found: %+v", hits)
		}
		if hits := search(t, st, "complete", reel.Filter{}); len(hits) != 1 {
			t.Errorf("new text: %d hits, want 1", len(hits))
		}
	})

	t.Run("DiscardRawOnly", func(t *testing.T) {
		// A torn line yields no events: FromRaw and FromSeq differ.
		st := open(t)
		b := batch(ss, 0, texts("alpha", "bravo")...)
		b.Raw = append(b.Raw, reel.RawRecord{Index: 2, Offset: 90, Data: []byte(`{"torn`), Status: reel.RecordInvalid})
		apply(t, st, b)
		b2 := batch(ss, 2, texts("charlie")...)
		b2.FromRaw = 2
		apply(t, st, b2)
		equal(t, "raw", rawData(t, st, ss.ID)[2], "{\"seq\":2,\"text\":\"charlie\"}\n")
		equal(t, "texts", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"alpha", "bravo", "charlie"})
	})

	t.Run("Rewrite", func(t *testing.T) {
		// A rewritten file is re-read from 0, 0.
		st := open(t)
		apply(t, st, batch(ss, 0, texts("oldword one", "oldword two", "oldword three")...))
		apply(t, st, batch(ss, 0, texts("newword")...))
		equal(t, "texts", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"newword"})
		equal(t, "raw", len(rawData(t, st, ss.ID)), 1)
		if hits := search(t, st, "oldword", reel.Filter{}); len(hits) != 0 {
			t.Errorf("old text still found: %d hits", len(hits))
		}
	})

	t.Run("UpdatesSession", func(t *testing.T) {
		st := open(t)
		apply(t, st, batch(ss, 0, texts("alpha")...))
		up := ss
		up.Title, up.Status, up.EndedAt = "renamed", reel.StatusCompleted, at(2*time.Hour)
		up.Tokens = reel.Tokens{Input: 10, Output: 20}
		apply(t, st, batch(up, 1, texts("bravo")...))
		got, err := st.Session(ctx, ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "title", got.Title, "renamed")
		equal(t, "status", got.Status, reel.StatusCompleted)
		equal(t, "tokens", got.Tokens, up.Tokens)
		equal(t, "texts", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"alpha", "bravo"})
	})

	t.Run("NoEvents", func(t *testing.T) {
		// A file that so far holds only records without events.
		st := open(t)
		b := batch(ss, 0)
		b.Raw = []reel.RawRecord{{Index: 0, Data: []byte("{\"type\":\"x\"}\n"), Status: reel.RecordUnknown}}
		apply(t, st, b)
		equal(t, "events", len(events(t, st, ss.ID, reel.Filter{})), 0)
		equal(t, "raw", len(rawData(t, st, ss.ID)), 1)
	})

	invalid := []struct {
		name   string
		mutate func(b *reel.Batch)
	}{
		{"ErrNoSessionID", func(b *reel.Batch) { b.Session.ID = "" }},
		{"ErrEventOfOtherSession", func(b *reel.Batch) { b.Events[1].SessionID = reel.SessionID("codex", "other") }},
		{"ErrSeqBelowFromSeq", func(b *reel.Batch) { b.FromSeq = 1 }},
		{"ErrDuplicateSeq", func(b *reel.Batch) { b.Events[2].Seq = 1 }},
		{"ErrRawBelowFromRaw", func(b *reel.Batch) { b.FromRaw = 2 }},
		{"ErrDuplicateRaw", func(b *reel.Batch) { b.Raw[1].Index = 0 }},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			// Nothing of a rejected batch is written: not its session, not
			// its cursor, not the events before the bad one.
			st := open(t)
			b := batch(ss, 0, texts("alpha", "bravo", "charlie")...)
			tt.mutate(b)
			wantCode(t, st.Apply(ctx, b), reel.EINVALID)
			if b.Session.ID != "" {
				_, err := st.Session(ctx, b.Session.ID)
				wantCode(t, err, reel.ENOTFOUND)
			}
			_, err := st.Cursor(ctx, ss.Path)
			wantCode(t, err, reel.ENOTFOUND)
			if hits := search(t, st, "alpha", reel.Filter{}); len(hits) != 0 {
				t.Errorf("rejected batch is searchable: %+v", hits)
			}
		})
	}

	t.Run("ErrInvalidKeepsPrevious", func(t *testing.T) {
		st := open(t)
		apply(t, st, batch(ss, 0, texts("alpha", "bravo")...))
		b := batch(ss, 0, texts("xray", "yankee")...)
		b.Events[1].SessionID = "elsewhere"
		wantCode(t, st.Apply(ctx, b), reel.EINVALID)
		equal(t, "texts", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"alpha", "bravo"})
	})

	t.Run("ManyBatches", func(t *testing.T) {
		st := open(t)
		other := newSession(reel.SourceCodex, "apply-many")
		if err := st.Apply(ctx, batch(ss, 0, texts("alpha", "bravo")...), batch(other, 0, texts("zulu")...),
			batch(ss, 2, texts("charlie")...)); err != nil {
			t.Fatal(err)
		}
		equal(t, "first", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"alpha", "bravo", "charlie"})
		equal(t, "second", eventTexts(t, st, other.ID, reel.Filter{}), []string{"zulu"})
		equal(t, "hits", len(search(t, st, "zulu OR charlie", reel.Filter{})), 2)
		wantCode(t, st.Apply(ctx), "")
	})

	t.Run("ErrInvalidManyWritesNothing", func(t *testing.T) {
		st := open(t)
		other := newSession(reel.SourceCodex, "apply-many")
		bad := batch(ss, 0, texts("xray")...)
		bad.Events[0].SessionID = "elsewhere"
		wantCode(t, st.Apply(ctx, batch(other, 0, texts("zulu")...), bad), reel.EINVALID)
		_, err := st.Session(ctx, other.ID)
		wantCode(t, err, reel.ENOTFOUND)
	})
}

// state is what a session looks like through the read methods.
type state struct {
	Session reel.Session
	Events  []reel.Event
	Raw     []string
	Cursor  reel.Cursor
	Hits    []hitKey
}

func snapshot(t *testing.T, st reel.Store, id, word string) state {
	t.Helper()
	ctx := context.Background()
	ss, err := st.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Cursor(ctx, ss.Path)
	if err != nil {
		t.Fatal(err)
	}
	return state{
		Session: ss,
		Events:  events(t, st, id, reel.Filter{}),
		Raw:     rawData(t, st, id),
		Cursor:  c,
		Hits:    hitSet(search(t, st, word, reel.Filter{})),
	}
}

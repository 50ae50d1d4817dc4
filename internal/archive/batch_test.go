package archive_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
)

// TestBatches cuts a document into batches of every size: each batch is
// valid, the first starts from 0, each event follows its raw record, each
// session counts the events so far, and together they hold the document.
func TestBatches(t *testing.T) {
	doc := oddDocument()
	for _, max := range []int{-1, 0, 1, 2, 3, 5, 11, 12, 100} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			bs := archive.Batches(doc, max)
			var raw []reel.RawRecord
			var evs []reel.Event
			for i, b := range bs {
				if err := b.Validate(); err != nil {
					t.Fatalf("batch %d: %v", i, err)
				}
				if n := len(b.Raw) + len(b.Events); max > 0 && n > max {
					t.Errorf("batch %d: %d records and events, want at most %d", i, n, max)
				}
				if b.FromRaw != int64(len(raw)) || b.FromSeq != int64(len(evs)) {
					t.Errorf("batch %d: from raw %d seq %d, want %d %d", i, b.FromRaw, b.FromSeq, len(raw), len(evs))
				}
				raw, evs = append(raw, b.Raw...), append(evs, b.Events...)
				for _, e := range b.Events {
					if e.RawIndex >= int64(len(raw)) {
						t.Errorf("batch %d: event %d before its raw record %d", i, e.Seq, e.RawIndex)
					}
				}
				if want := int64(len(evs)); b.Session.EventCount != want {
					t.Errorf("batch %d: event count %d, want %d", i, b.Session.EventCount, want)
				}
				c := b.Cursor
				if c.Path != archive.CursorPrefix+doc.Session.ID || c.SessionID != doc.Session.ID ||
					c.NextRaw != int64(len(raw)) || c.NextSeq != int64(len(evs)) {
					t.Errorf("batch %d: cursor %+v", i, c)
				}
			}
			if !reflect.DeepEqual(raw, doc.Raw) || !reflect.DeepEqual(evs, doc.Events) {
				t.Errorf("the batches do not hold the document")
			}
			if max > 0 && max < 12 && len(bs) < 2 {
				t.Errorf("%d batches of at most %d for 12 records and events", len(bs), max)
			}
		})
	}
	t.Run("Empty", func(t *testing.T) {
		empty := &archive.Document{Session: doc.Session}
		empty.Session.EventCount = 0
		bs := archive.Batches(empty, 10)
		if len(bs) != 1 || bs[0].FromRaw != 0 || bs[0].FromSeq != 0 || len(bs[0].Raw)+len(bs[0].Events) != 0 {
			t.Errorf("got %d batches (%+v), want one empty one from 0", len(bs), bs)
		}
	})
}

// TestBatches_Replace imports a session, then a shorter version of it:
// nothing of the longer one is left.
func TestBatches_Replace(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	long := oddDocument()
	short := oddDocument()
	short.Raw, short.Events, short.Checkpoints = short.Raw[:2], short.Events[:1], nil
	short.Session.EventCount = 1
	short.Session.Title = "shorter"
	for _, doc := range []*archive.Document{long, short} {
		var buf bytes.Buffer
		if err := archive.Write(&buf, doc); err != nil {
			t.Fatal(err)
		}
		importDoc(t, st, buf.Bytes(), 2, true)
	}
	got, err := archive.FromStore(ctx, st, short.Session.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Session.Title != "shorter" || len(got.Raw) != 2 || len(got.Events) != 1 {
		t.Errorf("after the shorter import: title %q, %d raw records, %d events; want shorter, 2, 1",
			got.Session.Title, len(got.Raw), len(got.Events))
	}
	// The store keeps the longer one's checkpoints; the export leaves out
	// those past the shorter session's end.
	kept, err := st.Checkpoints(ctx, short.Session.ID)
	if err != nil || len(kept) != len(long.Checkpoints) {
		t.Errorf("store holds %d checkpoints, %v; want %d", len(kept), err, len(long.Checkpoints))
	}
	for _, c := range got.Checkpoints {
		if c.Seq > 1 {
			t.Errorf("exported checkpoint %q at seq %d, past the session's end", c.Label, c.Seq)
		}
	}
	if len(got.Checkpoints) == 0 || len(got.Checkpoints) == len(kept) {
		t.Errorf("exported %d of %d checkpoints, want those within the events only", len(got.Checkpoints), len(kept))
	}
	all, err := st.Sessions(ctx, reel.Filter{})
	if err != nil || len(all) != 1 {
		t.Errorf("%d sessions, %v; want 1", len(all), err)
	}
}

// TestWrite_Invalid writes inconsistent documents: EINVALID, and nothing
// written.
func TestWrite_Invalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(d *archive.Document)
		msg    string
	}{
		{"ErrSessionID", func(d *archive.Document) { d.Session.ID = "x" }, "session.id"},
		{"ErrEventCount", func(d *archive.Document) { d.Session.EventCount++ }, "event_count is 6"},
		{"ErrEventSession", func(d *archive.Document) { d.Events[2].SessionID = "other" }, `events[2]: of session "other"`},
		{"ErrSeqGap", func(d *archive.Document) { d.Events[3].Seq = 4 }, "events[3].seq: 4, want 3"},
		{"ErrRawIndex", func(d *archive.Document) { d.Raw[1].Index = 0 }, "raw[1].index"},
		{"ErrCheckpointSession", func(d *archive.Document) { d.Checkpoints[0].SessionID = "" }, "checkpoints[0]: of session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := oddDocument()
			tc.mutate(doc)
			var buf bytes.Buffer
			err := archive.Write(&buf, doc)
			if reel.ErrorCode(err) != reel.EINVALID || !bytes.Contains([]byte(err.Error()), []byte(tc.msg)) {
				t.Errorf("got %v, want EINVALID containing %q", err, tc.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written", buf.Len())
			}
		})
	}
}

// changingStore is a store whose session changes every time it is read,
// as when a sync writes it during an export.
type changingStore struct {
	reel.Store
	n int
}

func (s *changingStore) Session(ctx context.Context, ref string) (reel.Session, error) {
	sess, err := s.Store.Session(ctx, ref)
	s.n++
	sess.Title = fmt.Sprint(s.n)
	return sess, err
}

func TestFromStore(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	odd := oddSession()
	if err := st.Apply(ctx, odd); err != nil {
		t.Fatal(err)
	}
	id := odd.Session.ID

	t.Run("OKPrefixAndCheckpoints", func(t *testing.T) {
		cps := oddDocument().Checkpoints
		var asked string
		doc, err := archive.FromStore(ctx, st, id[:8], func(_ context.Context, sid string) ([]reel.Checkpoint, error) {
			asked = sid
			return cps, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if asked != id || doc.Session.ID != id || !reflect.DeepEqual(doc.Checkpoints, cps) || len(doc.Events) != 5 || len(doc.Raw) != 7 {
			t.Errorf("asked checkpoints of %q; got session %s with %d events, %d raw, checkpoints %v",
				asked, doc.Session.ID, len(doc.Events), len(doc.Raw), doc.Checkpoints)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := archive.FromStore(ctx, st, "ffffffff", nil); reel.ErrorCode(err) != reel.ENOTFOUND {
			t.Errorf("got %v, want ENOTFOUND", err)
		}
	})
	t.Run("ErrCheckpoints", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := archive.FromStore(ctx, st, id, func(context.Context, string) ([]reel.Checkpoint, error) { return nil, boom })
		if !errors.Is(err, boom) {
			t.Errorf("got %v, want %v", err, boom)
		}
	})
	t.Run("ErrBusy", func(t *testing.T) {
		_, err := archive.FromStore(ctx, &changingStore{Store: st}, id, nil)
		if reel.ErrorCode(err) != reel.EBUSY || reel.ErrorHint(err) == "" {
			t.Errorf("got %v, want EBUSY with a hint", err)
		}
	})
	t.Run("ErrCorrupt", func(t *testing.T) {
		// A store takes events with a gap in their seqs; a document
		// cannot carry them.
		gap := oddSession()
		gap.Session.NativeID = "gap"
		gap.Session.ID = reel.SessionID(gap.Session.Source, "gap")
		gap.Cursor.SessionID = gap.Session.ID
		gap.Events = gap.Events[:2]
		gap.Session.EventCount = 2
		for i := range gap.Events {
			gap.Events[i].SessionID = gap.Session.ID
			gap.Events[i].Seq = int64(2 * i)
		}
		if err := st.Apply(ctx, gap); err != nil {
			t.Fatal(err)
		}
		_, err := archive.FromStore(ctx, st, gap.Session.ID, nil)
		if reel.ErrorCode(err) != reel.ECORRUPT {
			t.Errorf("got %v, want ECORRUPT", err)
		}
	})
}

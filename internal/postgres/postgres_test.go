package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/postgres/pgtest"
	"github.com/reel-sh/reel/internal/storetest"
)

// openTest opens a store in a fresh schema of the test server.
func openTest(t testing.TB) *Store {
	t.Helper()
	return openURL(t, pgtest.Schema(t, pgtest.URL(t)))
}

// openURL opens the store at u and closes it when the test ends.
func openURL(t testing.TB, u string) *Store {
	t.Helper()
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) reel.Store { return openTest(t) })
}

// message returns a batch of one session whose events hold texts, from
// seq from on.
func message(source, native string, from int64, texts ...string) *reel.Batch {
	ss := reel.Session{ID: reel.SessionID(source, native), Source: source, NativeID: native,
		StartedAt: time.Unix(1700000000, 0)}
	b := &reel.Batch{Session: ss, FromRaw: from, FromSeq: from}
	for i, text := range texts {
		seq := from + int64(i)
		b.Raw = append(b.Raw, reel.RawRecord{Index: seq, Data: []byte(text + "\n"), Status: reel.RecordOK})
		b.Events = append(b.Events, reel.Event{SessionID: ss.ID, Seq: seq, Kind: reel.KindMessage,
			Text: text, RawIndex: seq, Time: ss.StartedAt.Add(time.Duration(seq) * time.Second)})
	}
	b.Session.EventCount = from + int64(len(texts))
	return b
}

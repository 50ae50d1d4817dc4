package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call and close it when the test that asked for it ends (with
// t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) reel.Store) {
	t.Run("Apply", func(t *testing.T) { testApply(t, open) })
	t.Run("Session", func(t *testing.T) { testSession(t, open) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open) })
	t.Run("RawRecords", func(t *testing.T) { testRawRecords(t, open) })
	t.Run("Cursor", func(t *testing.T) { testCursor(t, open) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open) })
	t.Run("Checkpoints", func(t *testing.T) { testCheckpoints(t, open) })
	t.Run("Stats", func(t *testing.T) { testStats(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
}

// base is the suite's clock: nanoseconds set, so that any store that
// rounds times fails.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// newSession returns a session of source with the derived id.
func newSession(source, native string) reel.Session {
	return reel.Session{
		ID:        reel.SessionID(source, native),
		Source:    source,
		NativeID:  native,
		Title:     "session " + native,
		Project:   "/home/dev/src/" + native,
		StartedAt: base,
		EndedAt:   at(time.Hour),
		Status:    reel.StatusActive,
		Path:      "/logs/" + source + "/" + native + ".jsonl",
	}
}

// ev describes one event of a test batch; the zero values of Kind and
// Role become message and user.
type ev struct {
	text string
	kind string
	role string
	tool string
	at   time.Duration // after base; seq seconds when 0
}

// batch returns a batch that discards the session's events and raw
// records from seq 'from' on and writes one event and one raw record per
// ev, with seq and raw index from, from+1, ...
func batch(ss reel.Session, from int64, evs ...ev) *reel.Batch {
	b := &reel.Batch{Session: ss, FromRaw: from, FromSeq: from}
	offset := from * 1000
	for i, e := range evs {
		seq := from + int64(i)
		if e.kind == "" {
			e.kind = reel.KindMessage
		}
		if e.role == "" {
			e.role = reel.RoleUser
		}
		if e.at == 0 {
			e.at = time.Duration(seq) * time.Second
		}
		line := []byte(fmt.Sprintf("{\"seq\":%d,\"text\":%q}\n", seq, e.text))
		b.Raw = append(b.Raw, reel.RawRecord{
			Index: seq, Offset: offset, Data: line, Type: e.kind, Status: reel.RecordOK,
		})
		offset += int64(len(line))
		b.Events = append(b.Events, reel.Event{
			SessionID: ss.ID, Seq: seq, Time: at(e.at), Kind: e.kind, Role: e.role,
			Tool: e.tool, Text: e.text, RawIndex: seq,
		})
	}
	next := from + int64(len(evs))
	b.Session.EventCount = next
	b.Cursor = reel.Cursor{
		Path: ss.Path, Source: ss.Source, SessionID: ss.ID, Size: offset, ModTime: at(time.Minute),
		HeadHash: "head-" + ss.NativeID, Offset: offset, NextRaw: next, NextSeq: next,
		State: []byte(fmt.Sprintf(`{"next":%d}`, next)),
	}
	return b
}

// texts returns one message event per text.
func texts(ts ...string) []ev {
	out := make([]ev, len(ts))
	for i, s := range ts {
		out[i] = ev{text: s}
	}
	return out
}

func apply(t *testing.T, st reel.Store, b *reel.Batch) {
	t.Helper()
	if err := st.Apply(context.Background(), b); err != nil {
		t.Fatalf("Apply(session %s, from %d/%d, %d events) = %v", reel.ShortID(b.Session.ID),
			b.FromRaw, b.FromSeq, len(b.Events), err)
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := reel.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func events(t *testing.T, st reel.Store, id string, f reel.Filter) []reel.Event {
	t.Helper()
	evs, err := st.Events(context.Background(), id, f)
	if err != nil {
		t.Fatalf("Events(%s, %+v) = %v", reel.ShortID(id), f, err)
	}
	return evs
}

// eventTexts returns the texts of a session's events in seq order.
func eventTexts(t *testing.T, st reel.Store, id string, f reel.Filter) []string {
	t.Helper()
	out := []string{}
	for _, e := range events(t, st, id, f) {
		out = append(out, e.Text)
	}
	return out
}

func rawData(t *testing.T, st reel.Store, id string) []string {
	t.Helper()
	out := []string{}
	err := st.RawRecords(context.Background(), id, func(r reel.RawRecord) error {
		out = append(out, string(r.Data))
		return nil
	})
	if err != nil {
		t.Fatalf("RawRecords(%s) = %v", reel.ShortID(id), err)
	}
	return out
}

func search(t *testing.T, st reel.Store, query string, f reel.Filter) []reel.Hit {
	t.Helper()
	hits, err := st.Search(context.Background(), reel.SearchQuery{Query: reel.ParseQuery(query), Filter: f})
	if err != nil {
		t.Fatalf("Search(%q, %+v) = %v", query, f, err)
	}
	return hits
}

// hitKey names a hit by session and seq.
type hitKey struct {
	session string
	seq     int64
}

// hitSet returns the hits' keys, sorted.
func hitSet(hits []reel.Hit) []hitKey {
	out := []hitKey{}
	for _, h := range hits {
		out = append(out, hitKey{h.SessionID, h.Seq})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].session != out[j].session {
			return out[i].session < out[j].session
		}
		return out[i].seq < out[j].seq
	})
	return out
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// utc checks that a time read back from a store is in UTC (or zero) and
// returns it in a form that reflect.DeepEqual compares by instant.
func utc(t *testing.T, what string, tm time.Time) time.Time {
	t.Helper()
	if !tm.IsZero() && tm.Location() != time.UTC {
		t.Errorf("%s location = %v, want UTC", what, tm.Location())
	}
	if tm.IsZero() {
		return time.Time{}
	}
	return tm.UTC()
}

package archive_test

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
	"github.com/reel-sh/reel/internal/sqlite"
)

// openStore opens a fresh SQLite store in a temporary folder.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "reel.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// export writes the session id of st as a reel document.
func export(t testing.TB, st reel.Store, id string) []byte {
	t.Helper()
	doc, err := archive.FromStore(context.Background(), st, id, nil)
	if err != nil {
		t.Fatalf("export %s: %v", id, err)
	}
	var buf bytes.Buffer
	if err := archive.Write(&buf, doc); err != nil {
		t.Fatalf("write %s: %v", id, err)
	}
	return buf.Bytes()
}

// importDoc reads data and applies it to st, maxPerBatch records and
// events per batch, one Apply per batch when split is true.
func importDoc(t testing.TB, st reel.Store, data []byte, maxPerBatch int, split bool) *archive.Document {
	t.Helper()
	ctx := context.Background()
	doc, err := archive.Read(bytes.NewReader(data), archive.DefaultLimits())
	if err != nil {
		t.Fatalf("read document: %v", err)
	}
	bs := archive.Batches(doc, maxPerBatch)
	if !split {
		if err := st.Apply(ctx, bs...); err != nil {
			t.Fatalf("apply %d batches: %v", len(bs), err)
		}
		return doc
	}
	for i, b := range bs {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatalf("apply batch %d of %d: %v", i, len(bs), err)
		}
	}
	return doc
}

// rawRecords returns every raw record of a session.
func rawRecords(t testing.TB, st reel.Store, id string) []reel.RawRecord {
	t.Helper()
	var out []reel.RawRecord
	if err := st.RawRecords(context.Background(), id, func(r reel.RawRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("raw records of %s: %v", id, err)
	}
	return out
}

// sameStored fails unless session id holds the same session, raw records
// and events in both stores.
func sameStored(t testing.TB, a, b reel.Store, id string) {
	t.Helper()
	ctx := context.Background()
	sa, err := a.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sa, sb) {
		t.Errorf("session %s:\n got %+v\nwant %+v", id, sb, sa)
	}
	ra, rb := rawRecords(t, a, id), rawRecords(t, b, id)
	if len(ra) != len(rb) {
		t.Fatalf("session %s: %d raw records, want %d", id, len(rb), len(ra))
	}
	for i := range ra {
		if !bytes.Equal(ra[i].Data, rb[i].Data) || (ra[i].Data == nil) != (rb[i].Data == nil) {
			t.Errorf("session %s raw %d: data %q, want %q", id, i, rb[i].Data, ra[i].Data)
		}
		if !reflect.DeepEqual(ra[i], rb[i]) {
			t.Errorf("session %s raw %d:\n got %+v\nwant %+v", id, i, rb[i], ra[i])
		}
	}
	ea, err := a.Events(ctx, id, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	eb, err := b.Events(ctx, id, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ea, eb) {
		t.Errorf("session %s: events differ after import", id)
		for i := range min(len(ea), len(eb)) {
			if !reflect.DeepEqual(ea[i], eb[i]) {
				t.Errorf("event %d:\n got %+v\nwant %+v", i, eb[i], ea[i])
				break
			}
		}
	}
}

// oddSession returns a session whose every string and record is one that
// a lossy format would change: bytes that are not UTF-8, binary data,
// U+FFFE, NUL, HTML characters, empty and missing data, input with
// spaces in it.
func oddSession() *reel.Batch {
	sess := reel.Session{
		Source: reel.SourceCodex, NativeID: "odd-\xffbytes", Title: "title \xc3( cut \uFFFE escape",
		Project: "/home/u/\xe9t\xe9", GitBranch: "main", Host: "h\x00st", Model: "gpt-5",
		Version: "0.99", StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC),
		EndedAt: time.Date(2026, 1, 2, 4, 0, 0, 1, time.UTC), Status: reel.StatusCompleted,
		Tokens: reel.Tokens{Input: 1 << 40, Output: 7, CacheRead: -1, Reasoning: 3},
		Path:   "/tmp/odd\xfe.jsonl",
	}
	sess.ID = reel.SessionID(sess.Source, sess.NativeID)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	raw := []reel.RawRecord{
		{Data: []byte(`{"type":"user","text":"héllo <b>&amp;</b> \u2028"}` + "\n"), Type: "user", Status: reel.RecordOK},
		{Data: []byte("\xff\xfe not \xc3( utf-8\n"), Status: reel.RecordInvalid, Reason: "invalid \xff json"},
		{Data: all, Status: reel.RecordUnknown, Type: "bin\x80ary", Name: "part/\xffodd.json"},
		{Data: []byte{}, Type: "blank", Status: reel.RecordOK},
		{Data: nil, Status: reel.RecordInvalid, Reason: "line of 99999999 bytes exceeds the limit; kept raw"},
		{Data: []byte("nul \x00 and \uFFFE and \uFFFE\uFFFE and \\u0000\r\n"), Status: reel.RecordOK},
		{Data: []byte("last line without newline \xe2\x82"), Status: reel.RecordInvalid, Reason: "torn"},
	}
	var off int64 = 1 << 40
	for i := range raw {
		raw[i].Index, raw[i].Offset = int64(i), off
		off += int64(len(raw[i].Data))
	}
	exit, neg := 2, -1
	evs := []reel.Event{
		{Kind: reel.KindMessage, Role: reel.RoleUser, Text: "héllo <b>&amp;</b> \u2028", RawIndex: 0,
			Time: sess.StartedAt, NativeID: "u1"},
		{Kind: reel.KindToolCall, Role: reel.RoleAssistant, Tool: "shell", CallID: "c\xff1",
			Text: "ls \xff\xfe", Input: []byte("{ \"cmd\" :  [\"ls\", \"-la\"] }\n"), RawIndex: 0,
			Tokens: reel.Tokens{Input: 10, Output: 20}, Model: "gpt-5", MessageID: "m1"},
		{Kind: reel.KindToolResult, Role: reel.RoleTool, CallID: "c\xff1", Text: "\x00\x01\x02 \uFFFE",
			ExitCode: &exit, IsError: true, Duration: 1500 * time.Millisecond, RawIndex: 2,
			Input: []byte{}},
		{Kind: reel.KindOther, Text: "", RawIndex: 5, ExitCode: &neg, Duration: -5,
			Time: time.Date(1700, 1, 1, 0, 0, 0, 1, time.UTC), Input: []byte("not json at all \xff")},
		{Kind: "kind-from-the-future", Text: "x", RawIndex: 6, Time: time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC)},
	}
	for i := range evs {
		evs[i].SessionID, evs[i].Seq = sess.ID, int64(i)
	}
	sess.EventCount = int64(len(evs))
	return &reel.Batch{Session: sess, Raw: raw, Events: evs,
		Cursor: reel.Cursor{Path: sess.Path, Source: sess.Source, SessionID: sess.ID, NextRaw: int64(len(raw)), NextSeq: int64(len(evs))}}
}

// oddDocument returns oddSession as a document with checkpoints.
func oddDocument() *archive.Document {
	b := oddSession()
	return &archive.Document{
		Session: b.Session, Raw: b.Raw, Events: b.Events,
		Checkpoints: []reel.Checkpoint{
			{ID: "cp1", SessionID: b.Session.ID, Label: "start", Seq: 0, Time: b.Session.StartedAt},
			{ID: "cp\xff2", SessionID: b.Session.ID, Label: "l\xfeabel", Seq: 3,
				State: []byte(`{"files": [ "a" ]}`)},
			{ID: "cp3", SessionID: b.Session.ID, Seq: int64(len(b.Events)), State: []byte{}},
			{ID: "cp4", SessionID: b.Session.ID, Seq: 2},
		},
	}
}

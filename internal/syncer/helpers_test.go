package syncer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
)

// testHost is recorded on every session, so that stores filled on
// different runs compare equal.
const testHost = "testhost"

// openStore opens a fresh SQLite store in a temporary folder.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	return openStoreAt(t, filepath.Join(t.TempDir(), "reel.db"))
}

// openStoreAt opens the SQLite store at path and closes it when the test
// ends.
func openStoreAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// claudeRoot and codexRoot are where the clients keep their sessions
// under a home folder.
func claudeRoot(home string) string { return filepath.Join(home, ".claude", "projects") }
func codexRoot(home string) string  { return filepath.Join(home, ".codex", "sessions") }

// homeSources returns both real importers over a home folder.
func homeSources(home string) []syncer.Source {
	return []syncer.Source{
		{Importer: ingest.NewClaude(), Root: claudeRoot(home)},
		{Importer: ingest.NewCodex(), Root: codexRoot(home)},
	}
}

// options returns the options every test starts from: both importers over
// home, a fixed host and small batches, so that files span several
// transactions.
func options(store reel.Store, home string) syncer.Options {
	return syncer.Options{Store: store, Sources: homeSources(home), Host: testHost, BatchEvents: 50}
}

// runSync runs a sync and fails the test on an error.
func runSync(t testing.TB, opt syncer.Options) *syncer.Record {
	t.Helper()
	rec, err := syncer.Run(context.Background(), opt)
	if err != nil {
		t.Fatalf("sync: %v (record: %+v)", err, rec)
	}
	return rec
}

// syncHome syncs home into store with the default test options.
func syncHome(t testing.TB, store reel.Store, home string) *syncer.Record {
	t.Helper()
	return runSync(t, options(store, home))
}

// writeFile writes data at path, creating its folders.
func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// appendFile appends data to the file at path.
func appendFile(t testing.TB, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// readFile returns the bytes of the file at path.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// copyFile copies the file at src to dst, creating dst's folders.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	writeFile(t, dst, readFile(t, src))
}

// claudeFile and codexFile return where a session file of that name goes
// under home.
func claudeFile(home, project, name string) string {
	return filepath.Join(claudeRoot(home), project, name)
}

func codexFile(home, name string) string {
	return filepath.Join(codexRoot(home), "2026", "01", "02", "rollout-2026-01-02T03-04-05-"+name)
}

// sessionByPath returns the session read from the file at path.
func sessionByPath(t testing.TB, store reel.Store, path string) reel.Session {
	t.Helper()
	all, err := store.Sessions(context.Background(), reel.Filter{})
	if err != nil {
		t.Fatalf("list sessions: %v", err)
	}
	var found []reel.Session
	for _, s := range all {
		if s.Path == path {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("sessions read from %s: got %d, want 1", path, len(found))
	}
	return found[0]
}

// rawBytes concatenates a session's raw records in index order, checking
// that the indexes are dense and the offsets match the bytes before them.
func rawBytes(t testing.TB, store reel.Store, sessionID string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var next int64
	bad := false // only the first misplaced record is reported
	err := store.RawRecords(context.Background(), sessionID, func(r reel.RawRecord) error {
		if !bad && (r.Index != next || r.Offset != int64(buf.Len())) {
			t.Errorf("session %s: raw record %d at offset %d, want record %d at %d", sessionID, r.Index, r.Offset, next, buf.Len())
			bad = true
		}
		next = r.Index + 1
		buf.Write(r.Data)
		return nil
	})
	if err != nil {
		t.Fatalf("raw records of %s: %v", sessionID, err)
	}
	return buf.Bytes()
}

// events returns all of a session's events, checking that their seqs are
// dense from 0 and that there are as many as the session counts.
func events(t testing.TB, store reel.Store, s reel.Session) []reel.Event {
	t.Helper()
	evs, err := store.Events(context.Background(), s.ID, reel.Filter{})
	if err != nil {
		t.Fatalf("events of %s: %v", s.ID, err)
	}
	for i, e := range evs {
		if e.Seq != int64(i) {
			t.Fatalf("session %s: event %d has seq %d", s.ID, i, e.Seq)
		}
	}
	if int64(len(evs)) != s.EventCount {
		t.Errorf("session %s (%s): %d events stored, EventCount %d", s.ID, s.Path, len(evs), s.EventCount)
	}
	return evs
}

// checkRaw fails the test unless the session read from path holds the
// file's exact bytes as its raw records.
func checkRaw(t testing.TB, store reel.Store, path string, want []byte) reel.Session {
	t.Helper()
	s := sessionByPath(t, store, path)
	if got := rawBytes(t, store, s.ID); !bytes.Equal(got, want) {
		t.Errorf("%s: raw records give %d bytes that differ from the file's %d (first difference at %d)",
			path, len(got), len(want), firstDiff(got, want))
	}
	return s
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// snapshot is everything a store holds about its sessions, keyed by path.
type snapshot map[string]sessionSnap

type sessionSnap struct {
	Session reel.Session
	Events  []reel.Event
	Raw     []byte
}

// takeSnapshot reads every session with its events and raw bytes.
func takeSnapshot(t testing.TB, store reel.Store) snapshot {
	t.Helper()
	all, err := store.Sessions(context.Background(), reel.Filter{})
	if err != nil {
		t.Fatalf("list sessions: %v", err)
	}
	snap := snapshot{}
	for _, s := range all {
		if _, dup := snap[s.Path]; dup {
			t.Fatalf("two sessions read from %s", s.Path)
		}
		snap[s.Path] = sessionSnap{Session: s, Events: events(t, store, s), Raw: rawBytes(t, store, s.ID)}
	}
	return snap
}

// compareSnapshots fails the test unless got and want hold the same
// sessions, events and raw records.
func compareSnapshots(t testing.TB, got, want snapshot) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("sessions: got %d, want %d", len(got), len(want))
	}
	for path, w := range want {
		g, ok := got[path]
		if !ok {
			t.Errorf("%s: no session", path)
			continue
		}
		if !reflect.DeepEqual(g.Session, w.Session) {
			t.Errorf("%s: session\ngot  %+v\nwant %+v", path, g.Session, w.Session)
		}
		if !bytes.Equal(g.Raw, w.Raw) {
			t.Errorf("%s: raw records differ (%d vs %d bytes)", path, len(g.Raw), len(w.Raw))
		}
		compareEvents(t, path, g.Events, w.Events)
	}
}

// compareEvents fails the test unless got and want are equal in every
// field, reporting the first event that differs.
func compareEvents(t testing.TB, what string, got, want []reel.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d events, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: event %d\ngot  %+v\nwant %+v", what, i, got[i], want[i])
			return
		}
	}
}

// countEvents returns the number of events a store holds.
func countEvents(t testing.TB, store reel.Store) int64 {
	t.Helper()
	st, err := store.Stats(context.Background())
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	var n int64
	for _, s := range st.Sources {
		n += s.Events
	}
	return n
}

// fakeImporter is a fake reel.Importer: a real importer whose Discover a
// test may replace.
type fakeImporter struct {
	reel.Importer
	DiscoverFn func(ctx context.Context, root string, fn func(reel.SourceFile) error) error
}

var _ reel.Importer = (*fakeImporter)(nil)

func (f *fakeImporter) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	if f.DiscoverFn != nil {
		return f.DiscoverFn(ctx, root, fn)
	}
	return f.Importer.Discover(ctx, root, fn)
}

// fakeStore is a fake reel.Store: a real store whose Apply a test may
// replace.
type fakeStore struct {
	reel.Store
	ApplyFn func(ctx context.Context, bs ...*reel.Batch) error
}

var _ reel.Store = (*fakeStore)(nil)

func (f *fakeStore) Apply(ctx context.Context, bs ...*reel.Batch) error {
	if f.ApplyFn != nil {
		return f.ApplyFn(ctx, bs...)
	}
	return f.Store.Apply(ctx, bs...)
}

package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/storetest"
	"github.com/reel-sh/reel/internal/testenv"
)

func openTest(t testing.TB, path string) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "reel.db")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) reel.Store { return openTest(t, "") })
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
	return b
}

func TestOpen_MigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reel.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(ctx, message("codex", "kept", 0, "survives a reopen")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s := openTest(t, path)
		var n, max int
		if err := s.rdb.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) || max != ms[len(ms)-1].Version {
			t.Errorf("schema_migrations has %d rows up to %d, want %d up to %d", n, max, len(ms), ms[len(ms)-1].Version)
		}
		evs, err := s.Events(ctx, reel.SessionID("codex", "kept"), reel.Filter{})
		if err != nil || len(evs) != 1 {
			t.Errorf("events after reopen = %v, %v", evs, err)
		}
	}
}

func TestOpen_ConcurrentFirstOpen(t *testing.T) {
	// Two processes starting on a new database must not both migrate it.
	path := filepath.Join(t.TempDir(), "reel.db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(context.Background(), path)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_ErrCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reel.db")
	junk := []byte(strings.Repeat("this is not a database, just text\n", 200))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if reel.ErrorCode(err) != reel.ECORRUPT {
		t.Fatalf("Open(junk) = %v (code %q), want %s", err, reel.ErrorCode(err), reel.ECORRUPT)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if reel.ErrorHint(err) == "" {
		t.Error("no hint")
	}
}

func TestOpen_ErrNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reel.db")
	s := openTest(t, path)
	if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if reel.ErrorCode(err) != reel.EUNSUPPORT {
		t.Fatalf("Open = %v, want %s", err, reel.EUNSUPPORT)
	}
}

func TestStore_ApplyTwoStores(t *testing.T) {
	// Two Stores on one file behave like two processes: each has its own
	// connections and only SQLite's locks keep them apart.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reel.db")
	stores := []*Store{openTest(t, path), openTest(t, path)}
	const batches, per = 20, 10
	var wg sync.WaitGroup
	errs := make(chan error, len(stores))
	for i, s := range stores {
		wg.Go(func() {
			for n := range batches {
				texts := make([]string, per)
				for j := range texts {
					texts[j] = fmt.Sprintf("store%d batch%d line%d", i, n, j)
				}
				if err := s.Apply(ctx, message("codex", fmt.Sprintf("two-%d", i), int64(n*per), texts...)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range stores {
		for _, s := range stores { // each store sees the other's writes
			evs, err := s.Events(ctx, reel.SessionID("codex", fmt.Sprintf("two-%d", i)), reel.Filter{})
			if err != nil || len(evs) != batches*per {
				t.Errorf("store sees %d events of writer %d (%v), want %d", len(evs), i, err, batches*per)
			}
		}
	}
}

func TestStore_RawRecordsFixtures(t *testing.T) {
	// Every shared session file, stored line by line, reads back byte for
	// byte: the store keeps what export needs to rebuild it.
	dir := testenv.FixturesDir(t)
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatalf("no .jsonl fixtures under %s", dir)
	}
	ctx := context.Background()
	s := openTest(t, "")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ss := reel.Session{ID: reel.SessionID("fixture", p), Source: "fixture", NativeID: p, Path: p}
		b := &reel.Batch{Session: ss}
		for off := 0; off < len(data); {
			n := bytes.IndexByte(data[off:], '\n') + 1
			if n == 0 {
				n = len(data) - off // a last line with no newline
			}
			b.Raw = append(b.Raw, reel.RawRecord{Index: int64(len(b.Raw)), Offset: int64(off),
				Data: data[off : off+n], Status: reel.RecordOK})
			off += n
		}
		apply(t, s, b)
		var got []byte
		if err := s.RawRecords(ctx, ss.ID, func(r reel.RawRecord) error {
			got = append(got, r.Data...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s: raw records differ from the file (%d bytes, want %d)", p, len(got), len(data))
		}
	}
}

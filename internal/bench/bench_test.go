package bench_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/bench"
	"github.com/reel-sh/reel/internal/corpus"
)

// fakeStore is a reel.Store whose methods are fields; unset ones panic.
type fakeStore struct {
	ApplyFn         func(context.Context, ...*reel.Batch) error
	CursorFn        func(context.Context, string) (reel.Cursor, error)
	SessionFn       func(context.Context, string) (reel.Session, error)
	SessionsFn      func(context.Context, reel.Filter) ([]reel.Session, error)
	EventsFn        func(context.Context, string, reel.Filter) ([]reel.Event, error)
	RawRecordsFn    func(context.Context, string, func(reel.RawRecord) error) error
	SearchFn        func(context.Context, reel.SearchQuery) ([]reel.Hit, error)
	StatsFn         func(context.Context) (reel.StoreStats, error)
	PutCheckpointFn func(context.Context, reel.Checkpoint) error
	CheckpointsFn   func(context.Context, string) ([]reel.Checkpoint, error)
	CloseFn         func() error
}

func (f *fakeStore) PutCheckpoint(ctx context.Context, c reel.Checkpoint) error {
	return f.PutCheckpointFn(ctx, c)
}
func (f *fakeStore) Checkpoints(ctx context.Context, id string) ([]reel.Checkpoint, error) {
	return f.CheckpointsFn(ctx, id)
}

var _ reel.Store = (*fakeStore)(nil)

func (f *fakeStore) Apply(ctx context.Context, bs ...*reel.Batch) error { return f.ApplyFn(ctx, bs...) }
func (f *fakeStore) Cursor(ctx context.Context, p string) (reel.Cursor, error) {
	return f.CursorFn(ctx, p)
}
func (f *fakeStore) Session(ctx context.Context, ref string) (reel.Session, error) {
	return f.SessionFn(ctx, ref)
}
func (f *fakeStore) Sessions(ctx context.Context, fl reel.Filter) ([]reel.Session, error) {
	return f.SessionsFn(ctx, fl)
}
func (f *fakeStore) Events(ctx context.Context, id string, fl reel.Filter) ([]reel.Event, error) {
	return f.EventsFn(ctx, id, fl)
}
func (f *fakeStore) RawRecords(ctx context.Context, id string, fn func(reel.RawRecord) error) error {
	return f.RawRecordsFn(ctx, id, fn)
}
func (f *fakeStore) Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
	return f.SearchFn(ctx, q)
}
func (f *fakeStore) Stats(ctx context.Context) (reel.StoreStats, error) { return f.StatsFn(ctx) }
func (f *fakeStore) Close() error                                       { return f.CloseFn() }

// manifestStore answers searches from the corpus manifest that its ingest
// read, as a correct store would, except for the queries in wrong, whose
// counts it gets wrong by one.
func manifestStore(wrong ...string) (*fakeStore, func(context.Context, string) (bench.IngestResult, error), *string) {
	var m *corpus.Manifest
	var home string
	store := &fakeStore{
		StatsFn: func(context.Context) (reel.StoreStats, error) {
			var st reel.StoreStats
			st.SizeBytes = 4096
			for src, n := range m.EventsBySource {
				st.Sources = append(st.Sources, reel.SourceStats{Source: src, Events: n})
			}
			return st, nil
		},
		SearchFn: func(_ context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
			n := q.Filter.Limit
			for _, nd := range m.Needles {
				if nd.Query == q.Query.Raw {
					n = nd.Count
					if len(q.Filter.Sources) == 1 {
						n = nd.BySource[q.Filter.Sources[0]]
					}
					for _, w := range wrong {
						if w == nd.Query {
							n++
						}
					}
				}
			}
			hits := make([]reel.Hit, min(n, q.Filter.Limit))
			for i := range hits {
				hits[i] = reel.Hit{SessionID: "s", Seq: int64(i), Kind: reel.KindMessage}
			}
			return hits, nil
		},
	}
	ingest := func(_ context.Context, h string) (bench.IngestResult, error) {
		home = h
		var err error
		m, err = corpus.ReadManifest(h)
		if err != nil {
			return bench.IngestResult{}, err
		}
		return bench.IngestResult{Files: m.Files, Sessions: m.Files, Events: m.Events, Records: m.Records}, nil
	}
	return store, ingest, &home
}

func TestRun_OK(t *testing.T) {
	dir := t.TempDir()
	store, ingest, home := manifestStore()
	var progress strings.Builder
	opt := bench.Options{Events: 2000, Seed: 4, Dir: dir, Queries: 5, Ingest: ingest,
		Store: func() reel.Store { return store }, Progress: &progress}
	rep, err := bench.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if *home != bench.HomeDir(dir) {
		t.Errorf("ingested %s, want %s", *home, bench.HomeDir(dir))
	}
	if !rep.Passed || len(rep.Checks) < 8 {
		t.Errorf("passed %v with %d checks: %+v", rep.Passed, len(rep.Checks), rep.Checks)
	}
	if rep.Corpus.Events < 2000 || rep.Ingest.StoredEvents != rep.Corpus.Events || rep.Ingest.EventsPerSecond <= 0 || rep.DBSizeBytes != 4096 {
		t.Errorf("corpus %+v, ingest %+v, db %d", rep.Corpus, rep.Ingest, rep.DBSizeBytes)
	}
	if len(rep.Search) != 5 {
		t.Fatalf("%d query classes, want 5: %+v", len(rep.Search), rep.Search)
	}
	for _, l := range rep.Search {
		if l.Queries != 5 || l.Max < l.P50 || l.Max <= 0 {
			t.Errorf("latency %+v", l)
		}
	}
	if rep.PeakRSSBytes <= 0 && runtime.GOOS == "linux" {
		t.Errorf("peak RSS %d", rep.PeakRSSBytes)
	}
	for _, phase := range []string{"generating", "ingesting", "searching: rare", "verifying"} {
		if !strings.Contains(progress.String(), phase) {
			t.Errorf("progress lacks %q:\n%s", phase, progress.String())
		}
	}

	t.Run("AgainOverOldCorpus", func(t *testing.T) {
		opt.Seed = 5
		rep2, err := bench.Run(context.Background(), opt)
		if err != nil {
			t.Fatal(err)
		}
		m, err := corpus.ReadManifest(bench.HomeDir(dir))
		if err != nil || m.Seed != 5 || !rep2.Passed {
			t.Fatalf("second run: manifest %v, err %v, passed %v", m, err, rep2.Passed)
		}
	})
}

func TestRun_WrongCount(t *testing.T) {
	store, ingest, _ := manifestStore("zqxneedle02")
	rep, err := bench.Run(context.Background(), bench.Options{Events: 1500, Seed: 4, Dir: t.TempDir(), Queries: 2,
		Ingest: ingest, Store: func() reel.Store { return store }})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, c := range rep.Checks {
		if !c.Pass {
			failed = append(failed, c.Query)
		}
	}
	if rep.Passed || strings.Join(failed, ",") != "zqxneedle02" {
		t.Fatalf("passed %v, failed checks %v", rep.Passed, failed)
	}
}

func TestRun_Err(t *testing.T) {
	store, ingest, _ := manifestStore()
	storeFn := func() reel.Store { return store }
	boom := errors.New("disk full")
	tests := []struct {
		name string
		opt  bench.Options
		dir  func(t *testing.T) string
		code string
		is   error
	}{
		{name: "ErrNoEvents", opt: bench.Options{Ingest: ingest, Store: storeFn}, code: reel.EINVALID},
		{name: "ErrNoIngest", opt: bench.Options{Events: 10, Store: storeFn}, code: reel.EINVALID},
		{name: "ErrIngest", opt: bench.Options{Events: 10, Store: storeFn,
			Ingest: func(context.Context, string) (bench.IngestResult, error) { return bench.IngestResult{}, boom }}, is: boom},
		{name: "ErrNotACorpus", opt: bench.Options{Events: 10, Ingest: ingest, Store: storeFn}, code: reel.ECONFLICT,
			dir: func(t *testing.T) string {
				dir := t.TempDir()
				if err := os.MkdirAll(filepath.Join(bench.HomeDir(dir), ".ssh"), 0o700); err != nil {
					t.Fatal(err)
				}
				return dir
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Dir = t.TempDir()
			if tt.dir != nil {
				tt.opt.Dir = tt.dir(t)
			}
			_, err := bench.Run(context.Background(), tt.opt)
			if tt.code != "" && reel.ErrorCode(err) != tt.code || tt.is != nil && !errors.Is(err, tt.is) || err == nil {
				t.Fatalf("err = %v, want code %q / %v", err, tt.code, tt.is)
			}
			if tt.name == "ErrNotACorpus" {
				if _, err := os.Stat(filepath.Join(bench.HomeDir(tt.opt.Dir), ".ssh")); err != nil {
					t.Fatalf("a folder that held no corpus was touched: %v", err)
				}
			}
		})
	}
}

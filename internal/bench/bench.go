package bench

import (
	"context"
	"errors"
	"fmt"
	"github.com/reel-sh/reel/internal/humanize"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
)

// Defaults for the zero values of Options.
const (
	DefaultQueries = 100
	DefaultLimit   = 20
)

// Options sets up a benchmark run.
type Options struct {
	// Events is the corpus size, in events.
	Events int
	// Seed picks the corpus.
	Seed int64
	// Dir holds the run: the corpus goes in HomeDir(Dir); the caller's
	// store usually goes at DBPath(Dir).
	Dir string
	// Queries is how many searches of each class are timed; 0 means
	// DefaultQueries.
	Queries int
	// Limit is the hit limit of the timed searches; 0 means DefaultLimit.
	Limit int
	// End is the newest time in the corpus; zero means the start of the
	// current UTC day, so the sessions look recent.
	End time.Time
	// Ingest runs a real cold sync of the home folder home into the store
	// that Store returns. The store must be empty before it runs.
	Ingest func(ctx context.Context, home string) (IngestResult, error)
	// Store returns the store that Ingest filled. Run does not close it.
	Store func() reel.Store
	// Progress receives a line per phase; nil means none.
	Progress io.Writer
}

// IngestResult is what a sync reports about the work it did.
type IngestResult struct {
	Files    int   `json:"files"`
	Sessions int   `json:"sessions"`
	Events   int64 `json:"events"`
	Records  int64 `json:"records"`
}

// HomeDir is the home folder, inside a run's folder, that holds the
// corpus.
func HomeDir(dir string) string { return filepath.Join(dir, "home") }

// DBPath is where the caller should put the run's database, beside the
// corpus. Run itself never touches it.
func DBPath(dir string) string { return filepath.Join(dir, "reel.db") }

// Run generates the corpus, ingests it, times the searches and verifies
// the needles. A run whose checks fail still returns its report with
// Passed false and a nil error: the error is for a run that could not
// finish.
func Run(ctx context.Context, opt Options) (*Report, error) {
	if err := opt.setDefaults(); err != nil {
		return nil, err
	}
	say := func(format string, args ...any) { fmt.Fprintf(opt.Progress, format+"\n", args...) }
	home := HomeDir(opt.Dir)
	if err := clearCorpus(home); err != nil {
		return nil, err
	}
	rep := &Report{Events: opt.Events, Seed: opt.Seed, Dir: opt.Dir}

	say("generating %d events (seed %d) in %s", opt.Events, opt.Seed, home)
	start := time.Now()
	m, err := corpus.GenerateContext(ctx, home, corpus.Options{Events: opt.Events, Seed: opt.Seed, End: opt.End})
	if err != nil {
		return nil, err
	}
	rep.Corpus = CorpusReport{Files: m.Files, Sessions: m.Sessions, Records: m.Records, Events: m.Events,
		Bytes: m.Bytes, Seconds: time.Since(start).Seconds()}
	say("generated %d files, %d events, %s in %.1fs", m.Files, m.Events, humanize.Bytes(m.Bytes), rep.Corpus.Seconds)

	// Measure the peak of the ingest and search only, as far as the kernel
	// allows: give back what generation used, then reset the high-water
	// mark.
	runtime.GC()
	debug.FreeOSMemory()
	rep.PeakRSSScope = "whole process"
	if resetPeakRSS() == nil {
		rep.PeakRSSScope = "ingest and search"
	}

	say("ingesting %s", home)
	start = time.Now()
	res, err := opt.Ingest(ctx, home)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	wall := time.Since(start)
	store := opt.Store()
	stats, err := store.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("store stats: %w", err)
	}
	rep.DBSizeBytes = stats.SizeBytes
	rep.Ingest = IngestReport{Seconds: wall.Seconds(), Files: res.Files, Sessions: res.Sessions,
		Events: res.Events, Records: res.Records}
	for _, s := range stats.Sources {
		rep.Ingest.StoredEvents += s.Events
	}
	rep.Ingest.EventsPerSecond = perSecond(firstPositive(rep.Ingest.StoredEvents, res.Events, m.Events), wall)
	say("ingested %d events in %.1fs (%.0f events/s), database %s", rep.Ingest.StoredEvents,
		wall.Seconds(), rep.Ingest.EventsPerSecond, humanize.Bytes(rep.DBSizeBytes))

	for _, c := range buildClasses(m, opt.Limit) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		say("searching: %s (%d queries)", c.name, opt.Queries)
		lat, err := measure(ctx, store.Search, c, opt.Queries)
		if err != nil {
			return nil, err
		}
		rep.Search = append(rep.Search, lat)
	}

	say("verifying %d needles", len(m.Needles))
	rep.Checks = verify(ctx, store.Search, m, opt.Limit)
	if err := ctx.Err(); err != nil {
		return nil, err // the checks failed for want of time, not of the store
	}
	rep.Passed = true
	for _, c := range rep.Checks {
		rep.Passed = rep.Passed && c.Pass
	}
	rep.PeakRSSBytes, _ = peakRSS()
	return rep, nil
}

func (opt *Options) setDefaults() error {
	switch {
	case opt.Events < 1:
		return reel.Errorf(reel.EINVALID, "bench size must be at least 1 event, not %d", opt.Events)
	case opt.Dir == "":
		return reel.Errorf(reel.EINVALID, "bench needs a folder for its corpus and database")
	case opt.Ingest == nil || opt.Store == nil:
		return reel.Errorf(reel.EINVALID, "bench needs an ingest and a store")
	case opt.Queries < 0 || opt.Limit < 0:
		return reel.Errorf(reel.EINVALID, "queries and limit must not be negative")
	}
	if opt.Queries == 0 {
		opt.Queries = DefaultQueries
	}
	if opt.Limit == 0 {
		opt.Limit = DefaultLimit
	}
	if opt.End.IsZero() {
		opt.End = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if opt.Progress == nil {
		opt.Progress = io.Discard
	}
	return nil
}

// clearCorpus removes the corpus an earlier run left at home. It removes
// only a folder that holds a corpus manifest, never anything else.
func clearCorpus(home string) error {
	entries, err := os.ReadDir(home)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read corpus folder: %w", err)
	}
	if _, err := corpus.ReadManifest(home); err != nil {
		return reel.Errorf(reel.ECONFLICT, "%s is not empty and holds no finished corpus", home).
			WithHint("remove it, or choose another folder")
	}
	if err := os.RemoveAll(home); err != nil {
		return fmt.Errorf("remove old corpus: %w", err)
	}
	return nil
}

func firstPositive(ns ...int64) int64 {
	for _, n := range ns {
		if n > 0 {
			return n
		}
	}
	return 0
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/reel-sh/reel"
)

// Source pairs an importer with the folder it reads.
type Source struct {
	Importer reel.Importer
	Root     string
}

// Progress is reported as files are synced.
type Progress struct {
	FilesDone, FilesTotal int
	Events                int64
	Path                  string
}

// Options configure a sync.
type Options struct {
	Store   reel.Store
	Sources []Source
	// Host is recorded on sessions that do not name one.
	Host string
	// DryRun reads and parses everything but writes nothing.
	DryRun bool
	// MaxLineBytes is the longest record parsed; longer ones are kept raw.
	MaxLineBytes int64
	// BatchEvents is how many events are committed per transaction.
	BatchEvents int
	// Workers parse files in parallel; the store serialises the writes.
	Workers int
	// Progress, if set, is called after each file, from one goroutine.
	Progress func(Progress)

	claims *claims // set by Run
	writer *writer // set by Run
}

func (o *Options) setDefaults() {
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = 32 << 20
	}
	if o.BatchEvents <= 0 {
		o.BatchEvents = 5000
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Host == "" {
		o.Host, _ = os.Hostname()
	}
}

// Run syncs every source into the store and returns what it did. The
// record is complete even when Run returns an error: its Outcome and Error
// say how far it got. Callers hold the sync lock.
func Run(ctx context.Context, opt Options) (*Record, error) {
	opt.setDefaults()
	rec := &Record{StartedAt: time.Now().UTC(), DryRun: opt.DryRun, Host: opt.Host, Issues: []Issue{}}
	err := run(ctx, opt, rec)
	rec.FinishedAt = time.Now().UTC()
	rec.Duration = Duration(rec.FinishedAt.Sub(rec.StartedAt))
	switch {
	case errors.Is(err, context.Canceled):
		rec.Outcome, rec.Error = OutcomeCancelled, "cancelled"
	case err != nil:
		rec.Outcome, rec.Error = OutcomeFailed, err.Error()
	case rec.SkippedRecords > 0 || rec.SkippedFiles > 0:
		rec.Outcome = OutcomePartial
	default:
		rec.Outcome = OutcomeOK
	}
	return rec, err
}

func run(ctx context.Context, opt Options, rec *Record) error {
	opt.claims = newClaims()
	// Importers that hold resources between calls (private copies of
	// other programs' databases) release them when the sync ends.
	defer func() {
		closed := map[io.Closer]bool{}
		for _, src := range opt.Sources {
			if c, ok := src.Importer.(io.Closer); ok && !closed[c] {
				closed[c] = true
				c.Close()
			}
		}
	}()
	var files []reel.SourceFile
	for _, src := range opt.Sources {
		sr := SourceResult{Source: src.Importer.Source(), Root: src.Root}
		// A root is a folder, or for some sources a file (a shell history).
		if _, err := os.Stat(src.Root); err == nil {
			sr.Found = true
		}
		err := src.Importer.Discover(ctx, src.Root, func(f reel.SourceFile) error {
			if f.Source == "" {
				f.Source = sr.Source
			}
			files = append(files, f)
			sr.Files++
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// A folder that cannot be listed (a client's own, left
			// unreadable by a run as another user) must not keep every
			// other session from syncing: the files found are read, and
			// the sync is partial.
			rec.addIssue(Issue{Path: src.Root, Reason: fmt.Sprintf("discover %s sessions: %v", sr.Source, err), Action: "skipped"})
		}
		rec.Sources = append(rec.Sources, sr)
	}
	rec.FilesSeen = len(files)
	importers := map[string]reel.Importer{}
	for _, src := range opt.Sources {
		importers[src.Importer.Source()] = src.Importer
	}

	// Workers parse; results come back in any order and are folded into the
	// record by this goroutine alone.
	jobs := make(chan reel.SourceFile)
	results := make(chan fileResult)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !opt.DryRun {
		opt.writer = startWriter(ctx, opt.Store)
	}
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Go(func() {
			for f := range jobs {
				results <- syncFile(ctx, opt, importers[f.Source], f)
			}
		})
	}
	go func() {
		defer close(jobs)
		for _, f := range files {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var firstErr error
	done := 0
	for r := range results {
		done++
		rec.fold(r)
		if r.err != nil && firstErr == nil {
			firstErr = r.err
			cancel()
		}
		if opt.Progress != nil {
			opt.Progress(Progress{FilesDone: done, FilesTotal: len(files), Events: rec.EventsInserted, Path: r.path})
		}
	}
	if opt.writer != nil {
		// Every file's batches are queued; the sync is done when they are
		// committed.
		if err := opt.writer.close(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (rec *Record) fold(r fileResult) {
	rec.RecordsRead += r.records
	rec.BytesRead += r.bytes
	rec.EventsInserted += r.events
	for _, i := range r.issues {
		rec.addIssue(i)
	}
	switch r.change {
	case changeNone:
		rec.FilesUnchanged++
	case changeNew:
		rec.FilesNew++
		rec.SessionsInserted++
	case changeAppend:
		rec.FilesAppended++
		rec.SessionsUpdated++
	case changeRewrite:
		rec.FilesRewritten++
		rec.SessionsUpdated++
	}
	for i := range rec.Sources {
		if rec.Sources[i].Source == r.source {
			rec.Sources[i].Events += r.events
		}
	}
}

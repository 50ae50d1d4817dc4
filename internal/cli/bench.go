package cli

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/bench"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/spf13/cobra"
)

type benchOptions struct {
	app     *App
	events  int
	queries int
	dir     string
	seed    int64
	json    bool
	cpuProf string
}

func newBenchCmd(app *App) *cobra.Command {
	opts := &benchOptions{app: app}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure ingest and search on a generated corpus",
		Long: `Bench generates a realistic corpus of Claude Code and Codex sessions with
planted needle terms, syncs it cold into a fresh store, then times searches per
query class (rare, common, phrase, prefix, filtered) and checks that every needle
is found exactly as often as it was planted. It never touches your own store.`,
		Example: `  reel bench --events 100000
  reel bench --events 1000000 --dir /tmp/reel-bench --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runBench(cmd.Context(), opts) },
	}
	cmd.Flags().IntVar(&opts.events, "events", 100000, "corpus size in events")
	cmd.Flags().IntVar(&opts.queries, "queries", bench.DefaultQueries, "searches timed per query class")
	cmd.Flags().StringVar(&opts.dir, "dir", "", "folder for the corpus and store (default: a temporary folder, removed after)")
	cmd.Flags().Int64Var(&opts.seed, "seed", 1, "corpus seed")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&opts.cpuProf, "cpuprofile", "", "write a CPU profile of the ingest to this file")
	cmd.AddCommand(newBenchQualityCmd(app))
	return cmd
}

func runBench(ctx context.Context, opts *benchOptions) error {
	s := opts.app.Streams
	dir, store, done, err := openBenchRun(ctx, opts.dir, "reel-bench-")
	if err != nil {
		return err
	}
	defer done()
	opt := bench.Options{
		Events: opts.events, Seed: opts.seed, Dir: dir, Queries: opts.queries,
		Store: func() reel.Store { return store },
		Ingest: func(ctx context.Context, home string) (bench.IngestResult, error) {
			if opts.cpuProf != "" {
				f, err := os.Create(opts.cpuProf)
				if err != nil {
					return bench.IngestResult{}, err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return bench.IngestResult{}, err
				}
				defer pprof.StopCPUProfile()
			}
			rec, err := syncer.Run(ctx, syncer.Options{Store: store, Sources: generatedSources(home)})
			if err != nil {
				return bench.IngestResult{}, err
			}
			return bench.IngestResult{Files: rec.FilesSeen, Sessions: rec.SessionsInserted, Events: rec.EventsInserted, Records: rec.RecordsRead}, nil
		},
	}
	if !opts.json {
		opt.Progress = s.Err
	}
	rep, err := bench.Run(ctx, opt)
	if err != nil {
		return err
	}
	if opts.json {
		if err := writeJSON(s.Out, rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(s.Out)
	}
	if !rep.Passed {
		return fmt.Errorf("bench checks failed: see the report")
	}
	return nil
}

// openBenchRun prepares a benchmark's folder (dir, or a temporary one
// removed by done) and opens a fresh store at bench.DBPath in it, removing
// the database a previous run left. done closes the store.
func openBenchRun(ctx context.Context, dir, tempPrefix string) (string, *sqlite.Store, func(), error) {
	var cleanup []func()
	done := func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	if dir == "" {
		d, err := os.MkdirTemp("", tempPrefix)
		if err != nil {
			return "", nil, nil, err
		}
		cleanup = append(cleanup, func() { os.RemoveAll(d) })
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		done()
		return "", nil, nil, err
	}
	dbPath := bench.DBPath(dir)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(dbPath + suffix)
	}
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		done()
		return "", nil, nil, err
	}
	cleanup = append(cleanup, func() { store.Close() })
	return dir, store, done, nil
}

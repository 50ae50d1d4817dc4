package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/spf13/cobra"
)

type statusOptions struct {
	app  *App
	json bool
}

// statusReport is reel status --json.
type statusReport struct {
	Paths  config.Paths    `json:"paths"`
	Config string          `json:"config_file,omitempty"`
	Store  reel.StoreStats `json:"store"`
	// Features says how the store searches and keeps vectors, where it
	// varies (a PostgreSQL server with or without pgvector).
	Features map[string]string `json:"features,omitempty"`
	Sources  []sourceStatus    `json:"sources"`
	LastSync *syncer.Record    `json:"last_sync"`
	// Live describes live sessions: how many are being written, which
	// were interrupted, and the last recovery.
	Live *liveStatus `json:"live"`
	// Recordings describes shell recordings the same way: how many are
	// being recorded, which were interrupted, and the last recovery.
	Recordings *recordingStatus `json:"recordings"`
	// Vectors says which embedding model search uses and how much of
	// the store it covers.
	Vectors *vectorStatus `json:"vectors"`
}

type sourceStatus struct {
	// Root is the first folder found, else the first folder.
	Root    string       `json:"root"`
	Roots   []sourceRoot `json:"roots"`
	Found   bool         `json:"found"`
	Enabled bool         `json:"enabled"`
	reel.SourceStats
}

// sourceRoot is one place a source keeps sessions.
type sourceRoot struct {
	Path  string `json:"path"`
	Found bool   `json:"found"`
}

// sourceStatuses describes every source reel has: where it looks, whether
// anything is there, whether sync reads it, and what the store holds.
func sourceStatuses(app *App, stats reel.StoreStats) ([]sourceStatus, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	var out []sourceStatus
	for _, imp := range importers() {
		name := imp.Source()
		st := sourceStatus{Enabled: cfg.Enabled(name), SourceStats: reel.SourceStats{Source: name}, Roots: []sourceRoot{}}
		for _, r := range cfg.SourceRoots(name, app.Getenv) {
			_, err := os.Stat(r)
			st.Roots = append(st.Roots, sourceRoot{Path: r, Found: err == nil})
			if err == nil && !st.Found {
				st.Found, st.Root = true, r
			}
		}
		if st.Root == "" && len(st.Roots) > 0 {
			st.Root = st.Roots[0].Path
		}
		for _, ss := range stats.Sources {
			if ss.Source == name {
				st.SourceStats = ss
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func newStatusCmd(app *App) *cobra.Command {
	opts := &statusOptions{app: app}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the store, what it holds per source, and the last sync",
		Example: `  reel status
  reel status --json | jq .last_sync`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runStatus(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return cmd
}

// buildStatus gathers what reel status prints, and the daemon's API
// serves at /v1/status.
func buildStatus(ctx context.Context, app *App) (*statusReport, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	store, err := app.Store(ctx)
	if err != nil {
		return nil, err
	}
	stats, err := store.Stats(ctx)
	if err != nil {
		return nil, err
	}
	last, err := syncer.ReadRecord(cfg.Paths.LastSync())
	if err != nil {
		return nil, err
	}
	rep := &statusReport{Paths: cfg.Paths, Config: cfg.File, Store: stats, LastSync: last}
	if rep.Live, err = readLiveStatus(app); err != nil {
		return nil, err
	}
	if rep.Recordings, err = readRecordingStatus(app); err != nil {
		return nil, err
	}
	if rep.Sources, err = sourceStatuses(app, stats); err != nil {
		return nil, err
	}
	if rep.Vectors, err = readVectorStatus(ctx, app, store); err != nil {
		return nil, err
	}
	if fs, ok := store.(interface {
		Features(context.Context) (map[string]string, error)
	}); ok {
		if rep.Features, err = fs.Features(ctx); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func runStatus(ctx context.Context, opts *statusOptions) error {
	app, s := opts.app, opts.app.Streams
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	rep, err := buildStatus(ctx, app)
	if err != nil {
		return err
	}
	stats, last := rep.Store, rep.LastSync
	if opts.json {
		return writeJSON(s.Out, rep)
	}
	fmt.Fprintf(s.Out, "%s %s (%s, %s)\n", s.Paint(styleBold, "Store:"), stats.Location, stats.Driver, humanize.Bytes(stats.SizeBytes))
	if cfg.File != "" {
		fmt.Fprintf(s.Out, "%s %s\n", s.Paint(styleBold, "Config:"), cfg.File)
	}
	for _, k := range slices.Sorted(maps.Keys(rep.Features)) {
		fmt.Fprintf(s.Out, "  %s: %s\n", k, rep.Features[k])
	}
	fmt.Fprintf(s.Out, "%s %s\n", s.Paint(styleBold, "Embedding model:"), rep.Vectors.describe())
	fmt.Fprintln(s.Out)
	fmt.Fprintf(s.Out, "%-12s %9s %11s %13s %8s  %s\n", "SOURCE", "SESSIONS", "EVENTS", "UNRECOGNISED", "INVALID", "FOLDER")
	for _, st := range rep.Sources {
		folder := st.Root
		if n := len(st.Roots); n > 1 {
			folder += fmt.Sprintf(" (+%d more)", n-1)
		}
		switch {
		case !st.Enabled:
			folder += " (disabled)"
		case !st.Found:
			folder += " (not found)"
		}
		fmt.Fprintf(s.Out, "%-12s %9s %11s %13s %8s  %s\n", st.Source, humanize.Count(st.Sessions), humanize.Count(st.Events),
			humanize.Count(st.Unrecognised), humanize.Count(st.Invalid), folder)
	}
	fmt.Fprintln(s.Out)
	printLiveStatus(s, rep.Live)
	printRecordingStatus(s, rep.Recordings)
	if last == nil {
		fmt.Fprintln(s.Out, "Last sync: never. Run 'reel sync'.")
		return nil
	}
	outcome := last.Outcome
	switch outcome {
	case syncer.OutcomeOK:
		outcome = s.Paint(styleGreen, outcome)
	case syncer.OutcomePartial:
		outcome = s.Paint(styleYellow, outcome)
	default:
		outcome = s.Paint(styleRed, outcome)
	}
	ago := time.Since(last.FinishedAt).Round(time.Second)
	fmt.Fprintf(s.Out, "%s %s (%s ago), took %s, %s\n", s.Paint(styleBold, "Last sync:"),
		last.FinishedAt.Local().Format(time.DateTime), ago, time.Duration(last.Duration).Round(time.Millisecond), outcome)
	fmt.Fprintf(s.Out, "  %d files seen: %d new, %d appended, %d rewritten, %d unchanged\n",
		last.FilesSeen, last.FilesNew, last.FilesAppended, last.FilesRewritten, last.FilesUnchanged)
	fmt.Fprintf(s.Out, "  %d sessions inserted, %d updated, %s events inserted\n",
		last.SessionsInserted, last.SessionsUpdated, humanize.Count(last.EventsInserted))
	if last.SkippedRecords+int64(last.SkippedFiles)+last.RepairedRecords > 0 {
		fmt.Fprintf(s.Out, "  %d records skipped, %d repaired, %d files skipped:\n", last.SkippedRecords, last.RepairedRecords, last.SkippedFiles)
		for i, is := range last.Issues {
			if i == 10 {
				fmt.Fprintf(s.Out, "    … %d more in reel status --json\n", len(last.Issues)-10+last.IssuesOmitted)
				break
			}
			fmt.Fprintf(s.Out, "    %s\n", is)
		}
	}
	if last.Error != "" {
		fmt.Fprintf(s.Out, "  error: %s\n", last.Error)
	}
	return nil
}

package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/reel-sh/reel/internal/lockfile"
	"github.com/reel-sh/reel/internal/postgres"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

type syncOptions struct {
	app     *App
	sources []string
	paths   []string
	to      string
	dryRun  bool
	noWait  bool
	noEmbed bool
	json    bool
	quiet   bool
}

func newSyncCmd(app *App) *cobra.Command {
	opts := &syncOptions{app: app}
	cmd := &cobra.Command{
		Use:   "sync [SOURCE...]",
		Short: "Ingest new agent sessions into the store",
		Long: `Sync finds every source's session folder (~/.claude/projects, ~/.codex/sessions,
or the paths in config.toml) and ingests what is new: new files whole, appended
files from where the last sync stopped. A warm re-sync of unchanged files only
stats them. One sync runs at a time per store; a second one waits and says who
holds the lock. Records that cannot be read are kept raw, skipped and listed.
First, live sessions whose writer died are ended as interrupted and ingested
(see reel recover).`,
		Example: `  reel sync
  reel sync codex
  reel sync aider --path ~/src/myrepo
  reel sync --to postgres://reel@db.internal/team
  reel sync --dry-run
  reel sync --no-wait --json`,
		ValidArgs: sourceNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.sources = args
			return runSync(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "read everything and report what would change, writing nothing")
	cmd.Flags().BoolVar(&opts.noWait, "no-wait", false, "exit 0 at once if another sync is running")
	cmd.Flags().BoolVar(&opts.noEmbed, "no-embed", false, "do not embed the new events for semantic search (reel embed does it later)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the sync record as JSON")
	cmd.Flags().StringVar(&opts.to, "to", "", "then push the local store's sessions to this team store (postgres://...), incrementally")
	cmd.Flags().StringArrayVar(&opts.paths, "path", nil, "read this folder or file instead of the source's own (one source only; repeatable)")
	return cmd
}

func runSync(ctx context.Context, opts *syncOptions) error {
	app, s := opts.app, opts.app.Streams
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	sources, err := app.Sources(opts.sources, opts.paths)
	if err != nil {
		return err
	}
	if err := cfg.Paths.EnsureDirs(); err != nil {
		return err
	}
	self := lockfile.Self("reel sync")
	var lock *lockfile.Lock
	if opts.noWait {
		var holder lockfile.Holder
		lock, holder, err = lockfile.TryAcquire(cfg.Paths.SyncLock(), self)
		if err != nil {
			return err
		}
		if lock == nil {
			fmt.Fprintf(s.Err, "reel: a sync is already running (%s); not waiting\n", holder)
			if opts.json {
				return writeJSON(s.Out, map[string]any{"outcome": "skipped", "holder": holder})
			}
			return nil
		}
	} else {
		lock, err = lockfile.Acquire(ctx, cfg.Paths.SyncLock(), self, func(h lockfile.Holder) {
			fmt.Fprintf(s.Err, "reel: waiting for the sync already running (%s)...\n", h)
		})
		if err != nil {
			return err
		}
	}
	defer lock.Release()

	store, err := app.Store(ctx)
	if err != nil {
		return err
	}
	// Live sessions and recordings whose writer died are ended and
	// ingested first.
	// One journal that cannot be recovered must not stop every sync: it
	// is reported and kept for the next try.
	if !opts.dryRun {
		liveRep, err := recoverLive(ctx, app, store, false)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case liveRep != nil && !opts.json && !opts.quiet && len(liveRep.Recovered)+len(liveRep.Failed) > 0:
			printLiveRecovery(s, liveRep)
		case err != nil && liveRep == nil:
			fmt.Fprintf(s.Err, "reel: recover live sessions: %v\n", err)
		}
		// Recordings whose shell died are ended here too; this sync
		// ingests them with the other journals.
		rcs, err := recoverRecordings(ctx, app)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			fmt.Fprintf(s.Err, "reel: recover recordings: %v\n", err)
		case !opts.json && !opts.quiet:
			printRecovered(s, rcs, false)
		}
	}
	var bar *progressbar.ProgressBar
	progress := func(p syncer.Progress) {
		if bar == nil {
			bar = progressbar.NewOptions(p.FilesTotal,
				progressbar.OptionSetWriter(s.Err),
				progressbar.OptionSetDescription("syncing"),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
		bar.Set(p.FilesDone)
	}
	if !s.IsStderrTTY() || opts.json || opts.quiet {
		progress = nil
	}
	var push func(reel.Store, *syncer.Record) error
	if opts.to != "" && !opts.dryRun {
		push = func(store reel.Store, rec *syncer.Record) error {
			if bar != nil {
				bar.Finish()
				bar = nil
			}
			p, err := pushTo(ctx, opts, store)
			rec.Push = &p
			if err != nil {
				rec.Outcome, rec.Error = syncer.OutcomeFailed, err.Error()
			}
			return err
		}
	}
	rec, runErr := syncOnce(ctx, app, sources, opts.dryRun, progress, push)
	if bar != nil {
		bar.Finish()
	}
	if rec == nil {
		return runErr
	}
	if opts.json {
		if err := writeJSON(s.Out, rec); err != nil {
			return err
		}
	} else if !opts.quiet {
		printSyncRecord(s, rec, len(opts.sources) > 0)
	}
	if runErr == nil && !opts.dryRun && !opts.noEmbed {
		// Still under the sync lock: one embedding job at a time.
		store, err := app.Store(ctx)
		if err != nil {
			return err
		}
		embedAfterSync(ctx, app, store, !opts.json && !opts.quiet)
	}
	return runErr
}

// syncOnce runs one sync of sources into the app's store, the sync lock
// being held, then push (if not nil, after a sync without error), and
// keeps the record that reel status and reel adapters read (unless a dry
// run). It is what `reel sync` and the daemon run. The record is nil only
// when the store cannot be opened.
func syncOnce(ctx context.Context, app *App, sources []syncer.Source, dryRun bool,
	progress func(syncer.Progress), push func(reel.Store, *syncer.Record) error) (*syncer.Record, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	store, err := app.Store(ctx)
	if err != nil {
		return nil, err
	}
	opt := syncer.Options{
		Store: store, Sources: sources, DryRun: dryRun, MaxLineBytes: cfg.Sync.MaxLineBytes, Host: cfg.Host,
		Progress: progress,
	}
	rec, runErr := syncer.Run(ctx, opt)
	if runErr == nil && push != nil {
		runErr = push(store, rec)
	}
	if !dryRun {
		if err := syncer.WriteRecord(cfg.Paths.LastSync(), rec); err != nil && runErr == nil {
			runErr = err
		}
		if err := syncer.UpdateSourceSyncs(cfg.Paths.SourceSyncs(), rec); err != nil && runErr == nil {
			runErr = err
		}
	}
	return rec, runErr
}

func printSyncRecord(s *Streams, r *syncer.Record, named bool) {
	verb := "Synced"
	if r.DryRun {
		verb = "Dry run: would sync"
	}
	// Where nothing was found, say where reel looked: in full when the
	// user named the sources or none were found at all (a new machine),
	// else in one line, since most people run a few of the clients.
	if missing := missingSources(r); len(missing) > 0 {
		if named || len(missing) == len(distinctSources(r)) {
			for _, src := range r.Sources {
				if slices.Contains(missing, src.Source) {
					fmt.Fprintf(s.Out, "%s %s: no sessions folder at %s\n", s.Paint(styleDim, "·"), src.Source, src.Root)
				}
			}
		} else {
			fmt.Fprintf(s.Out, "%s not found on this machine: %s (see reel adapters)\n", s.Paint(styleDim, "·"), strings.Join(missing, ", "))
		}
	}
	events := "events"
	if r.DryRun {
		events = "events to add"
	}
	fmt.Fprintf(s.Out, "%s %d files (%d new, %d appended, %d rewritten, %d unchanged): %s %s in %s\n",
		verb, r.FilesSeen, r.FilesNew, r.FilesAppended, r.FilesRewritten, r.FilesUnchanged,
		humanize.Count(r.EventsInserted), events, time.Duration(r.Duration).Round(time.Millisecond))
	if n := r.SkippedRecords + int64(r.SkippedFiles) + r.RepairedRecords; n > 0 {
		fmt.Fprintf(s.Out, "%s %d records skipped, %d repaired, %d files skipped:\n",
			s.Paint(styleYellow, "!"), r.SkippedRecords, r.RepairedRecords, r.SkippedFiles)
		for i, is := range r.Issues {
			if i == 10 {
				fmt.Fprintf(s.Out, "  … %d more: reel status --json\n", len(r.Issues)-10+r.IssuesOmitted)
				break
			}
			fmt.Fprintf(s.Out, "  %s\n", is)
		}
	}
	if p := r.Push; p != nil {
		fmt.Fprintf(s.Out, "Pushed %d of %d sessions (%d unchanged): %s events, %s raw records, %d checkpoints\n",
			p.Pushed, p.Sessions, p.Unchanged, humanize.Count(p.Events), humanize.Count(p.Raw), p.Checkpoints)
		for _, r := range p.Refused {
			fmt.Fprintf(s.Out, "  %s %s\n", s.Paint(styleYellow, "checkpoint not pushed:"), r)
		}
	}
	if r.Error != "" {
		fmt.Fprintf(s.Out, "%s %s\n", s.Paint(styleRed, "sync "+r.Outcome+":"), r.Error)
	}
}

// sourceList is the help text for --source.
func sourceList() string {
	return "source: " + strings.Join(sourceNames(), ", ") + " (repeat or comma-separate)"
}

// distinctSources names the sources a sync read, once each.
func distinctSources(r *syncer.Record) []string {
	var names []string
	for _, src := range r.Sources {
		if !slices.Contains(names, src.Source) {
			names = append(names, src.Source)
		}
	}
	return names
}

// missingSources names the sources none of whose folders exist.
func missingSources(r *syncer.Record) []string {
	found := map[string]bool{}
	var names []string
	for _, src := range r.Sources {
		if _, seen := found[src.Source]; !seen {
			names = append(names, src.Source)
		}
		found[src.Source] = found[src.Source] || src.Found
	}
	var missing []string
	for _, n := range names {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	return missing
}

// pushTo sends the local store's sessions to the team store that --to
// names, with a progress bar on a terminal.
func pushTo(ctx context.Context, opts *syncOptions, local reel.Store) (syncer.PushResult, error) {
	s := opts.app.Streams
	if !isPostgresURL(opts.to) {
		return syncer.PushResult{}, reel.Errorf(reel.EINVALID, "--to %q is not a postgres:// URL", opts.to).
			WithHint("for example: reel sync --to postgres://user@host/db")
	}
	team, err := postgres.Open(ctx, opts.to)
	if err != nil {
		return syncer.PushResult{}, err
	}
	defer team.Close()
	cfg, err := opts.app.Config()
	if err != nil {
		return syncer.PushResult{}, err
	}
	po := syncer.PushOptions{From: local, To: team, Host: cfg.Host}
	if s.IsStderrTTY() && !opts.json && !opts.quiet {
		var bar *progressbar.ProgressBar
		po.Progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(s.Err),
					progressbar.OptionSetDescription("pushing"), progressbar.OptionShowCount(),
					progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
			}
			bar.Set(done)
		}
		defer func() {
			if bar != nil {
				bar.Finish()
			}
		}()
	}
	return syncer.Push(ctx, po)
}

package cli

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/daemon"
	"github.com/reel-sh/reel/internal/lockfile"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/spf13/cobra"
)

type daemonOptions struct {
	app     *App
	verbose bool
}

func newDaemonCmd(app *App) *cobra.Command {
	opts := &daemonOptions{app: app}
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Run the reel daemon: sync on change, serve the API (status, stop, install)",
		Long: `Daemon runs reel's long-running program in the foreground, until SIGTERM or
Ctrl-C. It syncs every enabled source at start, every sync_interval and soon
after a source folder changes (sync_debounce), and serves the API on a unix
socket only you can open ($XDG_RUNTIME_DIR/reel.sock). One daemon runs per
user: a second one exits with code 4 and names the first. SIGHUP reloads
config.toml ([daemon] sync_interval, sync_debounce, reap_interval, sources).

It logs JSON lines to daemon.log in the state folder and text to stderr. To
start it at login, see 'reel daemon install'.`,
		Example: `  reel daemon
  reel daemon status
  reel daemon stop
  reel daemon install`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runDaemon(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVarP(&opts.verbose, "verbose", "v", false, "log every sync and debug detail")
	cmd.AddCommand(newDaemonStatusCmd(app), newDaemonStopCmd(app), newDaemonInstallCmd(app), newDaemonUninstallCmd(app))
	return cmd
}

func runDaemon(ctx context.Context, opts *daemonOptions) error {
	app := opts.app
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	if err := cfg.Paths.EnsureDirs(); err != nil {
		return err
	}
	level := slog.LevelInfo
	if opts.verbose {
		level = slog.LevelDebug
	}
	log, logFile, err := daemon.OpenLog(cfg.Paths.DaemonLog(), app.Streams.Err, level)
	if err != nil {
		return err
	}
	defer logFile.Close()
	store, err := app.Store(ctx)
	if err != nil {
		return err
	}
	ds := &daemonSync{app: app, store: store, log: log}
	ds.cfg.Store(cfg)
	svc, err := newDaemonServices(ctx, ds)
	if err != nil {
		return err
	}
	d, err := daemon.New(daemon.Options{
		Config:     cfg,
		Reload:     ds.reload,
		Logger:     log,
		Handler:    svc.handler(),
		TCPHandler: svc.tcpHandler(cfg),
		Sync:       ds.sync,
		WatchPaths: ds.watchPaths,
		Reaper:     svc.sup,
		Background: svc.background(),
		Version:    version(),
		Signals:    true,
	})
	if err != nil {
		return errors.Join(err, svc.close())
	}
	if err := d.Run(ctx); err != nil {
		return errors.Join(err, svc.close())
	}
	werr := d.Wait(ctx)
	cerr := d.Close()
	// A daemon stopped by a signal stopped as asked: exit 0.
	app.stopped = true
	return errors.Join(werr, cerr, svc.close())
}

// daemonSync is what the daemon syncs: every enabled source of the
// configuration in force, into the store opened at start.
type daemonSync struct {
	app   *App
	store reel.Store
	log   *slog.Logger
	cfg   atomic.Pointer[config.Config] // replaced on reload
}

// view is an App over the configuration in force and the daemon's store,
// so that a reload never changes what a running sync reads.
func (ds *daemonSync) view() *App {
	a := &App{Streams: ds.app.Streams, env: ds.app.env, cfg: ds.cfg.Load(), store: ds.store}
	// The embedding model is loaded once, at start.
	a.embedder, a.embedderErr = ds.app.Embedder(context.Background(), "")
	return a
}

// reload reads config.toml again.
func (ds *daemonSync) reload() (*config.Config, error) {
	c, err := config.Load(ds.app.Getenv)
	if err != nil {
		return nil, err
	}
	ds.cfg.Store(c)
	return c, nil
}

// watchPaths returns the folders of every enabled source.
func (ds *daemonSync) watchPaths() []string {
	sources, err := ds.view().Sources(nil, nil)
	if err != nil {
		ds.log.Error("list sources", "err", err)
		return nil
	}
	roots := make([]string, len(sources))
	for i, s := range sources {
		roots[i] = s.Root
	}
	return roots
}

// sync runs what `reel sync --no-wait` runs, quietly: a sync already
// running elsewhere is EBUSY, which the daemon logs as skipped.
func (ds *daemonSync) sync(ctx context.Context) error {
	_, err := ds.syncSources(ctx, nil)
	return err
}

// syncSources syncs the named sources (every enabled one if none), as
// reel sync --no-wait does, and returns the sync's record; nil if it did
// not run.
func (ds *daemonSync) syncSources(ctx context.Context, only []string) (*syncer.Record, error) {
	a := ds.view()
	sources, err := a.Sources(only, nil)
	if err != nil {
		return nil, err
	}
	lock, holder, err := lockfile.TryAcquire(a.cfg.Paths.SyncLock(), lockfile.Self("reel daemon"))
	if err != nil {
		return nil, err
	}
	if lock == nil {
		return nil, reel.Errorf(reel.EBUSY, "a sync is already running (%s)", holder)
	}
	defer lock.Release()
	start := time.Now()
	rec, err := syncOnce(ctx, a, sources, false, nil, nil)
	if err == nil {
		embedAfterSync(ctx, a, ds.store, false)
	}
	if rec != nil && (rec.FilesNew+rec.FilesAppended+rec.FilesRewritten > 0 || rec.SkippedRecords+int64(rec.SkippedFiles) > 0) {
		ds.log.Info("synced", "files_new", rec.FilesNew, "files_appended", rec.FilesAppended,
			"files_rewritten", rec.FilesRewritten, "events", rec.EventsInserted,
			"records_skipped", rec.SkippedRecords, "files_skipped", rec.SkippedFiles,
			"took", time.Since(start).Round(time.Millisecond).String())
	}
	return rec, err
}

package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/lockfile"
	"github.com/reel-sh/reel/internal/unixsock"
)

// Reaper removes or stops supervised sessions whose tmux session or agent
// process is gone (reel.Supervisor has this method).
type Reaper interface {
	Reap(ctx context.Context) (reel.ReapReport, error)
}

// Options are what a Daemon runs. Config is required; every other field
// may be left zero, which turns that part off.
type Options struct {
	// Config is the configuration at start: its paths and [daemon] table.
	Config *config.Config
	// Reload re-reads the configuration on SIGHUP (or Daemon.Reload).
	// Nil: reloading only re-arms the timers and watches.
	Reload func() (*config.Config, error)
	// Logger receives the daemon's log (see OpenLog); nil discards it.
	Logger *slog.Logger
	// Handler is the API served on the unix socket, beside the daemon's
	// own Status at StatusPath.
	Handler http.Handler
	// TCPHandler wraps the API with its authentication (the bearer token),
	// Host check and rate limit, for the TCP listener. Config.Daemon.Listen
	// set without a TCPHandler is an error: the daemon never serves TCP
	// unauthenticated.
	TCPHandler func(token string) http.Handler
	// Sync runs one full sync. It takes the same single-flight lock as
	// `reel sync`; when another process holds it, it returns an error
	// whose code is reel.EBUSY, which the daemon logs as a skipped sync.
	Sync func(ctx context.Context) error
	// WatchPaths returns the source folders (or files) whose changes
	// trigger a sync. It is called at start, on reload and on every
	// interval sync.
	WatchPaths func() []string
	// Reaper runs every Config.Daemon.ReapInterval.
	Reaper Reaper
	// Background functions each run in their own goroutine from start
	// until the daemon closes, when their context is cancelled.
	Background []func(ctx context.Context)
	// Version is the program's version, written in the lock's record.
	Version string
	// Signals makes the daemon catch SIGTERM and SIGINT (Wait returns)
	// and SIGHUP (Wait reloads), from Run on, until Close.
	Signals bool
	// ShutdownTimeout bounds how long Close waits for in-flight requests;
	// default 10s.
	ShutdownTimeout time.Duration
}

// Daemon is one running `reel daemon`. New makes it, Run starts it, Close
// stops it; Done says when it stopped on its own.
type Daemon struct {
	opts      Options
	log       *slog.Logger
	startedAt time.Time

	ctx    context.Context // the background work's; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	lock       *lockfile.Lock
	sock       *unixsock.Listener
	servers    []*http.Server
	tcpAddr    string
	tcpHandler http.Handler
	sigs       chan os.Signal // nil unless Options.Signals

	// reloads tell each loop to re-read the configuration.
	syncReload, reapReload chan struct{}
	// changes says a watched source changed (buffered: one pending is
	// enough).
	changes chan struct{}
	watch   *watcher

	mu     sync.Mutex
	cfg    *config.Config
	status Status

	done      chan struct{}
	doneOnce  sync.Once
	doneErr   error
	closeOnce sync.Once
	closeErr  error
}

// New returns a daemon that will run opts. It checks opts, and starts
// nothing.
func New(opts Options) (*Daemon, error) {
	if opts.Config == nil {
		return nil, errors.New("new daemon: no config")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	d := &Daemon{
		opts:       opts,
		log:        opts.Logger,
		cfg:        opts.Config,
		syncReload: make(chan struct{}, 1),
		reapReload: make(chan struct{}, 1),
		changes:    make(chan struct{}, 1),
		done:       make(chan struct{}),
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d, nil
}

// Run starts the daemon and returns once it serves: it takes the daemon
// lock (EBUSY, naming the holder's pid and socket, when another daemon
// holds it), listens on the unix socket and, when configured, on TCP, and
// starts the sync, watch and reap loops and the background work. ctx
// bounds the start only; the daemon then runs until Close. When Run fails,
// what it had started is released.
func (d *Daemon) Run(ctx context.Context) (err error) {
	cfg := d.config()
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if err := cfg.Paths.EnsureDirs(); err != nil {
		return err
	}
	if err := d.acquire(ctx, cfg); err != nil {
		return err
	}
	d.startedAt = time.Now().UTC()
	d.notifySignals()
	d.mu.Lock()
	d.status = Status{PID: os.Getpid(), StartedAt: d.startedAt, Version: d.opts.Version, Socket: cfg.Paths.Socket()}
	d.mu.Unlock()
	d.sock, err = unixsock.Listen(cfg.Paths.Socket())
	if err != nil {
		return err
	}
	var tcp net.Listener
	if cfg.Daemon.Listen != "" {
		if tcp, err = d.listenTCP(cfg); err != nil {
			return err
		}
	}

	if d.opts.WatchPaths != nil {
		w, err := newWatcher(d.log, d.changed)
		if err != nil {
			// Not fatal: the interval sync still runs.
			d.log.Error("watch source folders", "err", err)
		} else {
			d.watch = w
			w.arm(d.opts.WatchPaths()) // the start sync reads what is there
			d.goRun(w.run)
		}
	}
	if d.opts.Sync != nil {
		d.goRun(d.syncLoop)
	}
	if d.opts.Reaper != nil {
		d.goRun(d.reapLoop)
	}
	for _, f := range d.opts.Background {
		d.goRun(f)
	}
	// Serve last: a request sees a daemon fully started.
	d.serve(d.sock, d.socketHandler(d.opts.Handler), "unix", cfg.Paths.Socket())
	if tcp != nil {
		d.serve(tcp, d.tcpHandler, "tcp", d.tcpAddr)
	}
	d.log.Info("daemon started", "pid", os.Getpid(), "version", d.opts.Version, "socket", cfg.Paths.Socket(),
		"listen", d.tcpAddr, "sync_interval", cfg.Daemon.SyncInterval.String(),
		"sync_debounce", cfg.Daemon.SyncDebounce.String(), "reap_interval", cfg.Daemon.ReapInterval.String())
	return nil
}

// acquire takes the daemon lock, with the socket and version in its record.
func (d *Daemon) acquire(ctx context.Context, cfg *config.Config) error {
	self := lockfile.Self("reel daemon")
	detail, _ := json.Marshal(holderDetail{Socket: cfg.Paths.Socket(), Listen: tcpAddress(cfg.Daemon.Listen), Version: d.opts.Version})
	self.Detail = detail
	path := cfg.Paths.DaemonLock()
	for try := 0; ; try++ {
		l, h, err := lockfile.TryAcquire(path, self)
		if err != nil {
			return err
		}
		if l != nil {
			d.lock = l
			return nil
		}
		if try < 2 {
			// A `reel daemon status` probing the lock holds it shared for
			// an instant; a daemon never does for longer.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
				continue
			}
		}
		info := infoFrom(h)
		return reel.Errorf(reel.EBUSY, "a reel daemon is already running: pid %d, socket %s", info.PID, info.Socket).
			WithHint("see it with: reel daemon status; stop it with: reel daemon stop")
	}
}

// serve serves h on ln in a goroutine of its own.
func (d *Daemon) serve(ln net.Listener, h http.Handler, network, addr string) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return d.ctx },
	}
	d.servers = append(d.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("serve", "network", network, "addr", addr, "err", err)
			d.stop(fmt.Errorf("serve %s %s: %w", network, addr, err))
		}
	}()
}

// goRun runs f in a goroutine that Close cancels and waits for.
func (d *Daemon) goRun(f func(ctx context.Context)) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		f(d.ctx)
	}()
}

// config returns the configuration in force.
func (d *Daemon) config() *config.Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg
}

// Reload re-reads the configuration with Options.Reload, then re-arms the
// sync and reap timers and the watches. On an error the configuration in
// force stays. The listeners and the store are not changed: that needs a
// restart, which the log says.
func (d *Daemon) Reload() error {
	old := d.config()
	cfg := old
	if d.opts.Reload != nil {
		c, err := d.opts.Reload()
		if err != nil {
			d.log.Error("reload config", "err", err)
			return fmt.Errorf("reload config: %w", err)
		}
		cfg = c
	}
	d.mu.Lock()
	d.cfg = cfg
	d.status.Reloads++
	d.mu.Unlock()
	for _, ch := range []chan struct{}{d.syncReload, d.reapReload} {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	if d.watch != nil && d.opts.WatchPaths != nil {
		d.watch.rearm(d.opts.WatchPaths())
	}
	if cfg.Daemon.Listen != old.Daemon.Listen || cfg.Store.URL != old.Store.URL {
		d.log.Warn("listen address and store changes take effect at the next start", "listen", cfg.Daemon.Listen)
	}
	d.log.Info("config reloaded", "file", cfg.File, "sync_interval", cfg.Daemon.SyncInterval.String(),
		"sync_debounce", cfg.Daemon.SyncDebounce.String(), "reap_interval", cfg.Daemon.ReapInterval.String())
	return nil
}

// Done is closed when the daemon stops: after Close, or when a listener
// fails (Err says why).
func (d *Daemon) Done() <-chan struct{} { return d.done }

// Err returns why the daemon stopped on its own, or nil.
func (d *Daemon) Err() error {
	select {
	case <-d.done:
		return d.doneErr
	default:
		return nil
	}
}

func (d *Daemon) stop(err error) {
	d.doneOnce.Do(func() {
		d.doneErr = err
		close(d.done)
	})
}

// Close stops the daemon: it stops accepting connections and waits for
// in-flight requests (up to Options.ShutdownTimeout), stops the loops and
// the background work and waits for them, removes the socket it created,
// and releases the lock, in that order. It is safe to call more than once.
func (d *Daemon) Close() error {
	d.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), d.opts.ShutdownTimeout)
		defer cancel()
		var errs []error
		for _, srv := range d.servers {
			if err := srv.Shutdown(ctx); err != nil {
				d.log.Warn("requests still running at shutdown; closing them", "err", err)
				srv.Close()
			}
		}
		d.cancel()
		if d.sigs != nil {
			signal.Stop(d.sigs)
		}
		if d.watch != nil {
			errs = append(errs, d.watch.close())
		}
		d.wg.Wait()
		if d.sock != nil {
			errs = append(errs, d.sock.Remove())
		}
		if d.lock != nil {
			errs = append(errs, d.lock.Release())
			d.log.Info("daemon stopped")
		}
		d.closeErr = errors.Join(errs...)
		d.stop(nil)
	})
	return d.closeErr
}

package cli

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/hookrecv"
	"github.com/reel-sh/reel/internal/hookspool"
	"github.com/reel-sh/reel/internal/httpapi"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/live"
	"github.com/reel-sh/reel/internal/mcp"
	"github.com/reel-sh/reel/internal/timeline"
	"github.com/reel-sh/reel/internal/tmux"
)

// Intervals of the daemon's background work beside sync and reap.
const (
	// pidRetry is how often PIDs still missing are looked for.
	pidRetry = 2 * time.Second
	// spoolDrain is how often the hook spool is drained after the first
	// drain at start: events spooled while the daemon was briefly busy.
	spoolDrain = 30 * time.Second
	// agentsTTL is how old a supervised-session list the API may serve:
	// what only tmux knows (output, a pane that ended) shows within it;
	// changes made through reel show at once.
	agentsTTL = time.Second
)

// daemonServices is everything the daemon serves and runs besides sync:
// the supervisor, the live sessions agents' hooks feed, and the API and
// MCP over them.
type daemonServices struct {
	ds   *daemonSync
	log  *slog.Logger
	sup  *tmux.Supervisor
	live *live.Manager
	recv *hookrecv.Receiver
	svc  httpapi.Services
	mcp  http.Handler
}

// newDaemonServices wires the daemon's services over the store it opened.
func newDaemonServices(ctx context.Context, ds *daemonSync) (*daemonServices, error) {
	app, cfg := ds.view(), ds.cfg.Load()
	sup, err := app.tmuxSupervisor(ctx)
	if err != nil {
		return nil, err
	}
	m, err := live.NewManager(live.Options{
		Journals: cfg.Paths.Live(), Snapshots: cfg.Paths.Snapshots(), Live: cfg.Live, Host: cfg.Host,
		OnError: func(err error) { ds.log.Error("live sessions", "err", err) },
	})
	if err != nil {
		return nil, err
	}
	d := &daemonServices{ds: ds, log: ds.log, sup: sup, live: m}
	d.recv = hookrecv.New(hookrecv.Options{Live: m, Observer: sup, CheckpointPrompts: true, Logger: ds.log})
	tl := timeline.New(ds.store)
	d.svc = httpapi.Services{
		Store: ds.store, Checkpoints: ds.store, Checkpoint: d.checkpoint, Timeline: tl, Supervisor: sup,
		Hooks: d.recv, Sync: d.sync, Status: d.status, Export: d.export,
	}
	d.mcp = mcp.Handler(mcp.NewServer(
		mcp.Deps{Store: ds.store, Timeline: tl, Supervisor: sup, Checkpoints: ds.store},
		mcp.Options{Control: cfg.MCP.Control, Version: version(), Logger: ds.log}))
	return d, nil
}

// handler serves the API and MCP on the unix socket.
func (d *daemonServices) handler() http.Handler {
	return httpapi.NewServer(d.svc, httpapi.Options{Logger: d.log, AgentsTTL: agentsTTL, Mount: map[string]http.Handler{"/mcp": d.mcp}}).Handler()
}

// tcpHandler serves the same on TCP, behind the token, the Host check
// and the rate limit.
func (d *daemonServices) tcpHandler(cfg *config.Config) func(token string) http.Handler {
	return func(token string) http.Handler {
		opts := httpapi.Options{
			Token: token, CheckHost: true, Addr: cfg.Daemon.Listen, AllowedHosts: cfg.Daemon.AllowedHosts,
			RateLimit: cfg.Daemon.RateLimit, Logger: d.log, AgentsTTL: agentsTTL, Mount: map[string]http.Handler{"/mcp": d.mcp},
		}
		if err := opts.ValidateTCP(); err != nil {
			d.log.Error("tcp listener", "err", err)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "reel daemon: the TCP listener is misconfigured; see its log", http.StatusServiceUnavailable)
			})
		}
		return httpapi.NewServer(d.svc, opts).Handler()
	}
}

// background is the daemon's work beside sync and reap: live recovery,
// then the hook spool, the supervisor's reconciliation and PID capture,
// and the snapshots of live sessions and of the active recording.
func (d *daemonServices) background() []func(context.Context) {
	return []func(context.Context){
		func(ctx context.Context) {
			if err := d.live.Run(ctx); err != nil {
				d.log.Error("live snapshots", "err", err)
			}
		},
		// The active shell recording's snapshot, which only the shell's
		// hook and reel checkpoint write otherwise.
		func(ctx context.Context) {
			every(ctx, d.ds.cfg.Load().Live.SnapshotInterval.Duration, func() {
				if err := journal.SnapshotActiveRecording(ctx, d.ds.cfg.Load()); err != nil && ctx.Err() == nil {
					d.log.Warn("snapshot the active recording", "err", err)
				}
			})
		},
		func(ctx context.Context) {
			// Sessions a dead daemon left are ended and ingested before the
			// spool's events reopen them.
			if rep, err := recoverLiveLocked(ctx, d.ds.view(), false); err != nil {
				d.log.Error("recover live sessions", "err", err)
			} else if rep != nil && len(rep.Recovered) > 0 {
				d.log.Info("recovered live sessions", "count", len(rep.Recovered))
			}
			d.drain(ctx)
			every(ctx, spoolDrain, func() { d.drain(ctx) })
		},
		func(ctx context.Context) {
			if rep, err := d.sup.Reconcile(ctx); err != nil {
				d.log.Warn("reconcile supervised sessions", "err", err)
			} else if len(rep.Removed)+len(rep.Stopped) > 0 {
				d.log.Info("reconciled supervised sessions", "removed", len(rep.Removed), "stopped", len(rep.Stopped))
			}
			every(ctx, pidRetry, func() {
				if _, err := d.sup.CapturePIDs(ctx); err != nil && ctx.Err() == nil {
					d.log.Debug("capture pids", "err", err)
				}
			})
		},
	}
}

// every calls fn every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn()
		}
	}
}

// drain hands the spooled hook events to the receiver.
func (d *daemonServices) drain(ctx context.Context) {
	n, err := hookspool.Drain(ctx, d.ds.cfg.Load().Paths.HookSpool(), d.recv)
	switch {
	case reel.ErrorCode(err) == reel.EBUSY || ctx.Err() != nil:
	case err != nil:
		d.log.Error("drain hook spool", "delivered", n, "err", err)
	case n > 0:
		d.log.Info("drained hook spool", "delivered", n)
	}
}

// close ends the daemon's hold on its live sessions; the next daemon
// reopens them.
func (d *daemonServices) close() error { return d.live.Close() }

// checkpoint makes a checkpoint of a session: in its journal when this
// daemon writes it live, else in the store at its event count.
func (d *daemonServices) checkpoint(ctx context.Context, ref, label string, state json.RawMessage) (reel.Checkpoint, error) {
	var found *live.Session
	for _, in := range d.live.Sessions() {
		if strings.HasPrefix(in.SessionID, ref) && ref != "" {
			if found != nil {
				return reel.Checkpoint{}, reel.Errorf(reel.EAMBIGUOUS, "session id %q is ambiguous", ref).WithHint("type more of the id")
			}
			found, _ = d.live.Session(in.SessionID)
		}
	}
	if found != nil {
		return found.Checkpoint(label, state)
	}
	return storeCheckpoint(ctx, d.ds.view(), ref, checkpointRequest{Label: label, State: state, Time: time.Now().UTC()})
}

// sync runs one sync of the named sources (every enabled one if none),
// as reel sync --no-wait does.
func (d *daemonServices) sync(ctx context.Context, sources []string) (any, error) {
	rec, err := d.ds.syncSources(ctx, sources)
	if rec == nil {
		return nil, err
	}
	return rec, err
}

// status is what reel status --json prints, with the daemon's live
// sessions.
func (d *daemonServices) status(ctx context.Context) (any, error) {
	return buildStatus(ctx, d.ds.view())
}

// export writes a session as reel export does.
func (d *daemonServices) export(ctx context.Context, w io.Writer, session, format string) error {
	opts := &exportOptions{app: d.ds.view(), ref: session, format: format}
	if !isExportFormat(format) {
		return reel.Errorf(reel.EINVALID, "unknown export format %q", format).
			WithHint("use " + strings.Join(exportFormats(), ", "))
	}
	return exportTo(ctx, opts, w)
}

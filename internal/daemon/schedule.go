package daemon

import (
	"context"
	"time"

	"github.com/reel-sh/reel"
)

// changed tells the sync loop that a watched source changed. It never
// blocks: one pending change is enough.
func (d *Daemon) changed() {
	select {
	case d.changes <- struct{}{}:
	default:
	}
}

// syncLoop runs Options.Sync at start, every SyncInterval, and
// SyncDebounce after the first change in a watched source (changes during
// that window join it, so a source written continuously still syncs). It
// is the only caller of Sync, so two syncs never overlap in the daemon.
func (d *Daemon) syncLoop(ctx context.Context) {
	cfg := d.config()
	ticker := time.NewTicker(cfg.Daemon.SyncInterval.Duration)
	defer ticker.Stop()
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	pending := false
	d.runSync(ctx, "start")
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.syncReload:
			cfg = d.config()
			ticker.Reset(cfg.Daemon.SyncInterval.Duration)
			if pending {
				debounce.Reset(cfg.Daemon.SyncDebounce.Duration)
			}
		case <-d.changes:
			if !pending {
				pending = true
				debounce.Reset(cfg.Daemon.SyncDebounce.Duration)
			}
		case <-debounce.C:
			pending = false
			d.runSync(ctx, "change")
		case <-ticker.C:
			if d.watch != nil && d.opts.WatchPaths != nil {
				// Catch folders that appeared where no watch could see them.
				d.watch.rearm(d.opts.WatchPaths())
			}
			d.runSync(ctx, "interval")
		}
	}
}

// runSync runs one sync and records how it went. A sync skipped because
// another holds the lock is logged, not counted as an error.
func (d *Daemon) runSync(ctx context.Context, why string) {
	start := time.Now()
	err := d.opts.Sync(ctx)
	if ctx.Err() != nil {
		return
	}
	took := time.Since(start).Round(time.Millisecond)
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case err == nil:
		d.status.Syncs++
		d.status.LastSync, d.status.LastSyncError = time.Now().UTC(), ""
		d.log.Debug("sync done", "why", why, "took", took.String())
	case reel.ErrorCode(err) == reel.EBUSY:
		d.status.SyncsSkipped++
		d.log.Info("sync skipped: another sync holds the lock", "why", why, "detail", err.Error())
	default:
		d.status.Syncs++
		d.status.SyncErrors++
		d.status.LastSync, d.status.LastSyncError = time.Now().UTC(), err.Error()
		d.log.Error("sync failed", "why", why, "took", took.String(), "err", err)
	}
}

// reapLoop runs the reaper at start and every ReapInterval. EUNSUPPORT
// (no tmux here) is logged once until a reap succeeds again.
func (d *Daemon) reapLoop(ctx context.Context) {
	cfg := d.config()
	ticker := time.NewTicker(cfg.Daemon.ReapInterval.Duration)
	defer ticker.Stop()
	unsupported := false
	for {
		rep, err := d.opts.Reaper.Reap(ctx)
		if ctx.Err() != nil {
			return
		}
		d.mu.Lock()
		d.status.Reaps++
		if err != nil {
			d.status.ReapErrors++
		}
		d.mu.Unlock()
		switch {
		case err == nil:
			unsupported = false
			if len(rep.Removed)+len(rep.Stopped) > 0 {
				d.log.Info("reaped", "removed", names(rep.Removed), "stopped", names(rep.Stopped))
			}
		case reel.ErrorCode(err) == reel.EUNSUPPORT:
			if !unsupported {
				d.log.Warn("reaper unavailable; not logging again until it works", "err", err)
			}
			unsupported = true
		default:
			d.log.Error("reap", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-d.reapReload:
			cfg = d.config()
			ticker.Reset(cfg.Daemon.ReapInterval.Duration)
		case <-ticker.C:
		}
	}
}

// names lists the sessions' names, for the log.
func names(as []reel.AgentSession) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

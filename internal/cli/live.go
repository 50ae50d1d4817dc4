package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/live"
	"github.com/reel-sh/reel/internal/lockfile"
	"github.com/reel-sh/reel/internal/snapshot"
	"github.com/reel-sh/reel/internal/syncer"
)

// liveFiles narrows a live session importer to some journals, so that
// recovery syncs the sessions it recovers alone.
type liveFiles struct {
	*ingest.Live
	only map[string]bool
}

// Discover calls fn for the journals in only.
func (l liveFiles) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	return l.Live.Discover(ctx, root, func(f reel.SourceFile) error {
		if !l.only[f.Path] {
			return nil
		}
		return fn(f)
	})
}

// acquireSyncLock takes the single-flight sync lock, saying on stderr
// whom it waits for.
func acquireSyncLock(ctx context.Context, app *App, what string) (*lockfile.Lock, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	if err := cfg.Paths.EnsureDirs(); err != nil {
		return nil, err
	}
	return lockfile.Acquire(ctx, cfg.Paths.SyncLock(), lockfile.Self(what), func(h lockfile.Holder) {
		fmt.Fprintf(app.Streams.Err, "reel: waiting for the sync already running (%s)...\n", h)
	})
}

// recoverLive recovers the live sessions whose writer died into store
// (see live.Recover), and records what it found in the state folder when
// it found anything. The caller holds the sync lock.
func recoverLive(ctx context.Context, app *App, store reel.Store, dryRun bool) (*live.Report, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	opt := live.RecoverOptions{
		Snapshots: cfg.Paths.Snapshots(), MaxAge: cfg.Live.SnapshotMaxAge.Duration, DryRun: dryRun,
		Sync: func(ctx context.Context, journals []string) error {
			return syncLiveJournals(ctx, app, store, journals)
		},
		PutCheckpoint: store.PutCheckpoint,
	}
	rep, err := live.Recover(ctx, opt)
	if rep != nil && !dryRun && len(rep.Recovered)+len(rep.Failed)+len(rep.Pruned) > 0 {
		if werr := live.WriteReport(cfg.Paths.LastRecovery(), rep); werr != nil && err == nil {
			err = werr
		}
	}
	return rep, err
}

// syncLiveJournals syncs the live journals at paths into store, each with
// the importer of its source (the name of its folder). The caller holds
// the sync lock.
func syncLiveJournals(ctx context.Context, app *App, store reel.Store, paths []string) error {
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	var sources []syncer.Source
	byDir := map[string]liveFiles{}
	for _, p := range paths {
		dir := filepath.Dir(p)
		lf, ok := byDir[dir]
		if !ok {
			lf = liveFiles{Live: ingest.NewLive(filepath.Base(dir)), only: map[string]bool{}}
			byDir[dir] = lf
			sources = append(sources, syncer.Source{Importer: lf, Root: dir})
		}
		lf.only[p] = true
	}
	rec, err := syncer.Run(ctx, syncer.Options{Store: store, Sources: sources, MaxLineBytes: cfg.Sync.MaxLineBytes, Host: cfg.Host})
	if err != nil {
		return err
	}
	if rec.Outcome == syncer.OutcomeFailed {
		return reel.Errorf(reel.EINTERNAL, "sync live journals: %s", rec.Error)
	}
	return nil
}

// printLiveRecovery says what a recovery of live sessions did.
func printLiveRecovery(s *Streams, rep *live.Report) {
	verb := map[bool]string{true: "would recover", false: "recovered"}[rep.DryRun]
	for _, r := range rep.Recovered {
		if r.Discarded {
			fmt.Fprintf(s.Out, "%s live session %s: its journal was never written\n",
				map[bool]string{true: "would discard", false: "discarded"}[rep.DryRun], reel.ShortID(r.SessionID))
			continue
		}
		torn := ""
		if r.Torn != nil {
			torn = fmt.Sprintf(", torn last line of %d bytes cut off", r.Torn.Bytes)
		}
		fmt.Fprintf(s.Out, "%s live session %s %q as %s: %d events, %d checkpoints (%s%s)\n", verb,
			s.Paint(styleBold, reel.ShortID(r.SessionID)), r.Title, r.Status, r.Events, r.Checkpoints, r.Reason, torn)
		for _, b := range r.Bad {
			fmt.Fprintf(s.Out, "  %s unreadable line kept: %s\n", s.Paint(styleYellow, "!"), b)
		}
	}
	for _, id := range rep.Busy {
		fmt.Fprintf(s.Out, "%s live session %s: its writer died, but another process has it open now\n", s.Paint(styleDim, "·"), reel.ShortID(id))
	}
	for _, f := range rep.Failed {
		fmt.Fprintf(s.Out, "%s live session %s: %s (kept for the next recovery)\n", s.Paint(styleRed, "!"), reel.ShortID(f.SessionID), f.Error)
	}
	for _, b := range rep.BadSnapshots {
		fmt.Fprintf(s.Out, "%s snapshot %s: %s\n", s.Paint(styleYellow, "!"), b.Path, b.Error)
	}
	if len(rep.Pruned) > 0 {
		fmt.Fprintf(s.Out, "Removed %d snapshots older than the snapshot_max_age.\n", len(rep.Pruned))
	}
}

// liveStatus is the live part of reel status --json.
type liveStatus struct {
	// Active counts the live sessions whose writer runs.
	Active int `json:"active"`
	// Interrupted lists the sessions whose writer died, awaiting
	// recovery (the next reel sync or reel recover).
	Interrupted []*snapshot.Snapshot `json:"interrupted"`
	// LastRecovery is the last recovery that found anything.
	LastRecovery *live.Report `json:"last_recovery"`
}

// readLiveStatus gathers the live part of reel status.
func readLiveStatus(app *App) (*liveStatus, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	st := &liveStatus{}
	if st.Active, st.Interrupted, err = snapshotStates(cfg.Paths.Snapshots()); err != nil {
		return nil, err
	}
	st.LastRecovery, err = live.ReadReport(cfg.Paths.LastRecovery())
	return st, err
}

// snapshotStates reads the snapshots in dir and counts those whose owner
// runs; it returns those whose owner died, not completed, newest first.
func snapshotStates(dir string) (active int, interrupted []*snapshot.Snapshot, err error) {
	snaps, _, err := snapshot.List(dir)
	if err != nil {
		return 0, nil, err
	}
	interrupted = []*snapshot.Snapshot{}
	for _, sn := range snaps {
		switch {
		case sn.Completed:
		case sn.Owner.Alive():
			active++
		default:
			interrupted = append(interrupted, sn)
		}
	}
	return active, interrupted, nil
}

// printLiveStatus prints the live part of reel status, when there is
// anything to say.
func printLiveStatus(s *Streams, st *liveStatus) {
	if st.Active > 0 || len(st.Interrupted) > 0 {
		fmt.Fprintf(s.Out, "%s %d being written, %d interrupted\n", s.Paint(styleBold, "Live sessions:"), st.Active, len(st.Interrupted))
		for _, sn := range st.Interrupted {
			fmt.Fprintf(s.Out, "  %s %s %q: %d events, writer pid %d died (snapshot %s); run 'reel recover' or 'reel sync'\n",
				s.Paint(styleYellow, "!"), reel.ShortID(sn.SessionID), sn.Title, sn.Events, sn.Owner.PID, sn.Time.Local().Format(time.DateTime))
		}
	}
	if r := st.LastRecovery; r != nil {
		fmt.Fprintf(s.Out, "%s %s: %d recovered live sessions, %d failed\n", s.Paint(styleBold, "Last recovery:"),
			r.Time.Local().Format(time.DateTime), len(r.Recovered), len(r.Failed))
		for _, rc := range r.Recovered {
			fmt.Fprintf(s.Out, "  %s %q: %d events, %d checkpoints, %s\n", reel.ShortID(rc.SessionID), rc.Title, rc.Events, rc.Checkpoints, rc.Status)
		}
		for _, f := range r.Failed {
			fmt.Fprintf(s.Out, "  %s %s: %s\n", s.Paint(styleRed, "!"), reel.ShortID(f.SessionID), f.Error)
		}
	}
	if st.Active > 0 || len(st.Interrupted) > 0 || st.LastRecovery != nil {
		fmt.Fprintln(s.Out)
	}
}

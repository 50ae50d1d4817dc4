package journal

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/snapshot"
)

// DefaultSnapshotResults is how many of the last commands a recording's
// snapshot keeps when Dir.SnapshotResults is 0.
const DefaultSnapshotResults = 10

// Snapshot describes recording r as a crash snapshot (see
// internal/snapshot), written now: its session, event and checkpoint
// counts, its last results commands (each "$ cmd" and its exit status,
// cut to a preview), its project (the folder of its last command, else
// the folder it started in) and its owner, the recording shell. A
// recording has no tokens or cost. Command results carry the seq of the
// command's event when the recording holds commands alone; with output or
// skip lines (a replay) they carry the command's number less one.
func Snapshot(r *Recording, results int, now time.Time) *snapshot.Snapshot {
	h := r.Header
	s := &snapshot.Snapshot{
		SessionID: SessionID(h.ID), Source: reel.SourceShell, NativeID: h.ID, Title: r.Name, Project: h.Cwd,
		Journal: r.Path, Events: r.Events, Checkpoints: int64(len(r.Checkpoints)), StartedAt: h.StartedAt,
		Time: now.UTC(), Completed: r.Ended(), Owner: h.Owner,
	}
	if n := len(r.Checkpoints); n > 0 {
		s.LastCheckpoint = r.Checkpoints[n-1].ID
	}
	if n := len(r.Commands); n > 0 && r.Commands[n-1].Cwd != "" {
		s.Project = r.Commands[n-1].Cwd
	}
	if results <= 0 {
		results = DefaultSnapshotResults
	}
	first := max(0, len(r.Commands)-results)
	s.Results = make([]snapshot.ToolResult, 0, len(r.Commands)-first)
	for _, c := range r.Commands[first:] {
		text := fmt.Sprintf("$ %s\nexit %d", c.Cmd, c.Exit)
		s.Results = append(s.Results, snapshot.ToolResult{
			Seq: int64(c.N - 1), Time: c.End().UTC(), Tool: "shell", IsError: c.Exit != 0,
			Preview: snapshot.Preview(text, snapshot.PreviewBytes), Bytes: len(text),
		})
	}
	return s
}

// writeSnapshot rewrites the snapshot of recording r in d.Snapshots. A Dir
// without a snapshot folder keeps none.
func (d Dir) writeSnapshot(r *Recording, now time.Time) error {
	if d.Snapshots == "" {
		return nil
	}
	return snapshot.Write(d.Snapshots, Snapshot(r, d.SnapshotResults, now))
}

// completeSnapshot marks the snapshot of a recording that ended cleanly
// completed, then removes it: a crash between the two leaves a completed
// snapshot, which needs no recovery.
func (d Dir) completeSnapshot(r *Recording, now time.Time) error {
	if d.Snapshots == "" {
		return nil
	}
	if err := d.writeSnapshot(r, now); err != nil {
		return err
	}
	return snapshot.Remove(d.Snapshots, SessionID(r.Header.ID))
}

// removeSnapshot removes the snapshot of recording id.
func (d Dir) removeSnapshot(id string) error {
	if d.Snapshots == "" {
		return nil
	}
	return snapshot.Remove(d.Snapshots, SessionID(id))
}

// SnapshotActive rewrites the snapshot of the shell recording active for
// this user, if there is one, and reports whether there was. The daemon
// calls it periodically (every live.snapshot_interval), so that a
// recording's snapshot follows its commands between checkpoints.
func (d Dir) SnapshotActive(ctx context.Context, now time.Time) (bool, error) {
	g, err := d.guard(ctx, "reel snapshot")
	if err != nil {
		return false, err
	}
	defer g.Release()
	list, _, err := d.List()
	if err != nil {
		return false, err
	}
	e, ok := activeShell(list)
	if !ok {
		return false, nil
	}
	return true, d.writeSnapshot(e.Recording, now)
}

// byNewest orders dead recordings for recovery, newest first: by the time
// of their snapshot where they have one, else by when they were last
// written.
func (d Dir) byNewest(list []Entry) []Entry {
	at := map[string]time.Time{}
	if d.Snapshots != "" {
		snaps, _, _ := snapshot.List(d.Snapshots)
		for _, s := range snaps {
			at[s.NativeID] = s.Time
		}
	}
	when := func(e Entry) time.Time {
		if t, ok := at[e.Header.ID]; ok {
			return t
		}
		return e.LastTime()
	}
	out := append([]Entry(nil), list...)
	sort.SliceStable(out, func(i, j int) bool { return when(out[i]).After(when(out[j])) })
	return out
}

// sweepSnapshots removes the snapshots that no recording needs: those of
// recordings that ended or vanished, unless their owner still runs (a
// start in progress), and those older than d.SnapshotMaxAge (see
// snapshot.Prune). It returns the files removed.
func (d Dir) sweepSnapshots(list []Entry, now time.Time) ([]string, error) {
	if d.Snapshots == "" {
		return nil, nil
	}
	open := map[string]bool{}
	for _, e := range list {
		if !e.Ended() {
			open[e.Header.ID] = true
		}
	}
	snaps, _, err := snapshot.List(d.Snapshots)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, s := range snaps {
		if open[s.NativeID] || !s.Completed && s.Owner.Alive() {
			continue
		}
		if err := snapshot.Remove(d.Snapshots, s.SessionID); err != nil {
			return removed, err
		}
		removed = append(removed, snapshot.Path(d.Snapshots, s.SessionID))
	}
	pruned, err := snapshot.Prune(d.Snapshots, d.SnapshotMaxAge, now)
	return append(removed, pruned...), err
}

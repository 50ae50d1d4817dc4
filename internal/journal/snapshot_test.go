package journal_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/snapshot"
)

func snapDir(t *testing.T) journal.Dir {
	d := newDir(t)
	d.Snapshots = filepath.Join(filepath.Dir(d.Locks), "rec", "snapshots")
	d.SnapshotResults = 2
	return d
}

func readSnap(t *testing.T, d journal.Dir, id string) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Read(snapshot.Path(d.Snapshots, journal.SessionID(id)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDir_Snapshot follows a recording's snapshot through a real bash
// owner: written at start, rewritten at a checkpoint and by SnapshotActive,
// and, after the shell is killed, removed by the recovery that ends the
// recording.
func TestDir_Snapshot(t *testing.T) {
	ctx := context.Background()
	d := snapDir(t)
	a := startShell(t, d, "work", false)
	id := a.id(t)
	s := readSnap(t, d, id)
	if s.Completed || s.Owner.PID != a.cmd.Process.Pid || s.Events != 0 || s.Source != reel.SourceShell || s.NativeID != id {
		t.Fatalf("snapshot at start = %+v; want not completed, owned by the shell pid %d", s, a.cmd.Process.Pid)
	}
	appendCommands(t, d.JournalPath(id), 3, false)
	_, c, err := d.Checkpoint(ctx, "mid", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s = readSnap(t, d, id)
	if s.Events != 3 || s.Checkpoints != 1 || s.LastCheckpoint != c.ID || s.Project != "/tmp" || len(s.Results) != 2 {
		t.Fatalf("snapshot after the checkpoint = %+v; want 3 events, the checkpoint, project /tmp, the last 2 commands", s)
	}
	if r := s.Results[1]; r.Seq != 2 || r.Preview != "$ echo 3\nexit 0" || r.Tool != "shell" {
		t.Errorf("last result = %+v", r)
	}
	appendCommands(t, d.JournalPath(id), 1, false)
	if ok, err := d.SnapshotActive(ctx, time.Now()); !ok || err != nil {
		t.Fatalf("SnapshotActive = %v, %v", ok, err)
	}
	if s = readSnap(t, d, id); s.Events != 4 {
		t.Errorf("SnapshotActive wrote %d events, want 4", s.Events)
	}

	a.kill()
	if ok, err := d.SnapshotActive(ctx, time.Now()); ok || err != nil {
		t.Errorf("SnapshotActive with no live recording = %v, %v", ok, err)
	}
	if dead, _, _ := snapshot.Dead(d.Snapshots); len(dead) != 1 || dead[0].NativeID != id {
		t.Fatalf("dead snapshots = %+v, want the killed recording's", dead)
	}
	// A stale snapshot of a recording that no longer exists goes too.
	stale := &snapshot.Snapshot{SessionID: "stale", NativeID: "gone", Owner: s.Owner, Time: time.Now()}
	if err := snapshot.Write(d.Snapshots, stale); err != nil {
		t.Fatal(err)
	}
	rcs, err := d.Recover(ctx, time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rcs) != 1 || rcs[0].ID != id || rcs[0].Commands != 4 {
		t.Fatalf("Recover = %+v; want the killed recording with 4 commands", rcs)
	}
	if snaps, _, _ := snapshot.List(d.Snapshots); len(snaps) != 0 {
		t.Errorf("snapshots left after recovery: %d, want none", len(snaps))
	}
}

// TestDir_SnapshotNewestFirst has two dead recordings, the one that
// started last with the newer snapshot (List gives it second), and checks
// that recovery takes it first.
func TestDir_SnapshotNewestFirst(t *testing.T) {
	d := snapDir(t)
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	owner := journal.OwnerOf(os.Getpid())
	owner.PID = gone.Process.Pid
	now := time.Now()
	var ids []string
	for i, snapAt := range []time.Time{now.Add(-time.Minute), now.Add(-time.Hour)} {
		h := journal.Header{ID: journal.NewID(), Name: fmt.Sprintf("r%d", i), Kind: journal.KindShell, Host: owner.Host,
			StartedAt: now.Add(-time.Duration(1+2*i) * time.Hour).UTC(), Owner: owner}
		path, err := journal.Create(d.Journals, h)
		if err != nil {
			t.Fatal(err)
		}
		appendCommands(t, path, 1, false)
		r, err := journal.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := snapshot.Write(d.Snapshots, journal.Snapshot(r, 5, snapAt)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID)
	}
	rcs, err := d.Recover(context.Background(), now, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rcs) != 2 || rcs[0].ID != ids[0] || rcs[1].ID != ids[1] {
		t.Fatalf("Recover = %+v; want %v, the newer snapshot first", rcs, ids)
	}
	if snaps, _, _ := snapshot.List(d.Snapshots); len(snaps) != 0 {
		t.Errorf("snapshots left after recovery: %d", len(snaps))
	}
}

// TestDir_SnapshotStop checks that a clean stop leaves no snapshot.
func TestDir_SnapshotStop(t *testing.T) {
	d := snapDir(t)
	a := startShell(t, d, "clean", false)
	id := a.id(t)
	appendCommands(t, d.JournalPath(id), 2, false)
	if _, rc, err := d.Stop(context.Background(), "", time.Now()); err != nil || rc != nil {
		t.Fatalf("Stop = %v, %v", rc, err)
	}
	if _, err := os.Stat(snapshot.Path(d.Snapshots, journal.SessionID(id))); !os.IsNotExist(err) {
		t.Errorf("snapshot after a clean stop: %v", err)
	}
}

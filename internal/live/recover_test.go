package live_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/live"
	"github.com/reel-sh/reel/internal/snapshot"
	"github.com/reel-sh/reel/internal/sqlite"
)

// orphan writes a session with m, releases it as a crashed process would
// leave it, and makes its snapshot name a dead owner.
func orphan(t *testing.T, f folders, m *live.Manager, meta live.Meta, events int) *live.Session {
	t.Helper()
	s := open(t, m, meta)
	for range events {
		if _, err := s.Append(msg("e")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Checkpoint("cp-"+meta.NativeID, nil); err != nil {
		t.Fatal(err)
	}
	m.Close()
	snap, err := snapshot.Read(snapshot.Path(f.snapshots, s.ID()))
	if err != nil {
		t.Fatal(err)
	}
	snap.Owner = deadOwner(t)
	if err := snapshot.Write(f.snapshots, snap); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRecover(t *testing.T) {
	ctx := context.Background()
	f := newFolders(t)
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "reel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a := orphan(t, f, f.manager(t, 0, 0), live.Meta{Source: reel.SourceHooks, NativeID: "claude-code:a", Title: "a"}, 3)
	time.Sleep(5 * time.Millisecond)
	b := orphan(t, f, f.manager(t, 0, 0), live.Meta{Source: reel.SourceHooks, NativeID: "claude-code:b", Title: "b"}, 2)
	// b's writer left a torn line.
	jf, _ := os.OpenFile(b.Path(), os.O_WRONLY|os.O_APPEND, 0)
	jf.WriteString(`{"t":"eve`)
	jf.Close()
	// A live session of this process is not recovered.
	alive := open(t, f.manager(t, 0, 0), live.Meta{Source: reel.SourceHooks, NativeID: "claude-code:alive"})
	opt := live.RecoverOptions{Snapshots: f.snapshots, Sync: syncInto(t, store), PutCheckpoint: store.PutCheckpoint}

	t.Run("DryRun", func(t *testing.T) {
		dry := opt
		dry.DryRun = true
		rep, err := live.Recover(ctx, dry)
		if err != nil || len(rep.Recovered) != 2 || rep.Recovered[0].SessionID != b.ID() || rep.Recovered[0].Torn == nil {
			t.Fatalf("dry run = %+v, %v; want b then a, b torn", rep, err)
		}
		if _, err := store.Session(ctx, a.ID()); reel.ErrorCode(err) != reel.ENOTFOUND {
			t.Errorf("a dry run ingested: %v", err)
		}
		if j, _, _ := readJournal(t, b.Path()); j.Torn == nil || j.Ended() {
			t.Error("a dry run changed the journal")
		}
	})
	t.Run("OK", func(t *testing.T) {
		rep, err := live.Recover(ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Recovered) != 2 || rep.Recovered[0].SessionID != b.ID() || rep.Recovered[1].SessionID != a.ID() {
			t.Fatalf("recovered %+v, want b then a", rep.Recovered)
		}
		for _, r := range rep.Recovered {
			s, err := store.Session(ctx, r.SessionID)
			if err != nil || s.Status != reel.StatusInterrupted || s.EventCount != r.Events || r.Checkpoints != 1 {
				t.Errorf("session %s after recovery = %+v, %v (report %+v)", r.SessionID, s, err, r)
			}
			cps, err := store.Checkpoints(ctx, r.SessionID)
			if err != nil || len(cps) != 1 || cps[0].Seq != r.Events {
				t.Errorf("checkpoints of %s = %+v, %v", r.SessionID, cps, err)
			}
			if _, err := os.Stat(snapshot.Path(f.snapshots, r.SessionID)); !os.IsNotExist(err) {
				t.Errorf("snapshot of %s kept: %v", r.SessionID, err)
			}
		}
		j, _, _ := readJournal(t, b.Path())
		if j.Torn != nil || j.End == nil || j.End.Status != reel.StatusInterrupted || j.End.Events != 2 {
			t.Errorf("b's journal after recovery: torn %v end %+v", j.Torn, j.End)
		}
		if _, err := os.Stat(snapshot.Path(f.snapshots, alive.ID())); err != nil {
			t.Errorf("the live session's snapshot went: %v", err)
		}
	})
	t.Run("Idempotent", func(t *testing.T) {
		rep, err := live.Recover(ctx, opt)
		if err != nil || len(rep.Recovered) != 0 {
			t.Errorf("second recovery = %+v, %v", rep.Recovered, err)
		}
	})
	t.Run("Busy", func(t *testing.T) {
		// A dead owner's snapshot, but a new writer holds the journal.
		snap, _ := snapshot.Read(snapshot.Path(f.snapshots, alive.ID()))
		snap.Owner = deadOwner(t)
		snapshot.Write(f.snapshots, snap)
		rep, err := live.Recover(ctx, opt)
		if err != nil || len(rep.Busy) != 1 || rep.Busy[0] != alive.ID() || len(rep.Recovered) != 0 {
			t.Errorf("recovery beside a writer = %+v, %v", rep, err)
		}
	})
	t.Run("Discarded", func(t *testing.T) {
		snap := &snapshot.Snapshot{SessionID: "gone", Journal: filepath.Join(f.journals, "hooks", "gone.ndjson"), Owner: deadOwner(t), Time: time.Now()}
		snapshot.Write(f.snapshots, snap)
		rep, err := live.Recover(ctx, opt)
		if err != nil || len(rep.Recovered) != 1 || !rep.Recovered[0].Discarded {
			t.Errorf("recovery of a snapshot without journal = %+v, %v", rep, err)
		}
		if _, err := os.Stat(snapshot.Path(f.snapshots, "gone")); !os.IsNotExist(err) {
			t.Errorf("its snapshot kept: %v", err)
		}
	})
	t.Run("Prune", func(t *testing.T) {
		old := &snapshot.Snapshot{SessionID: "old", Journal: "/nonexistent", Owner: deadOwner(t), Completed: true, Time: time.Now().Add(-48 * time.Hour)}
		snapshot.Write(f.snapshots, old)
		o := opt
		o.MaxAge = 24 * time.Hour
		rep, err := live.Recover(ctx, o)
		if err != nil || len(rep.Pruned) != 1 || rep.Pruned[0] != snapshot.Path(f.snapshots, "old") {
			t.Errorf("prune = %+v, %v", rep.Pruned, err)
		}
	})
	t.Run("Record", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "last-recovery.json")
		if r, err := live.ReadReport(p); r != nil || err != nil {
			t.Errorf("no record = %v, %v", r, err)
		}
		rep := &live.Report{Time: time.Now().UTC(), Recovered: []live.Recovered{{SessionID: "x", Events: 3}}}
		if err := live.WriteReport(p, rep); err != nil {
			t.Fatal(err)
		}
		got, err := live.ReadReport(p)
		if err != nil || len(got.Recovered) != 1 || got.Recovered[0].Events != 3 {
			t.Errorf("record = %+v, %v", got, err)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Errorf("record mode %v", fi.Mode())
		}
	})
}

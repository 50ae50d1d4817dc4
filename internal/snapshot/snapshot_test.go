package snapshot_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/proc"
	"github.com/reel-sh/reel/internal/snapshot"
)

func dead(t *testing.T) proc.Owner {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	o := proc.OwnerOf(os.Getpid())
	o.PID = cmd.Process.Pid
	return o
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snapshots")
	s := &snapshot.Snapshot{SessionID: "s1", Events: 4, Tokens: reel.Tokens{Input: 7}, Owner: proc.OwnerOf(os.Getpid()), Time: time.Now().UTC()}
	if err := snapshot.Write(dir, s); err != nil {
		t.Fatal(err)
	}
	got, err := snapshot.Read(snapshot.Path(dir, "s1"))
	if err != nil || got.Events != 4 || got.Tokens.Input != 7 || got.V != snapshot.Version || got.Results == nil {
		t.Errorf("Read = %+v, %v", got, err)
	}
	if fi, _ := os.Stat(snapshot.Path(dir, "s1")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v", fi.Mode())
	}
	for _, id := range []string{"", "../x", ".hidden"} {
		if err := snapshot.Write(dir, &snapshot.Snapshot{SessionID: id}); reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("Write(%q) = %v, want EINVALID", id, err)
		}
	}
	if _, err := snapshot.Read(filepath.Join(dir, "none.json")); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("Read of none = %v", err)
	}
	if err := snapshot.Remove(dir, "s1"); err != nil {
		t.Fatal(err)
	}
	if err := snapshot.Remove(dir, "s1"); err != nil {
		t.Errorf("second Remove = %v", err)
	}
}

func TestDead(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().UTC()
	for _, s := range []*snapshot.Snapshot{
		{SessionID: "old-dead", Owner: dead(t), Time: now.Add(-2 * time.Hour)},
		{SessionID: "new-dead", Owner: dead(t), Time: now.Add(-time.Minute)},
		{SessionID: "alive", Owner: proc.OwnerOf(os.Getpid()), Time: now},
		{SessionID: "completed", Owner: dead(t), Completed: true, Time: now},
	} {
		if err := snapshot.Write(dir, s); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600)
	got, bad, err := snapshot.Dead(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].SessionID != "new-dead" || got[1].SessionID != "old-dead" {
		t.Errorf("Dead = %v, want new-dead then old-dead", ids(got))
	}
	if len(bad) != 1 || filepath.Base(bad[0].Path) != "broken.json" {
		t.Errorf("bad = %+v", bad)
	}
	t.Run("Prune", func(t *testing.T) {
		old := now.Add(-48 * time.Hour)
		os.Chtimes(filepath.Join(dir, "broken.json"), old, old)
		snapshot.Write(dir, &snapshot.Snapshot{SessionID: "ancient-alive", Owner: proc.OwnerOf(os.Getpid()), Time: old})
		removed, err := snapshot.Prune(dir, time.Hour, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(removed) != 2 {
			t.Errorf("pruned %v, want old-dead and broken.json", removed)
		}
		left, _, _ := snapshot.List(dir)
		if len(left) != 4 {
			t.Errorf("left %v, want new-dead, alive, completed, ancient-alive", ids(left))
		}
	})
	if _, _, err := snapshot.List(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("List of a missing folder = %v", err)
	}
}

func ids(ss []*snapshot.Snapshot) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.SessionID)
	}
	return out
}

func TestPreview(t *testing.T) {
	for _, c := range []struct {
		text string
		n    int
		want string
	}{{"hello", 10, "hello"}, {"hello", 3, "hel"}, {"ééé", 3, "é"}, {"日本", 4, "日"}} {
		got := snapshot.Preview(c.text, c.n)
		if got != c.want || !utf8.ValidString(got) {
			t.Errorf("Preview(%q, %d) = %q, want %q", c.text, c.n, got, c.want)
		}
	}
}

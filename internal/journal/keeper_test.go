package journal_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/journal"
)

func TestKeep(t *testing.T) {
	setup := func(t *testing.T) (journalPath, lockPath string) {
		dir := t.TempDir()
		path, err := journal.Create(dir, journal.Header{ID: "k", Kind: journal.KindShell})
		if err != nil {
			t.Fatal(err)
		}
		lock := filepath.Join(dir, "k.lock")
		os.WriteFile(lock, nil, 0o600)
		return path, lock
	}
	run := func(o journal.KeepOptions) chan error {
		done := make(chan error, 1)
		go func() { done <- journal.Keep(context.Background(), o) }()
		return done
	}
	wait := func(t *testing.T, done chan error, what string) {
		t.Helper()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Keep = %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Keep did not return after %s", what)
		}
	}
	t.Run("LockRemoved", func(t *testing.T) {
		path, lock := setup(t)
		done := run(journal.KeepOptions{Journal: path, LockPath: lock, Owner: journal.OwnerOf(os.Getpid()), Interval: 20 * time.Millisecond})
		for i := range 5 {
			journal.Append(path, journal.Command{T: journal.TypeCmd, N: i + 1, Cmd: "x"})
		}
		select {
		case err := <-done:
			t.Fatalf("Keep returned while the recording is live: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		os.Remove(lock)
		wait(t, done, "the lock file was removed")
	})
	t.Run("OwnerDied", func(t *testing.T) {
		path, lock := setup(t)
		cmd := exec.Command("sleep", "30")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := run(journal.KeepOptions{Journal: path, LockPath: lock, Owner: journal.OwnerOf(cmd.Process.Pid), Interval: 20 * time.Millisecond})
		cmd.Process.Kill()
		cmd.Wait()
		wait(t, done, "the owner died")
	})
}

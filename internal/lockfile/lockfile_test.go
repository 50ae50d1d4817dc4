package lockfile_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/lockfile"
)

// TestHelperProcess holds the lock named by REEL_LOCK_PATH until killed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv("REEL_LOCK_PATH")
	if path == "" {
		t.Skip("helper process")
	}
	l, _, err := lockfile.TryAcquire(path, lockfile.Self("test holder"))
	if err != nil || l == nil {
		os.Exit(3)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Minute)
}

func TestAcquire_HeldByOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sync.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "REEL_LOCK_PATH="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("helper did not lock: %q %v", buf, err)
	}

	l, h, err := lockfile.TryAcquire(path, lockfile.Self("second"))
	if err != nil || l != nil {
		t.Fatalf("TryAcquire while held = %v, %v; want nil lock", l, err)
	}
	if h.PID != cmd.Process.Pid || h.What != "test holder" {
		t.Errorf("holder = %+v, want pid %d", h, cmd.Process.Pid)
	}

	// The kernel releases the lock when its holder is killed.
	cmd.Process.Kill()
	cmd.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	waited := false
	l, err = lockfile.Acquire(ctx, path, lockfile.Self("third"), func(lockfile.Holder) { waited = true })
	if err != nil {
		t.Fatalf("Acquire after holder died: %v", err)
	}
	defer l.Release()
	if waited {
		t.Error("waited for a dead holder")
	}
	got, _ := lockfile.ReadHolder(path)
	if got.PID != os.Getpid() {
		t.Errorf("holder pid = %d, want %d", got.PID, os.Getpid())
	}
}

func TestAcquire_WaitsThenTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sync.lock")
	held, _, err := lockfile.TryAcquire(path, lockfile.Self("first"))
	if err != nil || held == nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var seen lockfile.Holder
	_, err = lockfile.Acquire(ctx, path, lockfile.Self("second"), func(h lockfile.Holder) { seen = h })
	if err == nil {
		t.Fatal("Acquire succeeded while the lock was held")
	}
	if seen.PID != os.Getpid() || seen.What != "first" {
		t.Errorf("onWait holder = %+v", seen)
	}
	held.Release()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("lock file removed on release: %v", err)
	}
}

func TestProbe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "daemon.lock")
	if held, _, err := lockfile.Probe(path); err != nil || held {
		t.Fatalf("Probe(missing) = %v, %v; want free", held, err)
	}
	self := lockfile.Self("reel daemon")
	self.Detail = []byte(`{"socket":"/run/reel.sock"}`)
	l, _, err := lockfile.TryAcquire(path, self)
	if err != nil || l == nil {
		t.Fatal(err)
	}
	held, h, err := lockfile.Probe(path)
	if err != nil || !held {
		t.Fatalf("Probe(held) = %v, %v; want held", held, err)
	}
	if h.PID != os.Getpid() || string(h.Detail) != `{"socket":"/run/reel.sock"}` {
		t.Errorf("holder = %+v", h)
	}
	// Probing never takes the lock from its holder.
	if l2, _, _ := lockfile.TryAcquire(path, lockfile.Self("second")); l2 != nil {
		t.Fatal("second TryAcquire succeeded while held")
	}
	l.Release()
	held, h, err = lockfile.Probe(path)
	if err != nil || held || h.PID != os.Getpid() {
		t.Errorf("Probe(released) = %v, %+v, %v; want free with the last record", held, h, err)
	}
	if l3, _, _ := lockfile.TryAcquire(path, lockfile.Self("third")); l3 == nil {
		t.Error("lock not free after a probe")
	} else {
		l3.Release()
	}
}

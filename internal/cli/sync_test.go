package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/cli"
	"github.com/reel-sh/reel/internal/lockfile"
)

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestSync_SingleFlight(t *testing.T) {
	root := t.TempDir()
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("REEL_HOME", filepath.Join(root, "reel"))
	t.Setenv("CLAUDE_CONFIG_DIR", "")
	t.Setenv("CODEX_HOME", "")
	lockPath := filepath.Join(root, "reel", "state", "sync.lock")
	holder := lockfile.Holder{PID: os.Getpid(), Host: "test-host", StartedAt: time.Now().UTC(), What: "reel sync"}
	held, _, err := lockfile.TryAcquire(lockPath, holder)
	if err != nil || held == nil {
		t.Fatalf("take the sync lock: %v", err)
	}

	t.Run("NoWait", func(t *testing.T) {
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), []string{"sync", "--no-wait"}, nil, &out, &errb)
		if code != cli.ExitOK {
			t.Fatalf("exit = %d, want 0; stderr: %s", code, errb.String())
		}
		want := fmt.Sprintf("pid %d on test-host", os.Getpid())
		if !strings.Contains(errb.String(), want) || !strings.Contains(errb.String(), "not waiting") {
			t.Errorf("stderr = %q, want it to name the holder (%s)", errb.String(), want)
		}
	})

	t.Run("Waits", func(t *testing.T) {
		var out, errb lockedBuffer
		done := make(chan int)
		go func() {
			done <- cli.Main(context.Background(), []string{"sync"}, nil, &out, &errb)
		}()
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(errb.String(), "waiting for the sync already running") {
			if time.Now().After(deadline) {
				t.Fatalf("the second sync did not say it waits; stderr: %q", errb.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		select {
		case code := <-done:
			t.Fatalf("sync finished (exit %d) while the lock was held", code)
		case <-time.After(200 * time.Millisecond):
		}
		held.Release()
		if code := <-done; code != cli.ExitOK {
			t.Fatalf("exit = %d after the lock was released; stderr: %s", code, errb.String())
		}
		if !strings.Contains(out.String(), "Synced 0 files") {
			t.Errorf("stdout = %q", out.String())
		}
	})
}

package daemon_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/daemon"
)

// TestDaemon_Process runs real daemon processes on one REEL_HOME through
// a life: start and serve on a private socket, refuse a second one, reload
// on SIGHUP, survive kill -9 (the next start replaces the stale socket),
// and exit 0 on SIGTERM, removing the socket and freeing the lock.
func TestDaemon_Process(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"REEL_HOME": home}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	paths, socket := cfg.Paths, cfg.Paths.Socket()
	top := t

	first, ready := startHelper(t, home)
	if !ready {
		t.Fatalf("first daemon exited: %v\n%s", first.err, first.stderr)
	}
	pid := first.cmd.Process.Pid
	t.Run("Serves", func(t *testing.T) {
		fi, err := os.Lstat(socket)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
			t.Errorf("socket mode = %v, want a socket with 0600", fi.Mode())
		}
		di, err := os.Stat(filepath.Dir(socket))
		if err != nil || di.Mode().Perm() != 0o700 {
			t.Errorf("socket folder mode = %v (%v), want 0700", di.Mode(), err)
		}
		if st := getStatus(t, socket); st.PID != pid || st.Socket != socket || st.Version != "test" {
			t.Errorf("status = %+v, want pid %d on %s", st, pid, socket)
		}
		h, err := daemon.Holder(paths)
		if err != nil || h.PID != pid || h.Socket != socket || h.Version != "test" || h.StartedAt.IsZero() {
			t.Errorf("Holder = %+v, %v; want pid %d on %s", h, err, pid, socket)
		}
		li, err := os.Stat(paths.DaemonLog())
		if err != nil || li.Mode().Perm() != 0o600 {
			t.Errorf("log mode = %v (%v), want 0600", li.Mode(), err)
		}
	})
	t.Run("SecondIsBusy", func(t *testing.T) {
		second, ready := startHelper(t, home)
		if ready {
			t.Fatal("a second daemon started")
		}
		if code := second.wait(t); code != 4 {
			t.Errorf("second daemon exit = %d, want 4", code)
		}
		msg := second.stderr.String()
		if !strings.Contains(msg, "pid "+strconv.Itoa(pid)) || !strings.Contains(msg, socket) {
			t.Errorf("second daemon said %q; want the holder's pid %d and socket", msg, pid)
		}
		if st := getStatus(t, socket); st.PID != pid {
			t.Errorf("after the second start, status pid = %d, want %d", st.PID, pid)
		}
	})
	t.Run("SIGHUPReloads", func(t *testing.T) {
		if st := getStatus(t, socket); st.SyncInterval.Duration != 5*time.Minute {
			t.Fatalf("sync_interval = %s before the reload, want the default 5m", st.SyncInterval)
		}
		toml := "[daemon]\nsync_interval = \"7m\"\nreap_interval = \"45s\"\n"
		if err := os.WriteFile(paths.ConfigFile(), []byte(toml), 0o600); err != nil {
			t.Fatal(err)
		}
		first.cmd.Process.Signal(syscall.SIGHUP)
		eventually(t, 5*time.Second, "the daemon reloads config.toml", func() bool {
			st := getStatus(t, socket)
			return st.Reloads == 1 && st.SyncInterval.Duration == 7*time.Minute && st.ReapInterval.Duration == 45*time.Second
		})
	})
	t.Run("Kill9ThenRestart", func(t *testing.T) {
		first.cmd.Process.Signal(syscall.SIGKILL)
		first.wait(t)
		if fi, err := os.Lstat(socket); err != nil || fi.Mode().Type() != os.ModeSocket {
			t.Fatalf("after kill -9 the socket should be left behind: %v", err)
		}
		if _, err := daemon.Holder(paths); reel.ErrorCode(err) != reel.ENOTFOUND {
			t.Errorf("Holder after kill -9 = %v, want ENOTFOUND", err)
		}
		again, ready := startHelper(top, home) // it lives on into the next step
		if !ready {
			t.Fatalf("restart after kill -9 failed: %v\n%s", again.err, again.stderr)
		}
		if st := getStatus(t, socket); st.PID != again.cmd.Process.Pid {
			t.Errorf("status pid = %d, want the new daemon's %d", st.PID, again.cmd.Process.Pid)
		}
		first = again
	})
	t.Run("SIGTERMExitsClean", func(t *testing.T) {
		first.cmd.Process.Signal(syscall.SIGTERM)
		if code := first.wait(t); code != 0 {
			t.Fatalf("exit after SIGTERM = %d, want 0\n%s", code, first.stderr)
		}
		if _, err := os.Lstat(socket); !os.IsNotExist(err) {
			t.Errorf("socket still there after SIGTERM: %v", err)
		}
		if _, err := daemon.Holder(paths); reel.ErrorCode(err) != reel.ENOTFOUND {
			t.Errorf("Holder after SIGTERM = %v, want ENOTFOUND", err)
		}
		log, _ := os.ReadFile(paths.DaemonLog())
		for _, want := range []string{`"msg":"daemon started"`, `"msg":"config reloaded"`, `"signal":"terminated"`, `"msg":"daemon stopped"`} {
			if !strings.Contains(string(log), want) {
				t.Errorf("daemon.log lacks %s:\n%s", want, log)
			}
		}
	})
}

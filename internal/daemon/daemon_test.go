package daemon_test

import (
	"context"
	"crypto/subtle"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/daemon"
)

func TestDaemon_Run_ErrBusy(t *testing.T) {
	cfg := testConfig(t, "")
	start(t, daemon.Options{Config: cfg, Version: "v1"})
	d, err := daemon.New(daemon.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Run(context.Background())
	if reel.ErrorCode(err) != reel.EBUSY {
		t.Fatalf("second Run = %v, want EBUSY", err)
	}
	want := "pid " + strconv.Itoa(os.Getpid()) + ", socket " + cfg.Paths.Socket()
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %q", err, want)
	}
	// The failed daemon left the first one's socket alone.
	if st := getStatus(t, cfg.Paths.Socket()); st.Version != "v1" {
		t.Errorf("status after the failed start = %+v", st)
	}
}

// TestDaemon_Run_RegularFileAtSocket: a file that is not a socket where
// the socket goes is never removed, and the error says so.
func TestDaemon_Run_RegularFileAtSocket(t *testing.T) {
	cfg := testConfig(t, "")
	sock := cfg.Paths.Socket()
	os.MkdirAll(filepath.Dir(sock), 0o700)
	if err := os.WriteFile(sock, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _ := daemon.New(daemon.Options{Config: cfg})
	err := d.Run(context.Background())
	if reel.ErrorCode(err) != reel.EINVALID || !strings.Contains(err.Error(), "is not a socket") || !strings.Contains(err.Error(), sock) {
		t.Fatalf("Run = %v, want EINVALID naming %s as not a socket", err, sock)
	}
	if got, _ := os.ReadFile(sock); string(got) != "precious" {
		t.Errorf("the file at the socket path now holds %q", got)
	}
	if _, err := daemon.Holder(cfg.Paths); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("Holder after the failed start = %v, want ENOTFOUND (lock released)", err)
	}
}

// TestDaemon_Run_LoosePermissions: a socket folder others can enter is
// made private before the daemon listens.
func TestDaemon_Run_LoosePermissions(t *testing.T) {
	cfg := testConfig(t, "")
	if err := os.MkdirAll(cfg.Paths.Runtime, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(cfg.Paths.Runtime, 0o755)
	start(t, daemon.Options{Config: cfg})
	if fi, _ := os.Stat(cfg.Paths.Runtime); fi.Mode().Perm() != 0o700 {
		t.Errorf("socket folder mode = %v, want 0700", fi.Mode().Perm())
	}
}

// TestDaemon_Sync_Interval: the interval sync runs, never two at once.
func TestDaemon_Sync_Interval(t *testing.T) {
	cfg := testConfig(t, "[daemon]\nsync_interval = \"30ms\"\n")
	var calls, running, overlap atomic.Int32
	sync := func(ctx context.Context) error {
		if running.Add(1) > 1 {
			overlap.Add(1)
		}
		defer running.Add(-1)
		calls.Add(1)
		time.Sleep(40 * time.Millisecond) // longer than the interval
		return nil
	}
	d := start(t, daemon.Options{Config: cfg, Sync: sync})
	eventually(t, 5*time.Second, "four interval syncs", func() bool { return calls.Load() >= 4 })
	if overlap.Load() > 0 {
		t.Errorf("%d syncs overlapped", overlap.Load())
	}
	if st := d.Status(); st.Syncs < 3 || st.LastSync.IsZero() || st.SyncErrors != 0 {
		t.Errorf("status = %+v", st)
	}
}

// TestDaemon_Sync_Busy: a sync skipped because another holds the lock is
// logged and counted as skipped, not as an error.
func TestDaemon_Sync_Busy(t *testing.T) {
	log, buf := logBuffer()
	sync := func(context.Context) error { return reel.Errorf(reel.EBUSY, "a sync is already running") }
	d := start(t, daemon.Options{Logger: log, Sync: sync})
	eventually(t, 5*time.Second, "the start sync is skipped", func() bool { return d.Status().SyncsSkipped == 1 })
	if st := d.Status(); st.SyncErrors != 0 || st.LastSyncError != "" {
		t.Errorf("a skipped sync counted as an error: %+v", st)
	}
	if !strings.Contains(buf.String(), "sync skipped") {
		t.Errorf("log lacks the skip:\n%s", buf)
	}
}

// startWatching runs a daemon whose sync only counts, watching root, with
// a long interval and the debounce given, and waits for its start sync.
// root is under the daemon's home; startWatching returns it absolute.
func startWatching(t *testing.T, debounce, root string) (*daemon.Daemon, *atomic.Int32, string) {
	t.Helper()
	cfg := testConfig(t, "[daemon]\nsync_interval = \"1h\"\nsync_debounce = \""+debounce+"\"\n")
	root = filepath.Join(cfg.Paths.Home, root)
	calls := &atomic.Int32{}
	d := start(t, daemon.Options{
		Config:     cfg,
		Sync:       func(context.Context) error { calls.Add(1); return nil },
		WatchPaths: func() []string { return []string{root} },
	})
	eventually(t, 5*time.Second, "the start sync", func() bool { return calls.Load() == 1 })
	return d, calls, root
}

// TestDaemon_Sync_Watch: a change under a watched folder, including one
// that did not exist at start and folders created later, syncs within the
// debounce window.
func TestDaemon_Sync_Watch(t *testing.T) {
	d, calls, root := startWatching(t, "50ms", ".claude/projects") // missing at start
	home := filepath.Dir(filepath.Dir(root))

	step := func(what string, change func()) {
		t.Helper()
		before := calls.Load()
		change()
		eventually(t, 3*time.Second, what+" syncs", func() bool { return calls.Load() > before })
	}
	step("the missing root appearing", func() {
		if err := os.MkdirAll(root, 0o700); err != nil {
			t.Fatal(err)
		}
	})
	step("a file in a nested new folder", func() {
		dir := filepath.Join(root, "-home-dev-shop", "sub")
		os.MkdirAll(dir, 0o700)
		os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte("{}\n"), 0o600)
	})
	step("an append in that folder", func() {
		time.Sleep(100 * time.Millisecond) // past the last window
		f, err := os.OpenFile(filepath.Join(root, "-home-dev-shop", "sub", "a.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("{}\n")
		f.Close()
	})
	if n := d.Status().WatchedFolders; n != 3 {
		t.Errorf("watched folders = %d, want 3 (root and two below)", n)
	}
	// A burst of changes joins one window.
	time.Sleep(100 * time.Millisecond)
	before := calls.Load()
	for i := range 20 {
		os.WriteFile(filepath.Join(root, "b"+strconv.Itoa(i)), []byte("x"), 0o600)
	}
	time.Sleep(300 * time.Millisecond)
	if n := calls.Load() - before; n < 1 || n > 2 {
		t.Errorf("20 quick changes made %d syncs, want 1 (or 2 at a window's edge)", n)
	}
	// A change beside the root is not the source's.
	time.Sleep(100 * time.Millisecond)
	before = calls.Load()
	os.WriteFile(filepath.Join(home, ".claude", "settings.json"), []byte("{}"), 0o600)
	time.Sleep(200 * time.Millisecond)
	if calls.Load() != before {
		t.Error("a file beside the watched folder triggered a sync")
	}
}

// TestDaemon_Sync_WatchFile: a root that is a file is watched through its
// folder.
func TestDaemon_Sync_WatchFile(t *testing.T) {
	_, calls, hist := startWatching(t, "20ms", ".bash_history") // missing at start: its folder is watched
	os.WriteFile(hist, []byte("ls\n"), 0o600)
	eventually(t, 3*time.Second, "the file appearing syncs", func() bool { return calls.Load() >= 2 })
	before := calls.Load()
	time.Sleep(50 * time.Millisecond)
	f, _ := os.OpenFile(hist, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("pwd\n")
	f.Close()
	eventually(t, 3*time.Second, "an append to the file syncs", func() bool { return calls.Load() > before })
}

// reaperFunc is a fake Reaper (tmux is not what these tests exercise; the
// real one is internal/tmux's Supervisor).
type reaperFunc func(context.Context) (reel.ReapReport, error)

func (f reaperFunc) Reap(ctx context.Context) (reel.ReapReport, error) { return f(ctx) }

// TestDaemon_Reap: the reaper runs every ReapInterval; EUNSUPPORT is
// logged once, not at every tick; a reap that changes things is logged.
func TestDaemon_Reap(t *testing.T) {
	cfg := testConfig(t, "[daemon]\nreap_interval = \"10ms\"\n")
	log, buf := logBuffer()
	var calls atomic.Int32
	reap := reaperFunc(func(context.Context) (reel.ReapReport, error) {
		if calls.Add(1) == 8 {
			return reel.ReapReport{Stopped: []reel.AgentSession{{Name: "api"}}}, nil
		}
		return reel.ReapReport{}, reel.Errorf(reel.EUNSUPPORT, "tmux is not installed")
	})
	d := start(t, daemon.Options{Config: cfg, Logger: log, Reaper: reap})
	eventually(t, 5*time.Second, "ten reaps", func() bool { return calls.Load() >= 10 })
	out := buf.String()
	if n := countLines(out, "reaper unavailable"); n != 2 {
		// Once before the reap that worked, once after.
		t.Errorf("EUNSUPPORT logged %d times, want 2:\n%s", n, out)
	}
	if !regexp.MustCompile(`"msg":"reaped".*"stopped":\["api"\]`).MatchString(out) {
		t.Errorf("log lacks the reap that stopped api:\n%s", out)
	}
	if st := d.Status(); st.Reaps < 10 || st.ReapErrors < 9 {
		t.Errorf("status = %+v", st)
	}
}

// TestDaemon_Background: background work runs from start and is stopped
// by Close before it returns.
func TestDaemon_Background(t *testing.T) {
	started, stopped := make(chan struct{}), make(chan struct{})
	d, _ := daemon.New(daemon.Options{Config: testConfig(t, ""), Background: []func(context.Context){
		func(ctx context.Context) {
			close(started)
			<-ctx.Done()
			time.Sleep(20 * time.Millisecond)
			close(stopped)
		},
	}})
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	default:
		t.Error("Close returned before the background work stopped")
	}
}

// TestDaemon_TCP: the TCP listener serves what TCPHandler wraps, with a
// token created 0600; Listen without a TCPHandler is refused.
func TestDaemon_TCP(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cfg := testConfig(t, "[daemon]\nlisten = \"127.0.0.1:0\"\n")
		api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("api")) })
		auth := func(token string) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
					http.Error(w, "no", http.StatusUnauthorized)
					return
				}
				api.ServeHTTP(w, r)
			})
		}
		d := start(t, daemon.Options{Config: cfg, Handler: api, TCPHandler: auth})
		tok, err := os.ReadFile(cfg.Paths.Token())
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(cfg.Paths.Token()); fi.Mode().Perm() != 0o600 {
			t.Errorf("token mode = %v, want 0600", fi.Mode().Perm())
		}
		if !regexp.MustCompile(`^[0-9a-f]{64}\n$`).Match(tok) {
			t.Errorf("token = %q, want 64 hex digits", tok)
		}
		addr := d.Status().Listen
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Fatalf("listen = %q", addr)
		}
		for _, c := range []struct {
			auth string
			want int
		}{{"", 401}, {"Bearer wrong", 401}, {"Bearer " + strings.TrimSpace(string(tok)), 200}} {
			req, _ := http.NewRequest("GET", "http://"+addr+"/v1/anything", nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("GET with %q = %d, want %d", c.auth, resp.StatusCode, c.want)
			}
		}
		// A second start reads the same token.
		got, err := daemon.EnsureToken(cfg.Paths.Token())
		if err != nil || got+"\n" != string(tok) {
			t.Errorf("EnsureToken = %q, %v; want the file's token", got, err)
		}
	})
	t.Run("ErrNoAuth", func(t *testing.T) {
		cfg := testConfig(t, "[daemon]\nlisten = \"8123\"\n")
		d, _ := daemon.New(daemon.Options{Config: cfg})
		if err := d.Run(context.Background()); reel.ErrorCode(err) != reel.EUNSUPPORT {
			t.Fatalf("Run = %v, want EUNSUPPORT", err)
		}
		if _, err := os.Lstat(cfg.Paths.Socket()); !os.IsNotExist(err) {
			t.Errorf("the failed start left its socket: %v", err)
		}
	})
	t.Run("ErrTokenReadable", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "token")
		os.WriteFile(path, []byte("abc\n"), 0o644)
		if _, err := daemon.EnsureToken(path); reel.ErrorCode(err) != reel.EINVALID || !strings.Contains(reel.ErrorHint(err), "chmod 600") {
			t.Errorf("EnsureToken(0644) = %v, want EINVALID with a chmod hint", err)
		}
	})
}

// TestDaemon_Close_RemovesOnlyItsSocket: a socket another daemon put at
// the path after this one stays when this one closes.
func TestDaemon_Close_RemovesOnlyItsSocket(t *testing.T) {
	cfg := testConfig(t, "")
	d, _ := daemon.New(daemon.Options{Config: cfg})
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sock := cfg.Paths.Socket()
	os.Remove(sock)
	os.WriteFile(sock, []byte("someone else's"), 0o600)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(sock); string(got) != "someone else's" {
		t.Errorf("Close removed a file it had not created")
	}
}

// TestDaemon_Sync_WatchDeepCreate: a root made with its parents in one
// go (mkdir -p), faster than watches are added, is still watched whole.
func TestDaemon_Sync_WatchDeepCreate(t *testing.T) {
	d, calls, root := startWatching(t, "20ms", ".codex/sessions")
	if err := os.MkdirAll(filepath.Join(root, "2026", "12"), 0o700); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Second, "root, 2026 and 12 watched", func() bool { return d.Status().WatchedFolders == 3 })
	eventually(t, 3*time.Second, "a sync", func() bool { return calls.Load() >= 2 })
	before := calls.Load()
	time.Sleep(50 * time.Millisecond)
	os.WriteFile(filepath.Join(root, "2026", "12", "rollout.jsonl"), []byte("{}\n"), 0o600)
	eventually(t, 3*time.Second, "a file in the deepest folder syncs", func() bool { return calls.Load() > before })
}

// TestDaemon_Reload_ErrConfig: a configuration that does not load leaves
// the one in force, and says why.
func TestDaemon_Reload_ErrConfig(t *testing.T) {
	cfg := testConfig(t, "[daemon]\nsync_interval = \"3m\"\n")
	log, buf := logBuffer()
	d := start(t, daemon.Options{Config: cfg, Logger: log, Reload: func() (*config.Config, error) {
		return nil, reel.Errorf(reel.EINVALID, "config %s: unknown key \"daemon.sync_intervall\"", cfg.Paths.ConfigFile())
	}})
	if err := d.Reload(); reel.ErrorCode(err) != reel.EINVALID {
		t.Fatalf("Reload = %v, want the loader's EINVALID", err)
	}
	if st := d.Status(); st.SyncInterval.Duration != 3*time.Minute || st.Reloads != 0 {
		t.Errorf("after a failed reload: sync_interval %s, reloads %d; want 3m, 0", st.SyncInterval, st.Reloads)
	}
	if !strings.Contains(buf.String(), "sync_intervall") {
		t.Errorf("log lacks the reason:\n%s", buf)
	}
}

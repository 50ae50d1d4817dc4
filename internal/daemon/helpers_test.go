package daemon_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/daemon"
)

// helperEnv makes the test binary run as a daemon (TestHelperDaemon).
const helperEnv = "REEL_DAEMON_TEST_HELPER"

// TestHelperDaemon is not a test: it is the daemon process the process
// tests start, signal and kill. It runs a daemon on $REEL_HOME until
// SIGTERM, reloading config.toml on SIGHUP, and prints "ready" once it
// serves. A failed start prints the error and exits 4.
func TestHelperDaemon(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("runs only as the process tests' daemon")
	}
	load := func() (*config.Config, error) { return config.Load(os.Getenv) }
	cfg, err := load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	log, closer, err := daemon.OpenLog(cfg.Paths.DaemonLog(), os.Stderr, slog.LevelDebug)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer closer.Close()
	d, err := daemon.New(daemon.Options{Config: cfg, Reload: load, Logger: log, Version: "test", Signals: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := d.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "daemon:", err)
		os.Exit(4)
	}
	fmt.Println("ready")
	werr := d.Wait(context.Background())
	if err := d.Close(); err != nil || werr != nil {
		fmt.Fprintln(os.Stderr, "close:", err, werr)
		os.Exit(1)
	}
	os.Exit(0)
}

// proc is a helper daemon process.
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
}

// syncBuffer is a bytes.Buffer safe to write from the process's pipe and
// read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startHelper starts a helper daemon on reelHome. It waits until the
// process says ready, or exits; ready reports which.
func startHelper(t *testing.T, reelHome string) (p *proc, ready bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperDaemon$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "REEL_HOME="+reelHome, "REEL_CONFIG=")
	p = &proc{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				lines <- "ready"
			}
		}
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	select {
	case <-lines:
		return p, true
	case <-p.exited:
		return p, false
	case <-time.After(20 * time.Second):
		t.Fatalf("helper daemon did not start:\n%s", p.stderr)
	}
	return p, false
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("daemon pid %d did not exit:\n%s", p.cmd.Process.Pid, p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// unixClient returns an HTTP client that dials the socket at path.
func unixClient(path string) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
}

// getStatus asks the daemon on the socket for its Status.
func getStatus(t *testing.T, socket string) daemon.Status {
	t.Helper()
	resp, err := unixClient(socket).Get("http://reel" + daemon.StatusPath)
	if err != nil {
		t.Fatalf("GET %s on %s: %v", daemon.StatusPath, socket, err)
	}
	defer resp.Body.Close()
	var st daemon.Status
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %s", daemon.StatusPath, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// eventually polls cond every 10ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testConfig loads the configuration of a fresh REEL_HOME, with config.toml
// holding toml when it is not empty.
func testConfig(t *testing.T, toml string) *config.Config {
	t.Helper()
	home := t.TempDir()
	if toml != "" {
		if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(toml), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"REEL_HOME": home, "HOME": home}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// start runs a daemon in-process with opts (Config defaults to a fresh
// one) and closes it at the test's end.
func start(t *testing.T, opts daemon.Options) *daemon.Daemon {
	t.Helper()
	if opts.Config == nil {
		opts.Config = testConfig(t, "")
	}
	d, err := daemon.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

// logBuffer is a logger whose JSON lines the test can read.
func logBuffer() (*slog.Logger, *syncBuffer) {
	b := &syncBuffer{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// countLines counts the log lines that contain s.
func countLines(log, s string) int {
	n := 0
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

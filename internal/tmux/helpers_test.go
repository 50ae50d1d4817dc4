package tmux

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
)

// lab is one test's private tmux server and registry.
type lab struct {
	t      *testing.T
	run    *ExecRunner
	dbPath string
	reg    *sqlite.Store
	sup    *Supervisor
	clock  *clock
}

// clock is a test clock: the real time plus an offset the test moves.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// newLab starts nothing yet: tmux starts its server with the first
// session. The server is killed when the test ends.
func newLab(t *testing.T) *lab {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed")
		}
		t.Skip("tmux is not installed")
	}
	// Not a UTF-8 locale: tmux then prints control characters in its
	// output as '_', and the listing must not depend on any.
	t.Setenv("LC_ALL", "C")
	t.Setenv("LANG", "C")
	var b [6]byte
	rand.Read(b[:])
	l := &lab{t: t, run: &ExecRunner{Socket: "reeltest-" + hex.EncodeToString(b[:]), Config: "/dev/null"}, clock: &clock{}}
	t.Cleanup(func() { exec.Command("tmux", "-L", l.run.Socket, "kill-server").Run() })
	l.dbPath = filepath.Join(t.TempDir(), "reel.db")
	l.reg = l.openRegistry()
	l.sup = l.newSupervisor(l.reg)
	return l
}

func (l *lab) openRegistry() *sqlite.Store {
	l.t.Helper()
	s, err := sqlite.Open(context.Background(), l.dbPath)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { s.Close() })
	return s
}

func (l *lab) newSupervisor(reg reel.AgentRegistry) *Supervisor {
	return New(Options{Runner: l.run, Registry: reg, Now: l.clock.now, Shell: "/bin/sh"})
}

// tmux runs a tmux command on the lab's server.
func (l *lab) tmux(args ...string) string {
	l.t.Helper()
	out, err := l.run.Run(context.Background(), args...)
	if err != nil {
		l.t.Fatalf("tmux %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// fakeAgent returns the command of the fake agent.
func fakeAgent(t *testing.T) []string {
	abs, err := filepath.Abs("testdata/fake-agent.sh")
	if err != nil {
		t.Fatal(err)
	}
	return []string{"sh", abs}
}

// start starts the fake agent in a fresh folder and waits for its prompt.
func (l *lab) start(name string) reel.AgentSession {
	l.t.Helper()
	a, err := l.sup.Start(context.Background(), reel.StartRequest{Name: name, Dir: l.t.TempDir(), Command: fakeAgent(l.t),
		Env: map[string]string{"FAKE_VAR": "set by reel"}})
	if err != nil {
		l.t.Fatalf("Start = %v", err)
	}
	l.waitOutput(a.Name, "fake-agent>")
	return a
}

// waitOutput waits up to 10 s for the pane's text to hold want.
func (l *lab) waitOutput(key, want string) string {
	l.t.Helper()
	var out string
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err = l.sup.Output(context.Background(), key, 0)
		if err == nil && strings.Contains(out, want) {
			return out
		}
	}
	l.t.Fatalf("the pane of %s never showed %q; it holds %q (%v)", key, want, out, err)
	return ""
}

// agent returns the registered session key names.
func (l *lab) agent(key string) reel.AgentSession {
	l.t.Helper()
	a, err := l.sup.Agent(context.Background(), key)
	if err != nil {
		l.t.Fatalf("Agent(%s) = %v", key, err)
	}
	return a
}

// waitPID waits for CapturePIDs to find the session's agent.
func (l *lab) waitPID(key string) reel.AgentSession {
	l.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := l.sup.CapturePIDs(context.Background()); err != nil {
			l.t.Fatalf("CapturePIDs = %v", err)
		}
		if a := l.agent(key); a.PID > 0 {
			return a
		}
	}
	l.t.Fatalf("no PID found for %s", key)
	return reel.AgentSession{}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := reel.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

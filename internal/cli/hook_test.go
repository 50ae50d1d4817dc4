package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/cli"
	"github.com/reel-sh/reel/internal/hookspool"
)

const claudeStop = `{"session_id":"9ecf22fa-edf8-4332-ae85-b6d5456eda64","transcript_path":"/h/.claude/projects/p/9ecf22fa.jsonl","cwd":"/src/app","permission_mode":"default","hook_event_name":"Stop","stop_hook_active":false}`

// hookHome gives the test a reel home of its own and returns its spool
// folder and socket path.
func hookHome(t testing.TB) (spool, socket string) {
	t.Helper()
	root, err := os.MkdirTemp("", "reelhook") // short: a unix socket path is at most 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("REEL_HOME", filepath.Join(root, "reel"))
	t.Setenv("TMUX_PANE", "%7")
	return filepath.Join(root, "reel", "state", "hook-spool"), filepath.Join(root, "reel", "run", "reel.sock")
}

// runHook runs reel hook in-process and checks it kept quiet and exited 0.
func runHook(t *testing.T, stdin string, args ...string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"hook"}, args...), strings.NewReader(stdin), &out, &errb)
	if code != cli.ExitOK || out.Len() != 0 || errb.Len() != 0 {
		t.Fatalf("reel hook: exit %d, stdout %q, stderr %q; want 0 and silence", code, out.String(), errb.String())
	}
}

// spooled reads the spool's events without draining it.
func spooled(t *testing.T, dir string) []reel.HookEvent {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, hookspool.SpoolFile))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []reel.HookEvent
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var e reel.HookEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("spool line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func TestHook_DaemonDown(t *testing.T) {
	spool, _ := hookHome(t)
	runHook(t, claudeStop, "--client", "claude-code")
	got := spooled(t, spool)
	if len(got) != 1 {
		t.Fatalf("spooled %d events, want 1", len(got))
	}
	e := got[0]
	id, err := uuid.Parse(e.ID)
	if err != nil || id.Version() != 7 {
		t.Errorf("id %q is not a UUIDv7", e.ID)
	}
	if e.Client != "claude-code" || e.Name != "Stop" || e.SessionID != "9ecf22fa-edf8-4332-ae85-b6d5456eda64" ||
		e.Cwd != "/src/app" || e.Pane != "%7" || time.Since(e.Time) > time.Minute || string(e.Payload) != claudeStop {
		t.Errorf("spooled %+v", e)
	}
}

func TestHook_CodexNotifyArgument(t *testing.T) {
	spool, _ := hookHome(t)
	payload := `{"type":"agent-turn-complete","thread-id":"0199a213","turn-id":"3","cwd":"/w","input-messages":["hi"],"last-assistant-message":"done <ok> & more"}`
	runHook(t, "", "--client", "codex", payload)
	got := spooled(t, spool)
	if len(got) != 1 || got[0].Name != "agent-turn-complete" || got[0].SessionID != "0199a213" || string(got[0].Payload) != payload {
		t.Fatalf("spooled %+v", got)
	}
	raw, _ := os.ReadFile(filepath.Join(spool, hookspool.SpoolFile))
	if !bytes.Contains(raw, []byte(payload)) {
		t.Errorf("the spool line does not hold the payload byte for byte: %s", raw)
	}
}

func TestHook_UnknownFlag(t *testing.T) {
	spool, _ := hookHome(t)
	runHook(t, claudeStop, "--client", "claude-code", "--from-a-newer-reel", "x")
	if n := len(spooled(t, spool)); n != 1 {
		t.Errorf("spooled %d events, want 1", n)
	}
}

func TestHook_NotJSON(t *testing.T) {
	spool, _ := hookHome(t)
	runHook(t, `{"session_id":"s1",`, "--client", "gemini", "--event", "BeforeTool")
	if n := len(spooled(t, spool)); n != 0 {
		t.Errorf("spooled %d events, want none", n)
	}
	rej, err := hookspool.ReadRejected(spool)
	if err != nil || len(rej) != 1 {
		t.Fatalf("rejected = %+v, %v", rej, err)
	}
	r := rej[0]
	if r.Client != "gemini" || r.Name != "BeforeTool" || r.Raw != `{"session_id":"s1",` || !strings.Contains(r.Reason, "gemini hook payload: not JSON at byte 19") {
		t.Errorf("rejected %+v", r)
	}
	log, _ := os.ReadFile(filepath.Join(spool, hookspool.ErrorLogFile))
	if !strings.Contains(string(log), "byte 19") {
		t.Errorf("errors.log = %q, want the offset", log)
	}
}

func TestHook_Oversized(t *testing.T) {
	spool, _ := hookHome(t)
	big := `{"session_id":"s1","hook_event_name":"PostToolUse","tool_response":"` + strings.Repeat("x", 9<<20) + `"}`
	runHook(t, big, "--client", "claude-code")
	rej, err := hookspool.ReadRejected(spool)
	if err != nil || len(rej) != 1 {
		t.Fatalf("rejected = %d records, %v", len(rej), err)
	}
	if r := rej[0]; r.Size != 8<<20+1 || len(r.Raw) != 64<<10 || !strings.HasPrefix(big, r.Raw) {
		t.Errorf("oversized kept as size %d, %d bytes", r.Size, len(r.Raw))
	}
	if n := len(spooled(t, spool)); n != 0 {
		t.Errorf("spooled %d events, want none", n)
	}
}

// fakeDaemon serves POST /v1/hooks on the socket: a fake of the daemon,
// which is not this package's to run. It answers with status after delay
// and records the bodies it read.
type fakeDaemon struct {
	mu     sync.Mutex
	bodies []reel.HookEvent
}

func startFakeDaemon(t testing.TB, socket string, status int, delay time.Duration) *fakeDaemon {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(socket), 0o700); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDaemon{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/hooks" {
			http.NotFound(w, r)
			return
		}
		var e reel.HookEvent
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("body %q: %v", body, err)
		}
		d.mu.Lock()
		d.bodies = append(d.bodies, e)
		d.mu.Unlock()
		time.Sleep(delay)
		w.WriteHeader(status)
		io.WriteString(w, `{"error":{"code":"invalid","message":"no session id"}}`)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return d
}

func TestHook_Daemon(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		delay        time.Duration
		wantSpooled  int
		wantRejected int
	}{
		{"Accepted", http.StatusNoContent, 0, 0, 0},
		{"ServerError", http.StatusServiceUnavailable, 0, 1, 0},
		{"NoHooksRoute", http.StatusNotFound, 0, 1, 0},
		{"Refused", http.StatusBadRequest, 0, 0, 1},
		{"TooSlow", http.StatusNoContent, time.Second, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spool, socket := hookHome(t)
			d := startFakeDaemon(t, socket, tt.status, tt.delay)
			start := time.Now()
			runHook(t, claudeStop)
			if took := time.Since(start); took > 900*time.Millisecond {
				t.Errorf("reel hook took %v with a slow daemon", took)
			}
			d.mu.Lock()
			got := d.bodies
			d.mu.Unlock()
			if len(got) != 1 || got[0].Name != "Stop" || got[0].ID == "" || string(got[0].Payload) != claudeStop {
				t.Errorf("the daemon got %+v", got)
			}
			if n := len(spooled(t, spool)); n != tt.wantSpooled {
				t.Errorf("spooled %d, want %d", n, tt.wantSpooled)
			}
			rej, _ := hookspool.ReadRejected(spool)
			if len(rej) != tt.wantRejected {
				t.Errorf("rejected %+v, want %d", rej, tt.wantRejected)
			}
			if tt.wantRejected == 1 && (rej[0].Event == nil || !strings.Contains(rej[0].Reason, "no session id")) {
				t.Errorf("rejected %+v, want the event and the daemon's reason", rej[0])
			}
		})
	}
}

func TestHook_SocketNotListening(t *testing.T) {
	spool, socket := hookHome(t)
	// A stale socket file with nobody behind it: connect is refused.
	if err := os.MkdirAll(filepath.Dir(socket), 0o700); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	runHook(t, claudeStop)
	if n := len(spooled(t, spool)); n != 1 {
		t.Errorf("spooled %d, want 1", n)
	}
}

func TestHook_StdinLeftOpen(t *testing.T) {
	spool, _ := hookHome(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	defer r.Close()
	w.WriteString(`{"session_id":"s1","hook_event_name":"Stop"`)
	var out, errb bytes.Buffer
	start := time.Now()
	code := cli.Main(context.Background(), []string{"hook"}, r, &out, &errb)
	if took := time.Since(start); code != cli.ExitOK || took > 4*time.Second || out.Len()+errb.Len() != 0 {
		t.Fatalf("exit %d after %v, stdout %q, stderr %q", code, took, out.String(), errb.String())
	}
	rej, _ := hookspool.ReadRejected(spool)
	if len(rej) != 1 || !strings.Contains(rej[0].Reason, "stdin still open") || !strings.HasPrefix(rej[0].Raw, `{"session_id":"s1"`) {
		t.Errorf("rejected %+v", rej)
	}
}

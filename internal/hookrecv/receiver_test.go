package hookrecv_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/hook"
	"github.com/reel-sh/reel/internal/hookrecv"
	"github.com/reel-sh/reel/internal/live"
)

// fakeObserver records what the receiver tells the supervisor; the
// supervisor itself is tmux's, tested in internal/tmux.
type fakeObserver struct {
	mu  sync.Mutex
	got []string
}

func (f *fakeObserver) ObserveHook(_ context.Context, pane, status, sessionID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, pane+" "+status+" "+sessionID)
	return nil
}

// claudeEvent parses a Claude Code payload as reel hook does.
func claudeEvent(t *testing.T, payload string) reel.HookEvent {
	t.Helper()
	e, err := hook.Parse(hook.ClientClaude, []byte(payload), "")
	if err != nil {
		t.Fatal(err)
	}
	e.ID = uuid.Must(uuid.NewV7()).String()
	e.Time = time.Now().UTC()
	e.Pane = "%7"
	return e
}

func newManager(t *testing.T, dir string) *live.Manager {
	t.Helper()
	m, err := live.NewManager(live.Options{Journals: filepath.Join(dir, "live"), Snapshots: filepath.Join(dir, "snap")})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const sid = "2f1c0d9e-aaaa-bbbb-cccc-000000000001"

func payload(name, extra string) string {
	return fmt.Sprintf(`{"session_id":%q,"transcript_path":"/tmp/t.jsonl","cwd":"/home/u/app","hook_event_name":%q%s}`, sid, name, extra)
}

func TestReceiver_Hook(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m := newManager(t, dir)
	obs := &fakeObserver{}
	r := hookrecv.New(hookrecv.Options{Live: m, Observer: obs, CheckpointPrompts: true})
	evs := []reel.HookEvent{
		claudeEvent(t, payload("SessionStart", `,"source":"startup"`)),
		claudeEvent(t, payload("UserPromptSubmit", `,"prompt":"fix the flaky migration"`)),
		claudeEvent(t, payload("PreToolUse", `,"tool_name":"Bash","tool_use_id":"toolu_1","tool_input":{"command":"go test ./..."}`)),
		claudeEvent(t, payload("PostToolUse", `,"tool_name":"Bash","tool_use_id":"toolu_1","tool_input":{"command":"go test ./..."},"tool_response":{"stdout":"ok","stderr":"","interrupted":false}`)),
		claudeEvent(t, payload("Stop", `,"stop_hook_active":false`)),
		claudeEvent(t, payload("UserPromptSubmit", `,"prompt":"now commit it"`)),
	}
	for _, e := range evs {
		if err := r.Hook(ctx, e); err != nil {
			t.Fatalf("Hook(%s) = %v", e.Name, err)
		}
	}
	// The spool drained again after a crash: every event a second time.
	for _, e := range evs {
		if err := r.Hook(ctx, e); err != nil {
			t.Fatalf("Hook(%s) again = %v", e.Name, err)
		}
	}
	id := hook.SessionID(evs[0])
	s, ok := m.Session(id)
	if !ok {
		t.Fatalf("no live session %s", id)
	}
	got := s.Events(0)
	if len(got) != len(evs) {
		t.Fatalf("live session has %d events, want %d (one per hook, none twice): %+v", len(got), len(evs), got)
	}
	if got[1].Kind != reel.KindMessage || got[1].Text != "fix the flaky migration" || got[2].Kind != reel.KindToolCall || got[3].Kind != reel.KindToolResult {
		t.Errorf("events = %+v", got)
	}
	cps := s.Checkpoints()
	if len(cps) != 2 || cps[0].Label != "prompt-1" || cps[0].Seq != 1 || cps[1].Label != "prompt-2" || cps[1].Seq != 5 {
		t.Errorf("checkpoints = %+v, want prompt-1 at 1 and prompt-2 at 5", cps)
	}
	if len(obs.got) == 0 || obs.got[len(obs.got)-1] != "%7 running "+id {
		t.Errorf("observer heard %q", obs.got)
	}
	for _, g := range obs.got {
		if g == "%7 waiting "+id {
			goto waited
		}
	}
	t.Errorf("observer never heard waiting after Stop: %q", obs.got)
waited:

	// A restarted daemon reopens the journal and still drops repeats.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m2 := newManager(t, dir)
	defer m2.Close()
	r2 := hookrecv.New(hookrecv.Options{Live: m2, CheckpointPrompts: true})
	if err := r2.Hook(ctx, evs[2]); err != nil {
		t.Fatal(err)
	}
	end := claudeEvent(t, payload("SessionEnd", `,"reason":"exit"`))
	if err := r2.Hook(ctx, end); err != nil {
		t.Fatal(err)
	}
	j, err := live.Read(s.Path(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := j.Events; n != int64(len(evs)+1) || !j.Ended() {
		t.Errorf("journal holds %d events after restart and end (ended %v), want %d and ended", n, j.Ended(), len(evs)+1)
	}
	if _, ok := m2.Session(id); ok {
		t.Errorf("session still open after SessionEnd")
	}
}

func TestReceiver_HookErrInvalid(t *testing.T) {
	r := hookrecv.New(hookrecv.Options{Live: newManager(t, t.TempDir())})
	e := claudeEvent(t, payload("Stop", ""))
	e.ID = ""
	if err := r.Hook(context.Background(), e); reel.ErrorCode(err) != reel.EINVALID {
		t.Errorf("Hook without id = %v, want %s", err, reel.EINVALID)
	}
}

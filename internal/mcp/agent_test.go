package mcp_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/mcp"
)

// registry is a fake supervisor over a map of sessions, recording what
// was sent.
type registry struct {
	agents map[string]reel.AgentSession
	sent   []string
}

func newRegistry() (*registry, *FakeSupervisor) {
	r := &registry{agents: map[string]reel.AgentSession{
		"api": {ID: "0190-a", Name: "api", Status: reel.AgentWaiting, Agent: "claude-code", Command: []string{"claude"}},
		"old": {ID: "0190-b", Name: "old", Status: reel.AgentStopped, Agent: "codex", Command: []string{"codex"}},
	}}
	get := func(key string) (reel.AgentSession, error) {
		a, ok := r.agents[key]
		if !ok {
			return a, reel.Errorf(reel.ENOTFOUND, "no supervised session %q", key).WithHint("closest: api")
		}
		return a, nil
	}
	return r, &FakeSupervisor{
		AgentsFn: func(context.Context) ([]reel.AgentSession, error) {
			return []reel.AgentSession{r.agents["api"], r.agents["old"]}, nil
		},
		AgentFn: func(_ context.Context, key string) (reel.AgentSession, error) { return get(key) },
		PauseFn: func(_ context.Context, key, note string) (reel.AgentSession, error) {
			a, err := get(key)
			if err != nil {
				return a, err
			}
			if a.Status == reel.AgentStopped {
				return a, reel.Errorf(reel.ECONFLICT, "session %s is stopped", key)
			}
			a.Status, a.Pause = reel.AgentPaused, &reel.Pause{Summary: note}
			r.agents[key] = a
			return a, nil
		},
		ResumeFn: func(_ context.Context, key string) (reel.AgentSession, error) {
			a, err := get(key)
			if err != nil {
				return a, err
			}
			if a.Status != reel.AgentPaused {
				return a, reel.Errorf(reel.ECONFLICT, "session %s is %s, not paused", key, a.Status)
			}
			a.Status = reel.AgentRunning
			r.agents[key] = a
			return a, nil
		},
		SendFn: func(_ context.Context, key, text string, enter bool) error {
			if _, err := get(key); err != nil {
				return err
			}
			if enter {
				text += "⏎"
			}
			r.sent = append(r.sent, key+":"+text)
			return nil
		},
	}
}

func TestSessionStatus(t *testing.T) {
	_, sup := newRegistry()
	cs := connect(t, mcp.Deps{Supervisor: sup}, mcp.Options{})
	var out mcp.StatusOutput
	call(t, cs, "session_status", nil, &out)
	if len(out.Sessions) != 2 || out.Sessions[0].Name != "api" || out.Sessions[1].Status != reel.AgentStopped {
		t.Errorf("all = %+v", out.Sessions)
	}
	out = mcp.StatusOutput{}
	call(t, cs, "session_status", map[string]any{"key": "old"}, &out)
	if len(out.Sessions) != 1 || out.Sessions[0].ID != "0190-b" {
		t.Errorf("old = %+v", out.Sessions)
	}
	e := callErr(t, cs, "session_status", map[string]any{"key": "apx"})
	if e.Code != reel.ENOTFOUND || e.Hint != "closest: api" {
		t.Errorf("unknown key: %+v", e)
	}
	// Without Control, the control tools do not exist.
	if _, err := cs.CallTool(context.Background(), &mcpsdk.CallToolParams{Name: "pause_session", Arguments: map[string]any{"key": "api"}}); err == nil {
		t.Errorf("pause_session was served without Control")
	}
}

func TestControl(t *testing.T) {
	r, sup := newRegistry()
	cs := connect(t, mcp.Deps{Supervisor: sup}, mcp.Options{Control: true})
	var out mcp.AgentOutput
	call(t, cs, "pause_session", map[string]any{"key": "api", "note": "waiting for the schema review"}, &out)
	if out.Session.Status != reel.AgentPaused || out.Session.Pause.Summary != "waiting for the schema review" {
		t.Errorf("paused = %+v", out.Session)
	}
	if e := callErr(t, cs, "pause_session", map[string]any{"key": "old"}); e.Code != reel.ECONFLICT {
		t.Errorf("pause stopped: %+v", e)
	}
	call(t, cs, "resume_session", map[string]any{"key": "api"}, &out)
	if out.Session.Status != reel.AgentRunning {
		t.Errorf("resumed = %+v", out.Session)
	}
	if e := callErr(t, cs, "resume_session", map[string]any{"key": "api"}); e.Code != reel.ECONFLICT || !strings.Contains(e.Message, "running") {
		t.Errorf("resume running: %+v", e)
	}
	call(t, cs, "send_to_session", map[string]any{"key": "api", "text": "run the tests"}, &out)
	call(t, cs, "send_to_session", map[string]any{"key": "api", "text": "y", "enter": false}, &out)
	call(t, cs, "send_to_session", map[string]any{"key": "api", "text": ""}, &out)
	if got := strings.Join(r.sent, "|"); got != "api:run the tests⏎|api:y|api:⏎" || out.Session.Name != "api" {
		t.Errorf("sent %q, session %+v", got, out.Session)
	}
	for _, tt := range []struct {
		tool string
		args map[string]any
		code string
	}{
		{"send_to_session", map[string]any{"key": "api", "text": strings.Repeat("x", 16*1024+1)}, reel.EINVALID},
		{"send_to_session", map[string]any{"key": "api", "text": "", "enter": false}, reel.EINVALID},
		{"send_to_session", map[string]any{"key": "nobody", "text": "hi"}, reel.ENOTFOUND},
		{"pause_session", map[string]any{"key": ""}, reel.EINVALID},
		{"resume_session", map[string]any{}, reel.EINVALID},
	} {
		if e := callErr(t, cs, tt.tool, tt.args); e.Code != tt.code {
			t.Errorf("%s %v: %+v, want %s", tt.tool, tt.args, e, tt.code)
		}
	}
	if len(r.sent) != 3 {
		t.Errorf("refused sends reached the supervisor: %q", r.sent)
	}
}

func TestToolError_Internal(t *testing.T) {
	var logs bytes.Buffer
	sup := &FakeSupervisor{AgentsFn: func(context.Context) ([]reel.AgentSession, error) {
		return nil, errors.New("read /home/dev/.local/state/reel/secret.db: input/output error")
	}, AgentFn: func(context.Context, string) (reel.AgentSession, error) {
		return reel.AgentSession{}, &reel.Error{Code: reel.EINTERNAL, Message: "scan registry row 3", Err: errors.New("sql: bad column")}
	}}
	cs := connect(t, mcp.Deps{Supervisor: sup}, mcp.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, args := range []map[string]any{nil, {"key": "x"}} {
		e := callErr(t, cs, "session_status", args)
		if e.Code != reel.EINTERNAL || e.Message != "internal error" {
			t.Errorf("%v: %+v, want internal error and nothing more", args, e)
		}
	}
	for _, want := range []string{"secret.db: input/output error", "scan registry row 3", "tool=session_status"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

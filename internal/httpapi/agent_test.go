package httpapi

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func TestClient_Supervisor(t *testing.T) {
	ctx := context.Background()
	api := reel.AgentSession{ID: "0190c0de-0000-7000-8000-000000000001", Name: "api", Status: reel.AgentRunning,
		Agent: "claude-code", Command: []string{"claude", "--resume"}, Dir: "/home/u/api", Tmux: "reel-api", Pane: "%3",
		PID: 4242, CreatedAt: base, LastActivity: base.Add(time.Minute)}
	paused := api
	paused.Status = reel.AgentPaused
	paused.Pause = &reel.Pause{At: base.Add(2 * time.Minute), Summary: "waiting for review"}
	var calls []any
	notFound := func(key string) error {
		return reel.Errorf(reel.ENOTFOUND, "no supervised session %q", key).WithHint("did you mean api?")
	}
	sup := &fakeSupervisor{
		StartFn: func(_ context.Context, req reel.StartRequest) (reel.AgentSession, error) {
			calls = append(calls, req)
			if req.Name == "api" {
				return reel.AgentSession{}, reel.Errorf(reel.ECONFLICT, "name %q is taken", req.Name)
			}
			return api, nil
		},
		AgentsFn: func(context.Context) ([]reel.AgentSession, error) { return []reel.AgentSession{api, paused}, nil },
		AgentFn: func(_ context.Context, key string) (reel.AgentSession, error) {
			switch key {
			case "api":
				return api, nil
			case "0190":
				return reel.AgentSession{}, reel.Errorf(reel.EAMBIGUOUS, "%q names 2 sessions", key)
			}
			return reel.AgentSession{}, notFound(key)
		},
		PauseFn: func(_ context.Context, key, note string) (reel.AgentSession, error) {
			calls = append(calls, [2]string{key, note})
			return paused, nil
		},
		ResumeFn: func(_ context.Context, key string) (reel.AgentSession, error) {
			return reel.AgentSession{}, reel.Errorf(reel.ECONFLICT, "%s is running, not paused", key)
		},
		StopFn: func(_ context.Context, key string) (reel.AgentSession, error) {
			s := api
			s.Status, s.StoppedAt = reel.AgentStopped, base.Add(time.Hour)
			return s, nil
		},
		SendFn: func(_ context.Context, key, text string, enter bool) error {
			calls = append(calls, []any{key, text, enter})
			return nil
		},
		OutputFn: func(_ context.Context, key string, lines int) (string, error) {
			calls = append(calls, lines)
			return "line 1\nline 2\n", nil
		},
		ReapFn: func(context.Context) (reel.ReapReport, error) {
			return reel.ReapReport{Stopped: []reel.AgentSession{api}}, nil
		},
		AdoptFn: func(_ context.Context, tmuxSession, name string) (reel.AgentSession, error) {
			calls = append(calls, [2]string{tmuxSession, name})
			a := api
			a.Adopted, a.Name, a.Tmux = true, name, tmuxSession
			return a, nil
		},
	}
	c, _, _ := unixServer(t, Services{Supervisor: sup})
	last := func() any { return calls[len(calls)-1] }

	t.Run("Start", func(t *testing.T) {
		req := reel.StartRequest{Name: "web", Dir: "/home/u/web", Command: []string{"codex", "exec", "fix it"}, Env: map[string]string{"A": "1"}}
		got, err := c.Start(ctx, req)
		if err != nil || !reflect.DeepEqual(got, api) || !reflect.DeepEqual(last(), req) {
			t.Fatalf("Start = %+v, %v; supervisor got %+v", got, err, last())
		}
		_, err = c.Start(ctx, reel.StartRequest{Name: "api", Command: []string{"x"}})
		wantCode(t, err, reel.ECONFLICT, `name "api" is taken`)
	})
	t.Run("Agents", func(t *testing.T) {
		got, err := c.Agents(ctx)
		if err != nil || !reflect.DeepEqual(got, []reel.AgentSession{api, paused}) {
			t.Fatalf("Agents = %+v, %v", got, err)
		}
	})
	t.Run("Agent", func(t *testing.T) {
		got, err := c.Agent(ctx, "api")
		if err != nil || !reflect.DeepEqual(got, api) {
			t.Fatalf("Agent = %+v, %v", got, err)
		}
		_, err = c.Agent(ctx, "apj")
		if re := wantCode(t, err, reel.ENOTFOUND, `"apj"`); re.Hint != "did you mean api?" {
			t.Fatalf("hint = %q", re.Hint)
		}
		_, err = c.Agent(ctx, "0190")
		wantCode(t, err, reel.EAMBIGUOUS, "names 2 sessions")
	})
	t.Run("Pause", func(t *testing.T) {
		got, err := c.Pause(ctx, "api", "waiting for review")
		if err != nil || !reflect.DeepEqual(got, paused) || last() != [2]string{"api", "waiting for review"} {
			t.Fatalf("Pause = %+v, %v; supervisor got %v", got, err, last())
		}
	})
	t.Run("Resume", func(t *testing.T) {
		_, err := c.Resume(ctx, "api")
		wantCode(t, err, reel.ECONFLICT, "not paused")
	})
	t.Run("Stop", func(t *testing.T) {
		got, err := c.Stop(ctx, "api")
		if err != nil || got.Status != reel.AgentStopped || !got.StoppedAt.Equal(base.Add(time.Hour)) {
			t.Fatalf("Stop = %+v, %v", got, err)
		}
	})
	t.Run("Send", func(t *testing.T) {
		if err := c.Send(ctx, "api", "run the tests\n", true); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(last(), []any{"api", "run the tests\n", true}) {
			t.Fatalf("supervisor got %v", last())
		}
	})
	t.Run("Output", func(t *testing.T) {
		got, err := c.Output(ctx, "api", 40)
		if err != nil || got != "line 1\nline 2\n" || last() != 40 {
			t.Fatalf("Output = %q, %v; supervisor got lines %v", got, err, last())
		}
		if _, err := c.Output(ctx, "api", 0); err != nil || last() != 0 {
			t.Fatalf("Output(0) = %v; lines %v", err, last())
		}
	})
	t.Run("Reap", func(t *testing.T) {
		got, err := c.Reap(ctx)
		if err != nil || len(got.Stopped) != 1 || got.Removed == nil || len(got.Removed) != 0 {
			t.Fatalf("Reap = %+v, %v", got, err)
		}
	})
	t.Run("Adopt", func(t *testing.T) {
		got, err := c.Adopt(ctx, "work", "w")
		if err != nil || !got.Adopted || got.Name != "w" || last() != [2]string{"work", "w"} {
			t.Fatalf("Adopt = %+v, %v; supervisor got %v", got, err, last())
		}
		_, err = c.Adopt(ctx, "", "w")
		wantCode(t, err, reel.EINVALID, "no tmux session")
	})
}

func TestServer_AgentBodies(t *testing.T) {
	var note string
	sup := &fakeSupervisor{
		PauseFn: func(_ context.Context, key, n string) (reel.AgentSession, error) {
			note = n
			return reel.AgentSession{Name: key}, nil
		},
		SendFn: func(context.Context, string, string, bool) error { return nil },
	}
	_, path, _ := unixServer(t, Services{Supervisor: sup})
	hc := unixHTTP(path)
	post := func(p, body string) rawResponse {
		return rawCall(t, hc, "POST", "http://reel"+p, strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
	}
	t.Run("PauseEmptyBody", func(t *testing.T) {
		note = "x"
		if r := post("/v1/agents/api/pause", ""); r.status != 200 || note != "" {
			t.Fatalf("status %d (%s), note %q", r.status, r.body, note)
		}
	})
	for _, tc := range []struct{ name, path, body, part string }{
		{"ErrUnknownField", "/v1/agents/api/pause", `{"note":"a","nite":"b"}`, `unknown field "nite"`},
		{"ErrType", "/v1/agents/api/send", `{"text":3}`, `"text"`},
		{"ErrTrailing", "/v1/agents/api/send", `{"text":"a"} {}`, "after the JSON value"},
		{"ErrEmpty", "/v1/agents/api/send", ``, "request body is empty"},
		{"ErrNotJSON", "/v1/agents", `command: [x]`, "request body"},
		{"ErrResumeBody", "/v1/agents/api/resume", `{"force":true}`, `unknown field "force"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(tc.path, tc.body)
			e := errorOf(t, r)
			if r.status != 400 || e.Code != reel.EINVALID || !strings.Contains(e.Message, tc.part) {
				t.Fatalf("status %d, error %+v, want 400 invalid with %q", r.status, e, tc.part)
			}
		})
	}
	t.Run("ErrTooLarge", func(t *testing.T) {
		big := `{"text":"` + strings.Repeat("a", maxBody) + `"}`
		r := post("/v1/agents/api/send", big)
		if e := errorOf(t, r); r.status != 413 || e.Code != reel.EINVALID || !strings.Contains(e.Message, "over 1 MiB") {
			t.Fatalf("status %d, error %+v, want 413", r.status, e)
		}
	})
}

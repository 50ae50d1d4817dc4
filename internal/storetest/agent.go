package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// RunAgents runs the conformance suite of reel.AgentRegistry. open must
// return a new, empty registry for each call and close it when the test
// that asked for it ends.
func RunAgents(t *testing.T, open func(t *testing.T) reel.AgentRegistry) {
	t.Run("PutAgent", func(t *testing.T) { testPutAgent(t, open) })
	t.Run("Agents", func(t *testing.T) { testAgents(t, open) })
	t.Run("DeleteAgent", func(t *testing.T) { testDeleteAgent(t, open) })
	t.Run("AgentNameRace", func(t *testing.T) { testAgentNameRace(t, open) })
}

// agent returns a full session named name, created d after base.
func agent(name string, d time.Duration) reel.AgentSession {
	return reel.AgentSession{
		ID:           fmt.Sprintf("0190c0de-%04x-7000-8000-%012x", d/time.Second, len(name)) + name,
		Name:         name,
		Status:       reel.AgentRunning,
		Agent:        "claude-code",
		Command:      []string{"claude", "--model", "opus", "a \"quoted\" arg"},
		Dir:          "/home/dev/src/" + name,
		Tmux:         "reel-" + name,
		Pane:         "%3",
		Socket:       "work",
		PID:          4242,
		CreatedAt:    at(d),
		LastActivity: at(d + time.Minute),
		SessionID:    "s-" + name,
	}
}

func agents(t *testing.T, r reel.AgentRegistry) []reel.AgentSession {
	t.Helper()
	list, err := r.Agents(context.Background())
	if err != nil {
		t.Fatalf("Agents = %v", err)
	}
	if list == nil {
		t.Fatal("Agents = nil, want an empty slice for none")
	}
	for i := range list {
		a := &list[i]
		a.CreatedAt = utc(t, "created_at", a.CreatedAt)
		a.LastActivity = utc(t, "last_activity", a.LastActivity)
		a.StoppedAt = utc(t, "stopped_at", a.StoppedAt)
		if a.Pause != nil {
			a.Pause.At = utc(t, "pause.at", a.Pause.At)
			a.Pause.ResumedAt = utc(t, "pause.resumed_at", a.Pause.ResumedAt)
		}
	}
	return list
}

func putAgent(t *testing.T, r reel.AgentRegistry, a reel.AgentSession) {
	t.Helper()
	if err := r.PutAgent(context.Background(), a); err != nil {
		t.Fatalf("PutAgent(%s) = %v", a.Name, err)
	}
}

func testPutAgent(t *testing.T, open func(t *testing.T) reel.AgentRegistry) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		r := open(t)
		a := agent("api", 0)
		a.Pause = &reel.Pause{At: at(2 * time.Minute), Summary: "waiting on\nreview ✓", Auto: true, ResumedAt: at(3 * time.Minute)}
		a.StoppedAt = at(time.Hour)
		a.Adopted = true
		putAgent(t, r, a)
		equal(t, "agents", agents(t, r), []reel.AgentSession{a})
	})
	t.Run("OKTimesInUTC", func(t *testing.T) {
		r := open(t)
		a := agent("zoned", 0)
		a.CreatedAt = a.CreatedAt.In(time.FixedZone("X", 5*3600+1800))
		putAgent(t, r, a)
		got := agents(t, r)
		if len(got) != 1 || !got[0].CreatedAt.Equal(a.CreatedAt) || got[0].CreatedAt.Location() != time.UTC {
			t.Errorf("created_at = %v, want %v in UTC", got, a.CreatedAt)
		}
	})
	t.Run("OKReplace", func(t *testing.T) {
		r := open(t)
		a := agent("api", 0)
		putAgent(t, r, a)
		a.Name, a.Status, a.PID, a.StoppedAt = "api-renamed", reel.AgentStopped, 0, at(time.Hour)
		putAgent(t, r, a)
		equal(t, "agents", agents(t, r), []reel.AgentSession{a})
		// The old name is free again.
		b := agent("api", time.Second)
		putAgent(t, r, b)
		if n := len(agents(t, r)); n != 2 {
			t.Errorf("%d sessions, want 2", n)
		}
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		r := open(t)
		putAgent(t, r, agent("api", 0))
		b := agent("web", time.Second)
		putAgent(t, r, b)
		b.Name = "api"
		wantCode(t, r.PutAgent(ctx, b), reel.ECONFLICT)
		got := agents(t, r)
		if len(got) != 2 || got[0].Name != "web" {
			t.Errorf("after a refused put: %+v", got)
		}
	})
	t.Run("ErrNoName", func(t *testing.T) {
		r := open(t)
		a := agent("api", 0)
		a.Name = ""
		wantCode(t, r.PutAgent(ctx, a), reel.EINVALID)
		a = agent("api", 0)
		a.ID = ""
		wantCode(t, r.PutAgent(ctx, a), reel.EINVALID)
		equal(t, "agents", agents(t, r), []reel.AgentSession{})
	})
	t.Run("OKOddText", func(t *testing.T) {
		// A command line or a pane's summary may hold anything a user typed.
		r := open(t)
		a := agent("odd", 0)
		a.Command = []string{"sh", "-c", "printf '\\x00'; echo \x00nul \xff"}
		a.Pause = &reel.Pause{At: at(time.Minute), Summary: "tab\there \u2028 \uFFFE"}
		putAgent(t, r, a)
		got := agents(t, r)
		if len(got) != 1 || got[0].Pause.Summary != a.Pause.Summary || got[0].Command[2] != "printf '\\x00'; echo \x00nul \uFFFD" {
			t.Errorf("odd text came back as %q %q", got[0].Command, got[0].Pause.Summary)
		}
	})
}

func testAgents(t *testing.T, open func(t *testing.T) reel.AgentRegistry) {
	t.Run("OKNewestFirst", func(t *testing.T) {
		r := open(t)
		putAgent(t, r, agent("b-middle", 2*time.Second))
		putAgent(t, r, agent("c-oldest", time.Second))
		putAgent(t, r, agent("a-newest", 3*time.Second))
		var names []string
		for _, a := range agents(t, r) {
			names = append(names, a.Name)
		}
		equal(t, "names", names, []string{"a-newest", "b-middle", "c-oldest"})
	})
	t.Run("OKEmpty", func(t *testing.T) {
		equal(t, "agents", agents(t, open(t)), []reel.AgentSession{})
	})
}

func testDeleteAgent(t *testing.T, open func(t *testing.T) reel.AgentRegistry) {
	ctx := context.Background()
	r := open(t)
	a, b := agent("api", 0), agent("web", time.Second)
	putAgent(t, r, a)
	putAgent(t, r, b)
	if err := r.DeleteAgent(ctx, a.ID); err != nil {
		t.Fatalf("DeleteAgent = %v", err)
	}
	equal(t, "agents", agents(t, r), []reel.AgentSession{b})
	if err := r.DeleteAgent(ctx, a.ID); err != nil {
		t.Errorf("DeleteAgent(missing) = %v, want nil", err)
	}
	// The name of a deleted session is free.
	putAgent(t, r, agent("api", 2*time.Second))
}

// testAgentNameRace puts sessions of one name and different ids at once:
// exactly one wins, the others get ECONFLICT.
func testAgentNameRace(t *testing.T, open func(t *testing.T) reel.AgentRegistry) {
	r := open(t)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a := agent("api", time.Duration(i)*time.Second)
			errs[i] = r.PutAgent(context.Background(), a)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch reel.ErrorCode(err) {
		case "":
			won++
		case reel.ECONFLICT:
		default:
			t.Errorf("PutAgent = %v, want nil or ECONFLICT", err)
		}
	}
	if got := agents(t, r); won != 1 || len(got) != 1 {
		t.Errorf("%d puts won and %d sessions are left, want 1 and 1", won, len(got))
	}
}

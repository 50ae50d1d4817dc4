package tmux

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func TestSupervisor_Start(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		l := newLab(t)
		dir := filepath.Join(t.TempDir(), "My Project!")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		a, err := l.sup.Start(ctx, reel.StartRequest{Dir: dir, Command: fakeAgent(t), Env: map[string]string{"FAKE_VAR": "v1"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != "my-project" || a.Tmux != "reel-my-project" || a.Agent != "sh" || a.Dir != dir ||
			!strings.HasPrefix(a.Pane, "%") || len(a.ID) != 36 || a.ID[14] != '7' {
			t.Errorf("started %+v", a)
		}
		if a.Status != reel.AgentStarting && a.Status != reel.AgentRunning {
			t.Errorf("status = %s, want starting (or running if found at once)", a.Status)
		}
		out := l.waitOutput(a.Name, "fake-agent>")
		if !strings.Contains(out, "FAKE_VAR=v1") {
			t.Errorf("the agent did not get its environment: %q", out)
		}
		if got := l.tmux("list-sessions", "-F", "#{session_name}"); got != "reel-my-project\n" {
			t.Errorf("tmux sessions = %q", got)
		}
		list, err := l.reg.Agents(ctx)
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Errorf("registry = %+v, %v", list, err)
		}
	})
	t.Run("OKUniqueName", func(t *testing.T) {
		l := newLab(t)
		dir := filepath.Join(t.TempDir(), "api")
		os.Mkdir(dir, 0o700)
		var names []string
		for range 3 {
			a, err := l.sup.Start(ctx, reel.StartRequest{Dir: dir, Command: []string{"sleep", "60"}})
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, a.Name)
		}
		if strings.Join(names, " ") != "api api-2 api-3" {
			t.Errorf("names = %q", names)
		}
	})
	t.Run("OKReplacesStopped", func(t *testing.T) {
		l := newLab(t)
		old := l.start("api")
		if _, err := l.sup.Stop(ctx, "api"); err != nil {
			t.Fatal(err)
		}
		a := l.start("api")
		list, _ := l.reg.Agents(ctx)
		if len(list) != 1 || list[0].ID != a.ID || a.ID == old.ID {
			t.Errorf("registry = %+v", list)
		}
	})
	t.Run("ErrNoCommand", func(t *testing.T) {
		l := newLab(t)
		_, err := l.sup.Start(ctx, reel.StartRequest{Dir: t.TempDir()})
		wantCode(t, err, reel.EINVALID)
	})
	t.Run("ErrNoFolder", func(t *testing.T) {
		l := newLab(t)
		_, err := l.sup.Start(ctx, reel.StartRequest{Dir: filepath.Join(t.TempDir(), "nope"), Command: []string{"true"}})
		wantCode(t, err, reel.EINVALID)
	})
	t.Run("ErrBadName", func(t *testing.T) {
		l := newLab(t)
		_, err := l.sup.Start(ctx, reel.StartRequest{Name: "a.b", Command: []string{"true"}})
		wantCode(t, err, reel.EINVALID)
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		l := newLab(t)
		l.start("api")
		_, err := l.sup.Start(ctx, reel.StartRequest{Name: "api", Command: []string{"true"}})
		wantCode(t, err, reel.ECONFLICT)
		// A tmux session reel did not start holds the name too.
		l.tmux("new-session", "-d", "-s", "reel-web", "sleep", "60")
		_, err = l.sup.Start(ctx, reel.StartRequest{Name: "web", Command: []string{"true"}})
		wantCode(t, err, reel.ECONFLICT)
	})
}

func TestSupervisor_Agent(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	api, web := l.start("api"), l.start("web")
	for _, key := range []string{api.ID, api.ID[:13], "api"} {
		if a, err := l.sup.Agent(ctx, key); err != nil || a.ID != api.ID {
			t.Errorf("Agent(%q) = %s, %v; want api", key, a.Name, err)
		}
	}
	_, err := l.sup.Agent(ctx, "wbe")
	wantCode(t, err, reel.ENOTFOUND)
	if hint := reel.ErrorHint(err); !strings.HasPrefix(hint, "closest: web, api") {
		t.Errorf("hint = %q, want the closest names, web first", hint)
	}
	// Two UUIDv7s made in one second share their first digits.
	common := 0
	for common < len(api.ID) && api.ID[common] == web.ID[common] {
		common++
	}
	_, err = l.sup.Agent(ctx, api.ID[:common])
	wantCode(t, err, reel.EAMBIGUOUS)
}

func TestSupervisor_Agents(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.start("first")
	l.start("second")
	list, err := l.sup.Agents(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "second" {
		t.Fatalf("Agents = %+v, %v; want second, first", list, err)
	}
	t.Run("OKIdleAfterQuiet", func(t *testing.T) {
		l.waitPID("first")
		if a := l.agent("first"); a.Status != reel.AgentRunning {
			t.Errorf("status = %s, want running", a.Status)
		}
		l.clock.advance(3 * time.Minute)
		if a := l.agent("first"); a.Status != reel.AgentIdle {
			t.Errorf("status after 3 quiet minutes = %s, want idle", a.Status)
		}
	})
	t.Run("OKTmuxMissing", func(t *testing.T) {
		// Without tmux the registry is still listed.
		sup := New(Options{Runner: &ExecRunner{Path: "/nonexistent/tmux"}, Registry: l.reg})
		list, err := sup.Agents(ctx)
		if err != nil || len(list) != 2 {
			t.Errorf("Agents = %d, %v; want 2", len(list), err)
		}
	})
}

func TestSupervisor_Pause(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.start("api")
	t.Run("OKNote", func(t *testing.T) {
		a, err := l.sup.Pause(ctx, "api", "  waiting for the schema review ")
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != reel.AgentPaused || a.Pause == nil || a.Pause.Summary != "waiting for the schema review" || a.Pause.Auto {
			t.Errorf("paused = %+v %+v", a, a.Pause)
		}
		if got := l.agent("api"); got.Status != reel.AgentPaused || got.Pause.Summary != a.Pause.Summary {
			t.Errorf("the pause did not persist: %+v", got)
		}
	})
	t.Run("ErrPaused", func(t *testing.T) {
		_, err := l.sup.Pause(ctx, "api", "again")
		wantCode(t, err, reel.ECONFLICT)
	})
	t.Run("OKSummary", func(t *testing.T) {
		if _, err := l.sup.Resume(ctx, "api"); err != nil {
			t.Fatal(err)
		}
		if err := l.sup.Send(ctx, "api", "color", true); err != nil {
			t.Fatal(err)
		}
		l.waitOutput("api", "red alert")
		a, err := l.sup.Pause(ctx, "api", "")
		if err != nil {
			t.Fatal(err)
		}
		s := a.Pause.Summary
		if !a.Pause.Auto || !strings.Contains(s, "red alert") || !strings.Contains(s, "fake-agent ready") ||
			strings.Contains(s, "\x1b") || strings.Contains(s, "\n\n\n") {
			t.Errorf("summary = %q (auto %v)", s, a.Pause.Auto)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := l.sup.Pause(ctx, "nope", "")
		wantCode(t, err, reel.ENOTFOUND)
	})
}

func TestSupervisor_Resume(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.start("api")
	t.Run("ErrNotPaused", func(t *testing.T) {
		l.waitPID("api")
		_, err := l.sup.Resume(ctx, "api")
		wantCode(t, err, reel.ECONFLICT)
		if !strings.Contains(err.Error(), "running") {
			t.Errorf("error %q does not name the status", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		p, err := l.sup.Pause(ctx, "api", "lunch")
		if err != nil {
			t.Fatal(err)
		}
		a, err := l.sup.Resume(ctx, "api")
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != reel.AgentRunning || a.Pause == nil || a.Pause.Summary != "lunch" ||
			!a.Pause.At.Equal(p.Pause.At) || a.Pause.ResumedAt.Before(a.Pause.At) {
			t.Errorf("resumed = %+v %+v", a, a.Pause)
		}
	})
}

func TestSupervisor_Send(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.start("api")
	t.Run("OK", func(t *testing.T) {
		// Literal text: a tmux key name is typed as its letters.
		if err := l.sup.Send(ctx, "api", "hello Enter; $HOME 'q'", true); err != nil {
			t.Fatal(err)
		}
		l.waitOutput("api", "fake-agent got: hello Enter; $HOME 'q'")
	})
	t.Run("OKNoEnter", func(t *testing.T) {
		if err := l.sup.Send(ctx, "api", "half a line", false); err != nil {
			t.Fatal(err)
		}
		out := l.waitOutput("api", "fake-agent> half a line")
		if strings.Contains(out, "got: half a line") {
			t.Errorf("Enter was pressed: %q", out)
		}
		if err := l.sup.Send(ctx, "api", "", true); err != nil {
			t.Fatal(err)
		}
		l.waitOutput("api", "got: half a line")
	})
	t.Run("ErrStopped", func(t *testing.T) {
		if _, err := l.sup.Stop(ctx, "api"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, l.sup.Send(ctx, "api", "x", true), reel.ECONFLICT)
	})
}

func TestSupervisor_Output(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.start("api")
	if err := l.sup.Send(ctx, "api", "many", true); err != nil {
		t.Fatal(err)
	}
	l.waitOutput("api", "line 79\nfake-agent>")
	t.Run("OKLines", func(t *testing.T) {
		out, err := l.sup.Output(ctx, "api", 3)
		if err != nil {
			t.Fatal(err)
		}
		if out != "line 78\nline 79\nfake-agent>\n" {
			t.Errorf("last 3 lines = %q", out)
		}
	})
	t.Run("OKAll", func(t *testing.T) {
		out, _ := l.sup.Output(ctx, "api", 0)
		if !strings.HasPrefix(out, "fake-agent ready") || !strings.Contains(out, "line 0\n") {
			t.Errorf("all of the history = %q", out)
		}
	})
	t.Run("ErrGone", func(t *testing.T) {
		l.tmux("kill-session", "-t", "=reel-api")
		_, err := l.sup.Output(ctx, "api", 0)
		wantCode(t, err, reel.ECONFLICT)
	})
}

func TestSupervisor_Stop(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.start("api")
	// A session whose name starts with the other's: never killed by a
	// prefix match.
	l.start("api-2")
	a, err := l.sup.Stop(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != reel.AgentStopped || a.StoppedAt.IsZero() {
		t.Errorf("stopped = %+v", a)
	}
	if got := l.tmux("list-sessions", "-F", "#{session_name}"); got != "reel-api-2\n" {
		t.Errorf("tmux sessions = %q, want reel-api-2 alone", got)
	}
	if again, err := l.sup.Stop(ctx, "api"); err != nil || !again.StoppedAt.Equal(a.StoppedAt) {
		t.Errorf("Stop again = %+v, %v; want the same record, no error", again, err)
	}
	if _, err := l.sup.Stop(ctx, "api-2"); err != nil {
		t.Fatal(err)
	}
	// The server has exited with its last session; the records stay.
	if got := l.agent("api"); got.Status != reel.AgentStopped {
		t.Errorf("after the server's end: %+v", got)
	}
	_, err = l.sup.Stop(ctx, "nope")
	wantCode(t, err, reel.ENOTFOUND)
}

func TestSupervisor_Reap(t *testing.T) {
	ctx := context.Background()
	t.Run("OKTmuxSessionGone", func(t *testing.T) {
		l := newLab(t)
		gone := l.start("gone")
		l.start("kept")
		l.tmux("kill-session", "-t", "=reel-gone")
		rep, err := l.sup.Reap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Removed) != 1 || rep.Removed[0].ID != gone.ID || len(rep.Stopped) != 0 {
			t.Errorf("report = %+v", rep)
		}
		list, _ := l.reg.Agents(ctx)
		if len(list) != 1 || list[0].Name != "kept" {
			t.Errorf("registry = %+v", list)
		}
	})
	t.Run("OKAgentExited", func(t *testing.T) {
		l := newLab(t)
		l.start("dead")
		a := l.waitPID("dead")
		if err := syscall.Kill(a.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		var rep reel.ReapReport
		for deadline := time.Now().Add(10 * time.Second); len(rep.Stopped) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			var err error
			if rep, err = l.sup.Reap(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if len(rep.Stopped) != 1 || rep.Stopped[0].Status != reel.AgentStopped || len(rep.Removed) != 0 {
			t.Fatalf("report = %+v", rep)
		}
		// The pane stays, with the agent's last output.
		if got := l.agent("dead"); got.Status != reel.AgentStopped {
			t.Errorf("record = %+v", got)
		}
		l.waitOutput("dead", "fake-agent ready")
	})
	t.Run("OKNoServer", func(t *testing.T) {
		// No tmux server running means every session is gone.
		l := newLab(t)
		l.start("a")
		l.start("b")
		l.tmux("kill-server")
		rep, err := l.sup.Reap(ctx)
		if err != nil || len(rep.Removed) != 2 {
			t.Errorf("Reap = %+v, %v; want both removed", rep, err)
		}
	})
	t.Run("ErrTmuxMissing", func(t *testing.T) {
		l := newLab(t)
		l.start("a")
		sup := New(Options{Runner: &ExecRunner{Path: filepath.Join(t.TempDir(), "tmux")}, Registry: l.reg})
		rep, err := sup.Reap(ctx)
		wantCode(t, err, reel.EUNSUPPORT)
		if len(rep.Removed)+len(rep.Stopped) != 0 {
			t.Errorf("report = %+v", rep)
		}
		if list, _ := l.reg.Agents(ctx); len(list) != 1 || list[0].Status == reel.AgentStopped {
			t.Errorf("registry changed: %+v", list)
		}
	})
	t.Run("ErrTmuxFails", func(t *testing.T) {
		// A tmux that fails for any other reason (here a FAKE tmux that
		// only complains) tells nothing: nothing is reaped.
		l := newLab(t)
		l.start("a")
		fake := filepath.Join(t.TempDir(), "fake-tmux")
		if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'error connecting to /tmp/tmux-0/default (Permission denied)' >&2\nexit 1\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		sup := New(Options{Runner: &ExecRunner{Path: fake}, Registry: l.reg})
		rep, err := sup.Reap(ctx)
		if err == nil || !strings.Contains(err.Error(), "Permission denied") {
			t.Errorf("Reap = %v, want tmux's complaint", err)
		}
		if len(rep.Removed)+len(rep.Stopped) != 0 {
			t.Errorf("report = %+v", rep)
		}
		if list, _ := l.reg.Agents(ctx); len(list) != 1 {
			t.Errorf("registry changed: %+v", list)
		}
	})
}

func TestSupervisor_Restart(t *testing.T) {
	// A new Supervisor over the same database, as after a daemon
	// restart, finds every session and controls it.
	ctx := context.Background()
	l := newLab(t)
	l.start("api")
	if _, err := l.sup.Pause(ctx, "api", "before the restart"); err != nil {
		t.Fatal(err)
	}
	l.start("web")
	if err := l.reg.Close(); err != nil {
		t.Fatal(err)
	}
	l.sup = l.newSupervisor(l.openRegistry())
	list, err := l.sup.Agents(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("Agents = %+v, %v", list, err)
	}
	if a := l.agent("api"); a.Status != reel.AgentPaused || a.Pause.Summary != "before the restart" {
		t.Errorf("api = %+v", a)
	}
	if err := l.sup.Send(ctx, "web", "after", true); err != nil {
		t.Fatal(err)
	}
	l.waitOutput("web", "fake-agent got: after")
	if _, err := l.sup.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSupervisor_CapturePIDs(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.start("api")
	a := l.waitPID("api")
	if a.Status != reel.AgentRunning {
		t.Errorf("status = %s, want running once the PID is known", a.Status)
	}
	// The agent is the pane shell's child, running the fake agent.
	panePID, _ := strconv.Atoi(strings.TrimSpace(l.tmux("display-message", "-p", "-t", "=reel-api:", "#{pane_pid}")))
	if st, ok := readStat(a.PID); !ok || st.ppid != panePID {
		t.Errorf("pid %d: parent %d, want the pane's shell %d", a.PID, st.ppid, panePID)
	}
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(a.PID) + "/cmdline")
	if !strings.Contains(string(cmdline), "fake-agent.sh") {
		t.Errorf("pid %d runs %q", a.PID, cmdline)
	}
	if !strings.Contains(l.waitOutput("api", "pid"), "pid "+strconv.Itoa(a.PID)) {
		t.Errorf("the fake agent printed another pid than %d", a.PID)
	}
	if missing, err := l.sup.CapturePIDs(ctx); err != nil || missing != 0 {
		t.Errorf("CapturePIDs = %d, %v; want 0 missing", missing, err)
	}
}

func TestSupervisor_ObserveHook(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	a := l.start("api")
	l.waitPID("api")
	t.Run("OK", func(t *testing.T) {
		if err := l.sup.ObserveHook(ctx, a.Pane, reel.AgentWaiting, "sess-1"); err != nil {
			t.Fatal(err)
		}
		got := l.agent("api")
		if got.Status != reel.AgentWaiting || got.SessionID != "sess-1" {
			t.Errorf("after the hook: %+v", got)
		}
		// A hook's waiting outlasts the quiet period; running does not.
		l.clock.advance(5 * time.Minute)
		if got := l.agent("api"); got.Status != reel.AgentWaiting {
			t.Errorf("waiting became %s", got.Status)
		}
		if err := l.sup.ObserveHook(ctx, a.Pane, reel.AgentRunning, ""); err != nil {
			t.Fatal(err)
		}
		if got := l.agent("api"); got.Status != reel.AgentRunning || got.SessionID != "sess-1" {
			t.Errorf("after running: %+v", got)
		}
		l.clock.advance(5 * time.Minute)
		if got := l.agent("api"); got.Status != reel.AgentIdle {
			t.Errorf("running with no hook nor output for 5 min: %s, want idle", got.Status)
		}
	})
	t.Run("ErrUnknownPane", func(t *testing.T) {
		wantCode(t, l.sup.ObserveHook(ctx, "%999", reel.AgentWaiting, ""), reel.ENOTFOUND)
	})
	t.Run("ErrStatus", func(t *testing.T) {
		wantCode(t, l.sup.ObserveHook(ctx, a.Pane, reel.AgentStopped, ""), reel.EINVALID)
	})
}

func TestSupervisor_Adopt(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.tmux(append([]string{"new-session", "-d", "-s", "mine", "-c", t.TempDir()}, fakeAgent(t)...)...)
	t.Run("OK", func(t *testing.T) {
		a, err := l.sup.Adopt(ctx, "mine", "")
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != "mine" || a.Tmux != "mine" || !a.Adopted || a.PID == 0 || a.Status != reel.AgentRunning {
			t.Errorf("adopted %+v", a)
		}
		if err := l.sup.Send(ctx, "mine", "adopted", true); err != nil {
			t.Fatal(err)
		}
		l.waitOutput("mine", "fake-agent got: adopted")
	})
	t.Run("ErrAlready", func(t *testing.T) {
		_, err := l.sup.Adopt(ctx, "mine", "other")
		wantCode(t, err, reel.ECONFLICT)
	})
	t.Run("ErrNoSuchSession", func(t *testing.T) {
		_, err := l.sup.Adopt(ctx, "nope", "")
		wantCode(t, err, reel.ENOTFOUND)
	})
}

func TestSupervisor_Attach(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	l.start("api")
	args, err := l.sup.Attach(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(args, " ") != "tmux -L "+l.run.Socket+" attach-session -t =reel-api" {
		t.Errorf("attach = %q", args)
	}
	l.sup.Stop(ctx, "api")
	_, err = l.sup.Attach(ctx, "api")
	wantCode(t, err, reel.ECONFLICT)
}

func TestSupervisor_OtherServer(t *testing.T) {
	// A supervisor on another tmux server (another REEL_TMUX_SOCKET over
	// the same store) lists the session but never reaps or drives it.
	ctx := context.Background()
	l := newLab(t)
	a := l.start("api")
	if a.Socket != l.run.Socket {
		t.Fatalf("socket = %q, want %q", a.Socket, l.run.Socket)
	}
	other := &ExecRunner{Socket: l.run.Socket + "-other", Config: "/dev/null"}
	t.Cleanup(func() { other.Run(context.Background(), "kill-server") })
	sup := New(Options{Runner: other, Registry: l.reg})
	list, err := sup.Agents(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("Agents = %+v, %v", list, err)
	}
	rep, err := sup.Reap(ctx)
	if err != nil || len(rep.Removed)+len(rep.Stopped) != 0 {
		t.Errorf("Reap on a server without the session = %+v, %v; want nothing reaped", rep, err)
	}
	wantCode(t, sup.Send(ctx, "api", "x", true), reel.ECONFLICT)
	_, err = sup.Stop(ctx, "api")
	wantCode(t, err, reel.ECONFLICT)
	wantCode(t, sup.ObserveHook(ctx, a.Pane, reel.AgentWaiting, ""), reel.ENOTFOUND)
	if args, err := sup.Attach(ctx, "api"); err != nil || strings.Join(args, " ") != "tmux -L "+l.run.Socket+" attach-session -t =reel-api" {
		t.Errorf("Attach = %q, %v; want the session's own server", args, err)
	}
	// Its own supervisor still drives it.
	if err := l.sup.Send(ctx, "api", "still mine", true); err != nil {
		t.Fatal(err)
	}
	l.waitOutput("api", "got: still mine")
}

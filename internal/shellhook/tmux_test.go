package shellhook_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/testenv"
)

// This file drives real shells in tmux with a real reel binary: the hook
// as a user loads it, the recording's journal and lock, kill -9, recovery,
// and the store.

// reelBinary returns a reel binary (testenv.ReelBinary) that has the rec
// command.
func reelBinary(t testing.TB) string {
	t.Helper()
	bin := testenv.ReelBinary(t)
	if out, err := exec.Command(bin, "rec", "--help").CombinedOutput(); err != nil {
		t.Fatalf("the reel binary has no rec command (register it in internal/cli/root.go): %v\n%s", err, out)
	}
	return bin
}

// lab is one test's reel home, shells and tmux server.
type lab struct {
	t    testing.TB
	bin  string
	dir  string
	home string
	sock string
	// timing is shell code loaded after the hook (see bench_test.go).
	timing string
	pids   []int
}

func newLab(t testing.TB) *lab {
	t.Helper()
	needShell(t, "tmux")
	l := &lab{t: t, bin: reelBinary(t), dir: t.TempDir()}
	l.home = filepath.Join(l.dir, "reel")
	l.sock = fmt.Sprintf("reel-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		exec.Command("tmux", "-L", l.sock, "kill-server").Run()
		// The shells exit on the hangup; wait, so that nothing writes
		// into the temp folder while it is removed.
		deadline := time.Now().Add(5 * time.Second)
		for _, pid := range l.pids {
			for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
		}
	})
	return l
}

// tmux runs a tmux command on the lab's server.
func (l *lab) tmux(args ...string) string {
	l.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", l.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// shell opens a tmux window named name running shell with reel's hook
// loaded, waits for its prompt, and returns its pid.
func (l *lab) shell(shell, name string) int {
	l.t.Helper()
	bin := needShell(l.t, shell)
	rcdir := filepath.Join(l.dir, "rc-"+name)
	os.MkdirAll(rcdir, 0o700)
	env := fmt.Sprintf("export REEL_HOME=%s NO_COLOR=1\n", l.home)
	var cmd string
	switch shell {
	case "bash":
		rc := filepath.Join(rcdir, "bashrc")
		os.WriteFile(rc, []byte(env+"PS1='READY$ '\nHISTCONTROL=ignoreboth\nunset HISTFILE\n"+
			`eval "$(`+l.bin+` init bash)"`+"\n"+l.timing), 0o600)
		cmd = fmt.Sprintf("exec %s --noprofile --rcfile %s -i", bin, rc)
	case "zsh":
		os.WriteFile(filepath.Join(rcdir, ".zshrc"), []byte(env+"PS1='READY%% '\nsetopt hist_ignore_space\nunset HISTFILE\n"+
			`eval "$(`+l.bin+` init zsh)"`+"\n"+l.timing), 0o600)
		cmd = fmt.Sprintf("ZDOTDIR=%s exec %s -i", rcdir, bin)
	case "fish":
		// With generated_completions present, fish does not start its
		// background completion generator, which would still be writing
		// into the test's folder when the test removes it.
		os.MkdirAll(filepath.Join(rcdir, "fish", "generated_completions"), 0o700)
		os.WriteFile(filepath.Join(rcdir, "fish", "config.fish"), []byte(strings.ReplaceAll(env, "export ", "set -gx ")+
			"set -gx REEL_HOME "+l.home+"\nset -g fish_greeting\nset -g fish_history ''\nfunction fish_prompt; echo -n 'READY> '; end\n"+
			l.bin+" init fish | source\n"), 0o600)
		cmd = fmt.Sprintf("XDG_CONFIG_HOME=%s XDG_DATA_HOME=%s exec %s -i", rcdir, rcdir, bin)
	}
	if out, err := exec.Command("tmux", "-L", l.sock, "-f", "/dev/null", "has-session", "-t", "lab").CombinedOutput(); err != nil {
		_ = out
		l.tmux("new-session", "-d", "-s", "lab", "-n", name, "-x", "200", "-y", "50", cmd)
	} else {
		l.tmux("new-window", "-d", "-t", "lab", "-n", name, cmd)
	}
	l.waitPane(name, "READY", 20*time.Second)
	pid, err := strconv.Atoi(l.tmux("display", "-p", "-t", "lab:"+name, "#{pane_pid}"))
	if err != nil {
		l.t.Fatal(err)
	}
	l.pids = append(l.pids, pid)
	return pid
}

// send types a line into a window, as a user would.
func (l *lab) send(window, line string) {
	l.t.Helper()
	l.tmux("send-keys", "-t", "lab:"+window, "-l", line)
	l.tmux("send-keys", "-t", "lab:"+window, "Enter")
}

func (l *lab) pane(window string) string {
	return l.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "lab:"+window)
}

// waitPane waits until the window shows text n times in all.
func (l *lab) waitPane(window, text string, timeout time.Duration, n ...int) string {
	l.t.Helper()
	want := 1
	if len(n) > 0 {
		want = n[0]
	}
	var p string
	l.wait(timeout, "window "+window+" to show "+strconv.Quote(text), func() bool {
		p = l.pane(window)
		return strings.Count(p, text) >= want
	}, func() string { return p })
	return p
}

func (l *lab) wait(timeout time.Duration, what string, ok func() bool, show func() string) {
	l.t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			l.t.Fatalf("timed out waiting for %s; last seen:\n%s", what, show())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// reelOK reports whether reel, run against the lab's home, succeeds.
func (l *lab) reelOK(args ...string) bool {
	cmd := exec.Command(l.bin, args...)
	cmd.Env = append(os.Environ(), "REEL_HOME="+l.home, "NO_COLOR=1")
	return cmd.Run() == nil
}

// reel runs the reel binary against the lab's home.
func (l *lab) reel(args ...string) []byte {
	l.t.Helper()
	cmd := exec.Command(l.bin, args...)
	cmd.Env = append(os.Environ(), "REEL_HOME="+l.home, "NO_COLOR=1")
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		l.t.Fatalf("reel %v: %v\n%s%s", args, err, out, stderr)
	}
	return out
}

// recording is one line of rec list --json.
type recording struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	CommandCount int    `json:"command_count"`
	Recovered    bool   `json:"recovered"`
	SessionID    string `json:"session_id"`
	Path         string `json:"path"`
}

func (l *lab) recordings() []recording {
	l.t.Helper()
	var list []recording
	if err := json.Unmarshal(l.reel("rec", "list", "--json"), &list); err != nil {
		l.t.Fatal(err)
	}
	return list
}

// childrenOf returns the pids of a process's children.
func childrenOf(pid int) []int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

// commandsIn counts the command lines a journal holds so far.
func commandsIn(path string) int {
	data, _ := os.ReadFile(path)
	return strings.Count(string(data), `{"t":"cmd"`)
}

// activeRecording waits for the one active recording and returns it.
func (l *lab) activeRecording(name string) recording {
	l.t.Helper()
	var got recording
	l.wait(15*time.Second, "recording "+name+" to be active", func() bool {
		for _, r := range l.recordings() {
			if r.Name == name && r.Status == "active" {
				got = r
				return true
			}
		}
		return false
	}, func() string {
		return fmt.Sprint(l.recordings()) + "\n" + l.tmux("capture-pane", "-p", "-a", "-t", "lab")
	})
	return got
}

// TestRecording_KillNine is the check: a real shell under tmux
// records commands, is killed with kill -9 in the middle, and the next
// start brings its recording back as recovered-… with every completed
// command, in the journal and in the store.
func TestRecording_KillNine(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			l := newLab(t)
			victim := l.shell(shell, "victim")
			l.shell(shell, "next")

			l.send("victim", "reel rec start -n doomed")
			r := l.activeRecording("doomed")
			cmds := []string{`echo "first"; false`, "cd /tmp", `printf '%s\n' 'quote "double" and \back'`, "echo ünïcödé"}
			for i, c := range cmds {
				l.send("victim", c)
				l.wait(10*time.Second, fmt.Sprintf("command %d in the journal", i+1), func() bool { return commandsIn(r.Path) >= i+1 },
					func() string { return l.pane("victim") })
			}
			// A multi-line command, typed line by line.
			multi := []string{"for i in 1 2; do", `echo "n=$i"`, "done"}
			if shell == "fish" {
				multi = []string{"for i in 1 2", `echo "n=$i"`, "end"}
			}
			for _, line := range multi {
				l.send("victim", line)
			}
			l.wait(10*time.Second, "the loop in the journal", func() bool { return commandsIn(r.Path) >= 5 }, func() string { return l.pane("victim") })
			// A background job outlives its shell and, in bash and zsh,
			// holds the inherited lock descriptor: recovery must not trust
			// the lock alone.
			l.send("victim", "sleep 60 &")
			l.wait(10*time.Second, "the background job in the journal", func() bool { return commandsIn(r.Path) >= 6 }, func() string { return l.pane("victim") })
			// One more, typed but still running when the shell dies: it
			// never completed, so it is not in the recording.
			l.send("victim", "sleep 30")
			time.Sleep(300 * time.Millisecond)

			// Both sleeps are ended, by pid, when the test ends.
			children := childrenOf(victim)
			t.Cleanup(func() {
				for _, c := range children {
					syscall.Kill(c, syscall.SIGKILL)
				}
			})
			if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}

			l.send("next", "reel rec start -n after")
			l.activeRecording("after")

			var got recording
			for _, x := range l.recordings() {
				if x.ID == r.ID {
					got = x
				}
			}
			if !strings.HasPrefix(got.Name, "recovered-") || !got.Recovered || got.Status != "recovered" || got.CommandCount != 6 {
				t.Fatalf("after kill -9 and a new start: %+v; want recovered-…, recovered, 6 commands", got)
			}
			var show struct {
				Commands []struct {
					Cmd  string `json:"cmd"`
					Cwd  string `json:"cwd"`
					Exit int    `json:"exit"`
				} `json:"commands"`
			}
			json.Unmarshal(l.reel("rec", "show", got.ID, "--json"), &show)
			for i, c := range cmds {
				if show.Commands[i].Cmd != c {
					t.Errorf("command %d = %q, want %q as typed", i+1, show.Commands[i].Cmd, c)
				}
			}
			if show.Commands[0].Exit != 1 || show.Commands[2].Cwd != "/tmp" || show.Commands[1].Cwd == "/tmp" {
				t.Errorf("exit/cwd not recorded: %+v", show.Commands)
			}
			if loop := show.Commands[4].Cmd; !strings.Contains(loop, "for i in 1 2") || !strings.Contains(loop, `echo "n=$i"`) {
				t.Errorf("loop recorded as %q", loop)
			}

			// The recovered recording is in the store, where show and
			// search work as for any session.
			var doc struct {
				Session struct {
					Status string `json:"status"`
					Title  string `json:"title"`
				} `json:"session"`
				Events []struct {
					Kind string `json:"kind"`
					Text string `json:"text"`
				} `json:"events"`
			}
			// The start that recovered it ingests it after the new
			// recording is active, so wait for that to finish.
			l.wait(30*time.Second, "the recovered recording in the store", func() bool {
				return l.reelOK("show", got.SessionID)
			}, func() string { return l.pane("next") })
			json.Unmarshal(l.reel("show", got.SessionID, "--json"), &doc)
			if doc.Session.Status != "recovered" || doc.Session.Title != got.Name || len(doc.Events) != 6 || doc.Events[3].Kind != "command" {
				t.Errorf("stored session = %+v", doc)
			}
			if hits := string(l.reel("search", "ünïcödé", "--json")); !strings.Contains(hits, got.SessionID) {
				t.Errorf("search did not find the recovered command: %s", hits)
			}
		})
	}
}

// TestRecording_ConcurrentStart starts recordings in two shells at once:
// exactly one gets it, and the other says which recording is active and
// where.
func TestRecording_ConcurrentStart(t *testing.T) {
	for _, shell := range []string{"bash", "zsh"} {
		t.Run(shell, func(t *testing.T) {
			l := newLab(t)
			pids := map[string]int{"a": l.shell(shell, "a"), "b": l.shell(shell, "b")}
			l.send("a", "reel rec start")
			l.send("b", "reel rec start")
			done := func(w string) bool {
				p := l.pane(w)
				return strings.Contains(p, "stop with 'reel rec stop'") || strings.Contains(p, "already active")
			}
			l.wait(20*time.Second, "both starts to answer", func() bool { return done("a") && done("b") },
				func() string { return l.pane("a") + "\n---\n" + l.pane("b") })
			list := l.recordings()
			if len(list) != 1 || list[0].Status != "active" {
				t.Fatalf("recordings after two concurrent starts: %+v; want exactly one, active", list)
			}
			winner, loser := "a", "b"
			if strings.Contains(l.pane("a"), "already active") {
				winner, loser = "b", "a"
			}
			msg := l.pane(loser)
			if !strings.Contains(msg, list[0].Name) || !strings.Contains(msg, fmt.Sprintf("pid %d", pids[winner])) {
				t.Errorf("the refused start says %q; want the active recording's name and its shell's pid %d", msg, pids[winner])
			}
			// Stopping from the loser's shell ends the winner's
			// recording; the winner's hook stops writing.
			l.send(loser, "reel rec stop")
			l.waitPane(loser, "Stopped", 15*time.Second)
			l.send(winner, "echo after-stop")
			l.waitPane(winner, "no longer records", 10*time.Second)
			if n := commandsIn(list[0].Path); n != 0 {
				t.Errorf("%d commands written after the recording stopped", n)
			}
		})
	}
}

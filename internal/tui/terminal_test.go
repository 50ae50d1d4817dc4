package tui_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
	"github.com/reel-sh/reel/internal/testenv"
)

// terminal is `reel search -i` running in a pane of a private tmux
// server, 120x40.
type terminal struct {
	t      *testing.T
	sock   string
	target string
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", term.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (term *terminal) screen() string { return term.tmux("capture-pane", "-p", "-t", term.target) }

// waitFor polls the screen until ok holds, failing after a few seconds.
func (term *terminal) waitFor(what string, ok func(string) bool) string {
	term.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := term.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// start types text as the first input, once the program reads its
// input: keys sent while it is still starting (querying the terminal)
// can be lost, so they are sent again until they are echoed.
func (term *terminal) start(text string) {
	term.t.Helper()
	term.waitFor("the query line", func(s string) bool { return strings.Contains(s, "search>") })
	for range 20 {
		term.send("-l", text)
		deadline := time.Now().Add(500 * time.Millisecond)
		for time.Now().Before(deadline) {
			if strings.Contains(term.screen(), "search> "+text) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		term.send("C-u")
	}
	term.t.Fatalf("%q was never echoed:\n%s", text, term.screen())
}

func (term *terminal) send(keys ...string) {
	term.tmux(append([]string{"send-keys", "-t", "t"}, keys...)...)
}

func TestTerminal_SearchAsYouType(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed")
		}
		t.Skip("tmux is not installed")
	}
	bin := testenv.ReelBinary(t)
	dir := t.TempDir()
	home, reelHome := filepath.Join(dir, "home"), filepath.Join(dir, "reel")
	man, err := corpus.Generate(home, corpus.Options{Events: 3000, Seed: 11, End: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "REEL_HOME=" + reelHome, "PATH=" + os.Getenv("PATH")}
	// Full-text only, so that a needle's hits are exactly the events it
	// was planted in: hybrid search would add its nearest neighbours.
	sync := exec.Command(bin, "sync", "--no-embed")
	sync.Env = env
	if out, err := sync.CombinedOutput(); err != nil {
		t.Fatalf("reel sync: %v\n%s", err, out)
	}

	// The needle with the most hits that both sources hold, so that the
	// source filter has something to narrow.
	var needle corpus.Needle
	for _, n := range man.Needles {
		if n.Kind == corpus.TermNeedle && n.BySource[reel.SourceClaudeCode] > 0 && n.BySource[reel.SourceCodex] > 0 &&
			n.Count <= 20 && n.Count > needle.Count {
			needle = n
		}
	}
	if needle.Term == "" {
		t.Fatalf("the corpus has no term needle in both sources: %+v", man.Needles)
	}
	native := map[string]bool{}
	for _, f := range man.SessionFiles {
		if f.Source == reel.SourceClaudeCode {
			native[f.NativeID] = true
		}
	}

	paged := filepath.Join(dir, "paged.txt")
	script := filepath.Join(dir, "run.sh")
	// The command substitution makes stdout a pipe, as in
	// eval "$(reel search -i)": the view goes to the terminal, the
	// resume command to stdout.
	body := fmt.Sprintf("#!/bin/sh\nout=$(env -i %s TERM=xterm-256color NO_COLOR=1 PAGER='cat > %s' %s search -i)\necho REEL_EXIT=$?\necho \"RESUME=$out\"\nexec sleep 600\n",
		strings.Join(env, " "), paged, bin)
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, sock: fmt.Sprintf("reeltest-tui-%d-%d", os.Getpid(), time.Now().UnixNano()), target: "t"}
	t.Cleanup(func() { exec.Command("tmux", "-L", term.sock, "kill-server").Run() })
	term.tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", script)

	hitsRe := regexp.MustCompile(`(\d+) hits`)
	hits := func(s string) int {
		m := hitsRe.FindStringSubmatch(s)
		if m == nil {
			return -1
		}
		var n int
		fmt.Sscan(m[1], &n)
		return n
	}

	// Typing the needle's stem already finds needles: the word being
	// typed is a prefix.
	term.start(corpus.NeedleStem)
	term.waitFor("hits for the stem", func(s string) bool {
		return strings.Contains(s, "search> "+corpus.NeedleStem) && hits(s) > 0 && strings.Contains(s, corpus.NeedleStem)
	})
	term.send("-l", strings.TrimPrefix(needle.Term, corpus.NeedleStem))
	s := term.waitFor(fmt.Sprintf("%d hits for %s", needle.Count, needle.Term), func(s string) bool {
		return strings.Contains(s, "search> "+needle.Term) && hits(s) == needle.Count
	})
	if !strings.Contains(s, "codex") || !strings.Contains(s, "claude-code") {
		t.Fatalf("hits of both sources expected:\n%s", s)
	}

	// ctrl+s filters to the first source present: claude-code.
	term.send("C-s")
	s = term.waitFor("the source filter", func(s string) bool {
		return strings.Contains(s, "source: claude-code") && hits(s) == needle.BySource[reel.SourceClaudeCode]
	})
	list := listColumn(s)
	if strings.Contains(list, " codex ") {
		t.Fatalf("a codex hit under the claude-code filter:\n%s", s)
	}

	// The preview shows the hit, marked, among its neighbours.
	if !regexp.MustCompile(`▶ #\d+ \d\d:\d\d:\d\d`).MatchString(s) {
		t.Fatalf("no marked hit in the preview:\n%s", s)
	}
	if n := len(regexp.MustCompile(`(?m)│\s+#\d+ \d\d:\d\d:\d\d`).FindAllString(s, -1)); n < 2 {
		t.Fatalf("the preview shows %d surrounding events, want at least 2:\n%s", n, s)
	}

	// Enter opens the pager on the session, as reel show prints it.
	term.send("Enter")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(paged)
		if strings.Contains(string(b), needle.Term) && strings.Contains(string(b), "claude-code · ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pager got no transcript with %s:\n%s", needle.Term, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	term.waitFor("the search back after the pager", func(s string) bool { return strings.Contains(s, "source: claude-code") })

	// ctrl+r prints the resume command and exits 0.
	term.send("C-r")
	s = term.waitFor("the exit", func(s string) bool { return strings.Contains(s, "REEL_EXIT=") })
	m := regexp.MustCompile(`RESUME=claude --resume (\S+)`).FindStringSubmatch(s)
	if m == nil || !native[m[1]] {
		t.Fatalf("no resume command of a claude-code session:\n%s", s)
	}
	if !strings.Contains(s, "REEL_EXIT=0") {
		t.Fatalf("exit status not 0:\n%s", s)
	}
	if strings.Contains(s, "search>") {
		t.Fatalf("the screen was not restored:\n%s", s)
	}

	// Esc and Ctrl-C quit cleanly: status 0, nothing printed, the screen
	// restored.
	for _, k := range []string{"Escape", "C-c"} {
		term := &terminal{t: t, sock: fmt.Sprintf("reeltest-tui-%d-%d", os.Getpid(), time.Now().UnixNano()), target: "t"}
		t.Cleanup(func() { exec.Command("tmux", "-L", term.sock, "kill-server").Run() })
		term.tmux("new-session", "-d", "-s", term.target, "-x", "120", "-y", "40", script)
		term.start(needle.Term)
		term.waitFor("hits", func(s string) bool { return hits(s) == needle.Count })
		term.send(k)
		s = term.waitFor("the exit", func(s string) bool { return strings.Contains(s, "REEL_EXIT=") })
		if !strings.Contains(s, "REEL_EXIT=0") || !strings.Contains(s, "RESUME=\n") && !strings.HasSuffix(strings.TrimSpace(s), "RESUME=") || strings.Contains(s, "search>") {
			t.Fatalf("%s: want exit 0, no output and the screen restored:\n%s", k, s)
		}
	}
}

// listColumn is the results column of a side-by-side screen.
func listColumn(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "│"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

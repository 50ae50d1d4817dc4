package ingest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// These tests have the real shells write history files, so the importer
// is checked against what bash and zsh write today, not against what we
// believe they write. The files under testdata/shellhistory/{bash,
// bashplain,zsh} were made the same way; fish/fish_history was written by
// fish 3.6 at an interactive prompt, its "when" fields then moved back to
// span two days.

// shellRun runs a shell with a clean environment in a temporary HOME and
// returns that HOME.
func shellRun(t *testing.T, name string, stdin string, env []string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed", name)
	}
	home := t.TempDir()
	cmd := exec.Command(path, args...)
	cmd.Dir = home
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "TERM=dumb"}, env...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return home
}

func TestShellHistory_RealBash(t *testing.T) {
	t.Run("Interactive", func(t *testing.T) {
		// Commands typed at an interactive bash, saved when it exits.
		typed := "echo hello\nshopt -s lithist\nfor i in 1 2; do\n  echo $i\ndone\ntrue caf\xc3\xa9\nexit\n"
		start := time.Now().Add(-time.Second)
		home := shellRun(t, "bash", typed, []string{"HISTFILE=hist", "HISTTIMEFORMAT=%F %T "}, "--norc", "-i")
		end := time.Now().Add(time.Second)
		path := filepath.Join(home, "hist")
		if shell, err := DetectShellHistory(path); shell != shellBash {
			t.Fatalf("DetectShellHistory = %q, %v", shell, err)
		}
		runs := shellRead(t, newTestShell(), path)
		var texts []string
		for _, c := range shellCmds(runs) {
			texts = append(texts, c.Text)
			if at := time.Unix(c.Unix, 0); at.Before(start.Truncate(time.Second)) || at.After(end) {
				t.Errorf("%q at %v, not during the test", c.Text, at)
			}
			if want := time.Unix(c.Unix, 0).UTC().Format(time.DateOnly); c.Day != want {
				t.Errorf("%q in day %s, want %s", c.Text, c.Day, want)
			}
		}
		want := []string{"echo hello", "shopt -s lithist", "for i in 1 2; do\n  echo $i\ndone", "true café", "exit"}
		if !slices.Equal(texts, want) {
			t.Errorf("commands %q, want %q", texts, want)
		}
	})
	t.Run("Days", func(t *testing.T) {
		// bash reads dated history and writes it back: the dates span
		// three days and a multi-line command.
		in := "#1795300000\necho day one\n#1795300060\nfor f in *.go; do\n  wc -l \"$f\"\ndone\n" +
			"#1795391999\nmake test\n#1795392000\necho last\n"
		home := t.TempDir()
		if err := os.WriteFile(filepath.Join(home, "in"), []byte(in), 0o600); err != nil {
			t.Fatal(err)
		}
		script := "shopt -s lithist; history -c; history -r " + filepath.Join(home, "in") +
			"; history -w " + filepath.Join(home, "out") + "; unset HISTFILE"
		shellRun(t, "bash", "", []string{"HOME=" + home, "HISTFILE=" + filepath.Join(home, "unused"), "HISTTIMEFORMAT=%F %T "}, "--norc", "-i", "-c", script)
		runs := shellRead(t, newTestShell(), filepath.Join(home, "out"))
		got := shellCmds(runs)
		want := []shellCmd{
			{"2026-11-21", "echo day one", 1795300000, 0},
			{"2026-11-21", "for f in *.go; do\n  wc -l \"$f\"\ndone", 1795300060, 0},
			{"2026-11-22", "make test", 1795391999, 0},
			{"2026-11-23", "echo last", 1795392000, 0},
		}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("Undated", func(t *testing.T) {
		home := shellRun(t, "bash", "echo one\necho two\nexit\n", []string{"HISTFILE=.bash_history"}, "--norc", "-i")
		got := shellCmds(shellRead(t, newTestShell(), home))
		want := []shellCmd{{"undated", "echo one", 0, 0}, {"undated", "echo two", 0, 0}, {"undated", "exit", 0, 0}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
}

func TestShellHistory_RealZsh(t *testing.T) {
	// zsh reads an extended history and writes it back, metafying the
	// non-ASCII bytes of a command it was given.
	in := ": 1795300060:12;make test\n: 1795391999:0;for i in 1 2; do\\\n  echo $i\\\ndone\n"
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "in"), []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	script := "setopt extended_history; HISTSIZE=100; SAVEHIST=100; fc -R in; print -s 'echo café 日本'; fc -W out"
	shellRun(t, "zsh", "", []string{"HOME=" + home}, "-f", "-i", "-c", "cd "+home+"; "+script)
	path := filepath.Join(home, "out")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(data, zshMeta) {
		t.Fatalf("zsh wrote no metafied byte: %q", data)
	}
	got := shellCmds(shellRead(t, newTestShell(), path))
	if len(got) != 3 {
		t.Fatalf("got %+v", got)
	}
	want := []shellCmd{
		{"2026-11-21", "make test", 1795300060, 12 * time.Second},
		{"2026-11-22", "for i in 1 2; do\n  echo $i\ndone", 1795391999, 0},
	}
	if !slices.Equal(got[:2], want) || got[2].Text != "echo café 日本" {
		t.Errorf("got %+v\nwant %+v and the new command", got, want)
	}
}

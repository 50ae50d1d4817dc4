package ingest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// shellCases holds hand-written and shell-written history files, one
// folder per case; bash, zsh and fish wrote the files of the cases named
// after them (see shellhistory_real_test.go for how).
var shellCases = filepath.Join("testdata", "shellhistory")

// newTestShell groups commands by UTC day, so tests do not depend on the
// machine's zone.
func newTestShell() *ShellHistory { return &ShellHistory{loc: time.UTC} }

// shellRead reads every session of the history file or folder at path and
// checks that each file's sessions cover it exactly.
func shellRead(t *testing.T, imp *ShellHistory, path string) []*sessionRun {
	t.Helper()
	runs := readAll(t, imp, path)
	files := map[string]bool{}
	for _, r := range runs {
		files[r.file.Path] = true
	}
	for p := range files {
		checkCustomCover(t, p, runs)
	}
	return runs
}

// shellCmd is what the tests compare of a command event.
type shellCmd struct {
	Day  string
	Text string
	Unix int64 // 0 for no time
	Dur  time.Duration
}

// shellCmds lists the command events of runs with their session's day.
func shellCmds(runs []*sessionRun) []shellCmd {
	var out []shellCmd
	for _, r := range runs {
		for _, e := range r.events {
			if e.Kind != reel.KindCommand {
				continue
			}
			c := shellCmd{Day: r.file.Key, Text: e.Text, Dur: e.Duration}
			if !e.Time.IsZero() {
				c.Unix = e.Time.Unix()
			}
			out = append(out, c)
		}
	}
	return out
}

func TestShellHistory_Discover(t *testing.T) {
	abs := mustAbs(t, shellCases)
	share := t.TempDir()
	if err := os.MkdirAll(filepath.Join(share, "fish"), 0o700); err != nil {
		t.Fatal(err)
	}
	fish, err := os.ReadFile(filepath.Join(shellCases, "fish", "fish_history"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(share, "fish", "fish_history"), fish, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		root string
		want []string // native ids, with the cases folder as "~"
	}{
		{"Folder", filepath.Join(shellCases, "truncated"), []string{
			"bash:~/truncated/.bash_history:2026-11-23",
			"zsh:~/truncated/.zsh_history:2026-11-23",
			"fish:~/truncated/fish_history:2026-11-23",
		}},
		{"File", filepath.Join(shellCases, "zsh", ".zsh_history"), []string{
			"zsh:~/zsh/.zsh_history:2026-11-21",
			"zsh:~/zsh/.zsh_history:2026-11-22",
			"zsh:~/zsh/.zsh_history:2026-11-23",
		}},
		{"Undated", filepath.Join(shellCases, "bashplain"), []string{"bash:~/bashplain/.bash_history:undated"}},
		{"DataHome", share, []string{"fish:" + filepath.Join(share, "fish", "fish_history") + ":2026-11-22", "fish:" + filepath.Join(share, "fish", "fish_history") + ":2026-11-23"}},
		{"Empty", filepath.Join(shellCases, "empty"), nil},
		{"Missing", filepath.Join(shellCases, "nowhere"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range discoverAll(t, newTestShell(), tt.root) {
				if f.Layout != reel.LayoutCustom || f.Source != reel.SourceShellHistory || !strings.HasSuffix(f.NativeID, ":"+f.Key) {
					t.Errorf("%s: layout %d source %q native id %q", f.CursorPath(), f.Layout, f.Source, f.NativeID)
				}
				got = append(got, strings.Replace(f.NativeID, abs, "~", 1))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
	t.Run("ErrUnknownFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "notes.txt")
		if err := os.WriteFile(path, []byte("ls\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := newTestShell().Discover(context.Background(), path, func(reel.SourceFile) error { return nil })
		if reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("got %v, want an EINVALID error", err)
		}
	})
}

func TestShellHistory_Parse(t *testing.T) {
	const (
		d21, d22, d23 = "2026-11-21", "2026-11-22", "2026-11-23"
	)
	tests := []struct {
		name    string
		path    string
		want    []shellCmd
		invalid int
		unknown int
		types   []string // of the unknown records, when checked
	}{
		{"Bash", "bash/.bash_history", []shellCmd{
			{d21, "echo day one", 1795300000, 0},
			{d21, "for f in *.go; do\n  wc -l \"$f\"\ndone", 1795300060, 0},
			{d22, "make test", 1795391999, 0},
			{d23, "git commit -m \"caf\uFFFD\"", 1795392000, 0},
			{d23, "export TOKEN=hunter2", 1795395600, 0},
		}, 0, 0, nil},
		{"BashPlain", "bashplain/.bash_history", []shellCmd{
			{"undated", "ls -la", 0, 0}, {"undated", "cd /srv/app", 0, 0},
			{"undated", "vim main.go", 0, 0}, {"undated", "make build", 0, 0},
		}, 0, 0, nil},
		// Lines before the first timestamp belong to its day; a file that
		// does not start with one dates only the line after each.
		{"BashMixed", "bashmixed/.bash_history", []shellCmd{
			{d22, "ls -la", 0, 0}, {d22, "cd /srv", 0, 0},
			{d22, "make test", 1795391999, 0}, {d22, "vim notes.txt", 0, 0},
			{d23, "git push", 1795392000, 0},
		}, 0, 0, nil},
		{"Zsh", "zsh/.zsh_history", []shellCmd{
			{d21, "echo day one", 1795300000, 0},
			{d21, "make test", 1795300060, 12 * time.Second},
			{d22, "for i in 1 2; do\n  echo $i\ndone", 1795391999, 0},
			{d23, "echo café 日本 Ж", 1795392000, 3 * time.Second},
			{d23, "export TOKEN=hunter2", 1795395600, 0},
		}, 0, 0, nil},
		{"ZshPlain", "zshplain/.zsh_history", []shellCmd{
			{"undated", "ls", 0, 0}, {"undated", "echo one\ntwo", 0, 0}, {"undated", "git status", 0, 0},
		}, 0, 0, nil},
		{"Fish", "fish/fish_history", []shellCmd{
			{d22, "echo one", 1795391999, 0},
			{d23, "echo \"two\\\\ and\nline2\"", 1795392000, 0},
			{d23, "echo café 日本", 1795436404, 0},
			{d23, "cd /tmp", 1795436405, 0},
			{d23, "ls /tmp/bh", 1795436405, 0},
			{d23, "exit", 1795436406, 0},
		}, 0, 0, nil},
		{"BashTruncated", "truncated/.bash_history", []shellCmd{
			{d23, "echo one", 1795392000, 0}, {d23, "echo tw", 1795392001, 0},
		}, 0, 0, nil},
		{"ZshTruncated", "truncated/.zsh_history", []shellCmd{{d23, "echo one", 1795392000, 0}}, 1, 0, nil},
		{"FishTruncated", "truncated/fish_history", []shellCmd{
			{d23, "echo one", 1795392000, 0}, {d23, "ech", 0, 0},
		}, 0, 0, nil},
		{"BashGarbage", "garbage/.bash_history", []shellCmd{{d23, "echo ok", 1795392000, 0}}, 3, 0, nil},
		{"FishGarbage", "garbage/fish_history", []shellCmd{{d23, "echo fine", 1795392000, 0}}, 0, 3, []string{"line", "when", "line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := shellRead(t, newTestShell(), filepath.Join(shellCases, tt.path))
			if got := shellCmds(runs); !slices.Equal(got, tt.want) {
				t.Errorf("commands:\n got %+v\nwant %+v", got, tt.want)
			}
			invalid, unknown := 0, 0
			var types []string
			for _, r := range runs {
				invalid += len(r.errs)
				for _, rec := range r.raw {
					if rec.Status == reel.RecordUnknown {
						unknown++
						types = append(types, rec.Type)
						if rec.Type == "" || rec.Reason == "" {
							t.Errorf("unknown record %d has type %q reason %q", rec.Index, rec.Type, rec.Reason)
						}
					}
				}
				shell, day := shellOfNativeID(r.file.NativeID), r.file.Key
				if day == shellUndated {
					day = "(undated)"
				}
				s := r.session
				if s.Title != shell+" history "+day || s.Project != "" || s.Host != "" || s.NativeID != r.file.NativeID {
					t.Errorf("session %+v", s)
				}
				for _, e := range r.events {
					if !e.Time.IsZero() && (e.Time.Before(s.StartedAt) || e.Time.After(s.EndedAt)) {
						t.Errorf("event at %v outside the session's %v..%v", e.Time, s.StartedAt, s.EndedAt)
					}
				}
			}
			if tt.types != nil && !slices.Equal(types, tt.types) {
				t.Errorf("unknown records' types %q, want %q", types, tt.types)
			}
			if invalid != tt.invalid || unknown != tt.unknown {
				t.Errorf("%d invalid and %d unknown records, want %d and %d", invalid, unknown, tt.invalid, tt.unknown)
			}
		})
	}
}

func TestShellHistory_Zone(t *testing.T) {
	imp := &ShellHistory{loc: time.FixedZone("UTC+9", 9*3600)}
	var days []string
	for _, f := range discoverAll(t, imp, filepath.Join(shellCases, "bash", ".bash_history")) {
		days = append(days, f.Key)
	}
	// 2026-11-21 22:26 UTC and 2026-11-22 23:59 UTC are the 22nd and the
	// 23rd nine hours east.
	if want := []string{"2026-11-22", "2026-11-23"}; !slices.Equal(days, want) {
		t.Errorf("days %q, want %q", days, want)
	}
}

func TestShellHistory_Stamp(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(shellCases, "zsh", ".zsh_history"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), ".zsh_history")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	imp := newTestShell()
	stamps := func() map[string]reel.Stamp {
		t.Helper()
		out := map[string]reel.Stamp{}
		for _, f := range discoverAll(t, imp, path) {
			st, err := imp.Stamp(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if !st.ModTime.IsZero() || st.Size <= 0 || st.Hash == "" {
				t.Errorf("%s: stamp %+v", f.Key, st)
			}
			out[f.Key] = st
		}
		return out
	}
	before := stamps()
	if len(before) != 3 || imp.cache.reads != 1 {
		t.Fatalf("%d days read the file %d times, want 3 days read once", len(before), imp.cache.reads)
	}
	// The engine may stamp and read sessions from several goroutines.
	var wg sync.WaitGroup
	for _, f := range discoverAll(t, imp, path) {
		wg.Go(func() {
			if st, err := imp.Stamp(context.Background(), f); err != nil || st != before[f.Key] {
				t.Errorf("concurrent stamp of %s: %+v, %v", f.Key, st, err)
			}
			if err := imp.ReadRecords(context.Background(), f, func(reel.RawRecord) error { return nil }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(": 1795399000:1;git push\n: 1795478400:0;echo next day\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	after := stamps()
	for _, day := range []string{"2026-11-21", "2026-11-22"} {
		if after[day] != before[day] {
			t.Errorf("%s changed: %+v -> %+v", day, before[day], after[day])
		}
	}
	if after["2026-11-23"] == before["2026-11-23"] || after["2026-11-24"].Size == 0 {
		t.Errorf("the appended days: %+v", after)
	}
	if _, err := imp.Stamp(context.Background(), reel.SourceFile{Path: path, Key: "1999-01-01"}); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("stamp of a day not in the file: %v", err)
	}
}

func TestShellHistory_HugeLine(t *testing.T) {
	long := "echo " + strings.Repeat("x", 4<<20)
	path := filepath.Join(t.TempDir(), ".bash_history")
	data := "#1795392000\nls\n#1795392001\n" + long + "\n#1795392002\npwd\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cmds := shellCmds(shellRead(t, newTestShell(), path))
	if len(cmds) != 3 || cmds[1].Text != long || cmds[2].Text != "pwd" {
		t.Errorf("got %d commands", len(cmds))
	}
}

func TestShellHistory_State(t *testing.T) {
	imp := newTestShell()
	f := discoverAll(t, imp, filepath.Join(shellCases, "zsh", ".zsh_history"))[2]
	p, err := imp.NewParser(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range rawRecords(t, imp, f) {
		if _, err := p.Parse(&rec); err != nil {
			t.Fatal(err)
		}
	}
	state, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	q, err := imp.NewParser(f, state)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := q.Session(), p.Session(); a.Title != b.Title || a.NativeID != b.NativeID || !a.StartedAt.Equal(b.StartedAt) || !a.EndedAt.Equal(b.EndedAt) || a.StartedAt.IsZero() {
		t.Errorf("resumed session %+v, want %+v", q.Session(), p.Session())
	}
	if _, err := imp.NewParser(f, []byte(`{"v":0}`)); reel.ErrorCode(err) != reel.ECORRUPT {
		t.Errorf("old state: %v", err)
	}
	// Without the shell in the native id, the file tells it.
	p, err = imp.NewParser(reel.SourceFile{Path: f.Path, Key: f.Key, Layout: reel.LayoutCustom}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Session().NativeID; got != f.NativeID {
		t.Errorf("native id %q, want %q", got, f.NativeID)
	}
}

// TestShellHistory_Secrets checks that what the parser reports about an
// entry it cannot read never quotes the entry.
func TestShellHistory_Secrets(t *testing.T) {
	for _, tt := range []struct{ shell, entry string }{
		{shellBash, "#1795392000\nexport PW=hunter2\x00\n"},
		{shellZsh, ": 1795392000:0;mysql -phunter2\x00"},
		{shellFish, "- cmd: curl -u me:hunter2\x00\n"},
	} {
		p := newShellParser(tt.shell, tt.shell+":/h:undated", shellUndated)
		rec := reel.RawRecord{Offset: 42, Data: []byte(tt.entry)}
		_, err := p.Parse(&rec)
		if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(rec.Reason, "hunter2") {
			t.Errorf("%s: error %v, reason %q", tt.shell, err, rec.Reason)
		}
	}
}

func TestDetectShellHistory(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file, content, want string
	}{
		{"BashContent", "history.txt", "ls\n#1795392000\nls\n", shellBash},
		{"ZshContent", ".bash_history", ": 1795392000:0;ls\n", shellZsh},
		{"FishContent", "h", "- cmd: ls\n  when: 1\n", shellFish},
		{"BashName", ".bash_history", "ls\n", shellBash},
		{"ZshName", ".histfile", "ls\n", shellZsh},
		{"FishName", "work_fish_history", "", shellFish},
		{"ErrUnknown", "notes.txt", "ls\n", ""},
		{"ErrEmptyUnknown", "history", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name, tt.file)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := DetectShellHistory(path)
			if got != tt.want || (tt.want == "") != (reel.ErrorCode(err) == reel.EINVALID) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := DetectShellHistory(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

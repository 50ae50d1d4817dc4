package ingest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// droidCase returns the sessions root of a testdata case.
func droidCase(name string) string { return filepath.Join("testdata", "droid", name) }

// droidRunByID returns the run of the session whose native id is id.
func droidRunByID(t *testing.T, runs []*sessionRun, id string) *sessionRun {
	t.Helper()
	for _, r := range runs {
		if r.file.NativeID == id {
			return r
		}
	}
	t.Fatalf("no session %s among %d", id, len(runs))
	return nil
}

// droidEventsOf returns the run's events of kind.
func droidEventsOf(run *sessionRun, kind string) []reel.Event {
	var out []reel.Event
	for _, e := range run.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// droidCheckPairs checks that every tool result answers a tool call given
// before it, with the same tool name when the result names one.
func droidCheckPairs(t *testing.T, run *sessionRun) {
	t.Helper()
	calls := map[string]string{}
	for _, e := range run.events {
		switch e.Kind {
		case reel.KindToolCall:
			if e.CallID == "" {
				t.Errorf("%s: tool call %d (%s) has no call id", run.file.Path, e.Seq, e.Tool)
			}
			calls[e.CallID] = e.Tool
		case reel.KindToolResult:
			tool, ok := calls[e.CallID]
			if !ok {
				t.Errorf("%s: tool result %d answers unknown call %q", run.file.Path, e.Seq, e.CallID)
			} else if e.Tool != "" && e.Tool != tool {
				t.Errorf("%s: tool result %d names %q, its call %q", run.file.Path, e.Seq, e.Tool, tool)
			}
		}
	}
}

// droidStatuses returns the status of every record that is not RecordOK.
func droidStatuses(run *sessionRun) map[int64]string {
	m := map[int64]string{}
	for _, r := range run.raw {
		if r.Status != reel.RecordOK {
			m[r.Index] = r.Status
		}
	}
	return m
}

func TestDroid_Source(t *testing.T) {
	if got := NewDroid().Source(); got != reel.SourceDroid {
		t.Errorf("Source() = %q, want %q", got, reel.SourceDroid)
	}
}

func TestDroid_Discover(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		files := discoverAll(t, NewDroid(), droidCase("normal"))
		var got []string
		for _, f := range files {
			if f.Layout != reel.LayoutLines || f.Source != reel.SourceDroid || !filepath.IsAbs(f.Path) {
				t.Errorf("%+v: want an absolute droid path read by lines", f)
			}
			got = append(got, f.NativeID)
		}
		want := []string{"9b2f1c3e-7a41-4d1e-8c55-2f0e6b1a7d90", "4c0d2e71-1111-4a2b-9c3d-5e6f7a8b9c0d"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("native ids = %v, want %v (path order, no settings sidecar)", got, want)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		err := NewDroid().Discover(context.Background(), filepath.Join(t.TempDir(), "none"), func(reel.SourceFile) error {
			t.Error("fn called for a missing root")
			return nil
		})
		if err != nil {
			t.Errorf("Discover(missing) = %v, want nil", err)
		}
	})
}

func TestDroid_Parse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		runs := checkSessions(t, NewDroid(), droidCase("normal"))
		run := droidRunByID(t, runs, "9b2f1c3e-7a41-4d1e-8c55-2f0e6b1a7d90")
		s := run.session
		if s.Title != "Checkout total rounding" || s.Project != "/home/dev/shop" {
			t.Errorf("title, project = %q, %q; want the session's name and cwd", s.Title, s.Project)
		}
		// The JSONL names the model and the usage, so the sidecar's do not count.
		if s.Model != "claude-sonnet-4-5-20250929" {
			t.Errorf("model = %q", s.Model)
		}
		if want := (reel.Tokens{Input: 4400, Output: 165, CacheRead: 1500}); s.Tokens != want {
			t.Errorf("tokens = %+v, want %+v", s.Tokens, want)
		}
		var sum reel.Tokens
		for _, e := range run.events {
			sum = sum.Add(e.Tokens)
		}
		if sum != s.Tokens {
			t.Errorf("event tokens sum to %+v, session has %+v", sum, s.Tokens)
		}
		if s.StartedAt.Format("15:04:05") != "09:00:00" || s.EndedAt.Format("15:04:05") != "09:00:20" {
			t.Errorf("span %v .. %v", s.StartedAt, s.EndedAt)
		}
		droidCheckPairs(t, run)
		if r := droidEventsOf(run, reel.KindReasoning); len(r) != 1 || !strings.Contains(r[0].Text, "rounding problem") {
			t.Errorf("reasoning = %+v", r)
		}
		calls := droidEventsOf(run, reel.KindToolCall)
		if len(calls) != 2 || calls[0].Tool != "Execute" || calls[0].Text != "go test ./checkout/...\ntimeout: 60" {
			t.Fatalf("tool calls = %+v", calls)
		}
		if string(calls[0].Input) != `{"command":"go test ./checkout/...","timeout":60}` {
			t.Errorf("input = %s", calls[0].Input)
		}
		results := droidEventsOf(run, reel.KindToolResult)
		if len(results) != 2 || !results[0].IsError || results[1].IsError || results[1].Text != "Edited /home/dev/shop/checkout/total.go" {
			t.Errorf("tool results = %+v", results)
		}
		sys := droidEventsOf(run, reel.KindSystem)
		if len(sys) != 1 || !strings.Contains(sys[0].Text, "Round the checkout total to cents") {
			t.Errorf("todo_state events = %+v", sys)
		}

		legacy := droidRunByID(t, runs, "4c0d2e71-1111-4a2b-9c3d-5e6f7a8b9c0d")
		if legacy.session.Title != "List the Go packages" {
			t.Errorf("legacy title = %q, want the start title, not the placeholder name", legacy.session.Title)
		}
		if k := legacy.events[0].Kind; k != reel.KindSystem {
			t.Errorf("system reminder became %s, want system", k)
		}
		if !legacy.session.Tokens.IsZero() || legacy.session.Model != "" {
			t.Errorf("legacy session with no usage and no sidecar: %+v", legacy.session)
		}
	})
	t.Run("Sidecar", func(t *testing.T) {
		runs := checkSessions(t, NewDroid(), droidCase("sidecar"))
		s := runs[0].session
		if s.Model != "gpt-5-codex" {
			t.Errorf("model = %q, want the sidecar's", s.Model)
		}
		if want := (reel.Tokens{Input: 5000, Output: 700, CacheCreation: 10, CacheRead: 20000, Reasoning: 300}); s.Tokens != want {
			t.Errorf("tokens = %+v, want the sidecar's %+v", s.Tokens, want)
		}
		if s.Title != "Add a health endpoint" {
			t.Errorf("title = %q", s.Title)
		}
		droidCheckPairs(t, runs[0])
	})
	t.Run("Empty", func(t *testing.T) {
		runs := readAll(t, NewDroid(), droidCase("empty"))
		if len(runs) != 1 || len(runs[0].raw) != 0 || len(runs[0].events) != 0 {
			t.Fatalf("empty file: %d runs", len(runs))
		}
		if runs[0].session.NativeID != "7e8f9a0b-3333-4c4d-9e5f-7a8b9c0d1e2f" {
			t.Errorf("native id = %q", runs[0].session.NativeID)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		runs := readAll(t, NewDroid(), droidCase("truncated"))
		run := runs[0]
		checkLossless(t, droidCase("truncated"), run)
		if len(run.errs) != 1 || run.errs[2] == nil {
			t.Fatalf("errors = %v, want one for the cut last line", run.errs)
		}
		if len(run.events) != 1 || run.session.Title != "Rename the config flag" {
			t.Errorf("events before the cut: %d, title %q", len(run.events), run.session.Title)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		runs := checkSessions(t, NewDroid(), droidCase("unknown"))
		run := runs[0]
		want := map[int64]string{2: reel.RecordUnknown, 4: reel.RecordUnknown, 5: reel.RecordUnknown, 6: reel.RecordUnknown}
		if got := droidStatuses(run); !reflect.DeepEqual(got, want) {
			t.Errorf("statuses = %v, want %v", got, want)
		}
		other := droidEventsOf(run, reel.KindOther)
		var texts []string
		for _, e := range other {
			texts = append(texts, e.Text)
		}
		joined := strings.Join(texts, "|")
		for _, w := range []string{"The user asked how the build works", "Build guide", "a record without a type", "just a string"} {
			if !strings.Contains(joined, w) {
				t.Errorf("unknown records' text %q lacks %q", joined, w)
			}
		}
		if m := droidEventsOf(run, reel.KindMessage); len(m) != 2 || m[1].Text != "It runs make." {
			t.Errorf("messages = %+v", m)
		}
	})
}

func TestDroid_Fixtures(t *testing.T) {
	src := filepath.Join(testenv.FixturesDir(t), "git-ai", "tests", "fixtures")
	root := t.TempDir()
	dir := filepath.Join(root, "-Users-testuser-projects-testing-git")
	for _, name := range []string{"droid-session.jsonl", "droid-session.settings.json"} {
		droidCopyFile(t, filepath.Join(src, name), filepath.Join(dir, name))
	}
	runs := checkSessions(t, NewDroid(), root)
	if len(runs) != 1 {
		t.Fatalf("%d sessions, want 1 (the sidecar is not one)", len(runs))
	}
	run := runs[0]
	s := run.session
	if s.Title != `Update the first comment in @index.ts to "DROID3"` || s.Project != "/Users/testuser/projects/testing-git" {
		t.Errorf("title, project = %q, %q", s.Title, s.Project)
	}
	if s.Model != "custom:BYOK-GPT-5-MINI-0" {
		t.Errorf("model = %q, want the sidecar's", s.Model)
	}
	if want := (reel.Tokens{Input: 6743, Output: 1450, CacheRead: 42496, Reasoning: 1088}); s.Tokens != want {
		t.Errorf("tokens = %+v, want the sidecar's %+v", s.Tokens, want)
	}
	droidCheckPairs(t, run)
	tools := map[string]int{}
	for _, e := range droidEventsOf(run, reel.KindToolCall) {
		tools[e.Tool]++
	}
	if want := map[string]int{"Read": 2, "TodoWrite": 2, "ApplyPatch": 1}; !reflect.DeepEqual(tools, want) {
		t.Errorf("tool calls = %v, want %v", tools, want)
	}
	if n := len(droidEventsOf(run, reel.KindToolResult)); n != 5 {
		t.Errorf("%d tool results, want 5", n)
	}
	if n := len(droidEventsOf(run, reel.KindSystem)); n != 2 {
		t.Errorf("%d todo_state events, want 2", n)
	}
	last := run.events[len(run.events)-1]
	if last.Kind != reel.KindMessage || last.Role != reel.RoleAssistant || !strings.HasPrefix(last.Text, "# Update complete") {
		t.Errorf("last event = %+v", last)
	}
}

func TestDroid_Resume(t *testing.T) {
	f := discoverAll(t, NewDroid(), droidCase("normal"))[0]
	whole := readSession(t, NewDroid(), f)
	for split := 1; split < len(whole.raw); split++ {
		got := copilotSplitRead(t, NewDroid(), f, split)
		if !reflect.DeepEqual(got.events, whole.events) {
			t.Errorf("split at %d: events differ from one read", split)
		}
		if !reflect.DeepEqual(got.session, whole.session) {
			t.Errorf("split at %d: session %+v, want %+v", split, got.session, whole.session)
		}
	}
}

// droidCopyFile copies src to dst, making dst's folder.
func droidCopyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// codexRun is the result of feeding a file's lines to one parser, the way
// the sync engine does.
type codexRun struct {
	events  []reel.Event
	records []reel.RawRecord
	errs    int
	session reel.Session
	state   []byte
}

// codexLines splits data into lines that keep their terminators.
func codexLines(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i+1])
		data = data[i+1:]
	}
	return lines
}

// codexFeed parses lines[from:to] with p, numbering them from from.
func codexFeed(t testing.TB, p reel.Parser, lines [][]byte, from, to int, run *codexRun) {
	t.Helper()
	for i := from; i < to; i++ {
		rec := reel.RawRecord{Index: int64(i), Data: lines[i]}
		evs, err := p.Parse(&rec)
		if err != nil {
			run.errs++
		}
		for _, ev := range evs {
			if ev.RawIndex != int64(i) {
				t.Fatalf("line %d: event RawIndex = %d", i, ev.RawIndex)
			}
		}
		run.events = append(run.events, evs...)
		run.records = append(run.records, rec)
	}
}

// codexParseLines parses all lines with a fresh parser for f.
func codexParseLines(t testing.TB, f reel.SourceFile, lines [][]byte) codexRun {
	t.Helper()
	p, err := NewCodex().NewParser(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	var run codexRun
	codexFeed(t, p, lines, 0, len(lines), &run)
	run.session = p.Session()
	if run.state, err = p.State(); err != nil {
		t.Fatal(err)
	}
	return run
}

// codexParseFile parses the file at path.
func codexParseFile(t testing.TB, path string) codexRun {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return codexParseLines(t, reel.SourceFile{Path: path, Source: reel.SourceCodex}, codexLines(data))
}

func (r codexRun) kinds() map[string]int {
	m := map[string]int{}
	for _, ev := range r.events {
		m[ev.Kind]++
	}
	return m
}

func (r codexRun) find(kind, text string) (reel.Event, bool) {
	for _, ev := range r.events {
		if ev.Kind == kind && strings.Contains(ev.Text, text) {
			return ev, true
		}
	}
	return reel.Event{}, false
}

func (r codexRun) hits(text string) int {
	n := 0
	for _, ev := range r.events {
		if strings.Contains(ev.Text, text) {
			n++
		}
	}
	return n
}

func (r codexRun) tools() []string {
	var tools []string
	for _, ev := range r.events {
		if ev.Kind == reel.KindToolCall {
			tools = append(tools, ev.Tool)
		}
	}
	return tools
}

func (r codexRun) statuses() map[string]int {
	m := map[string]int{}
	for _, rec := range r.records {
		m[rec.Status]++
	}
	return m
}

func (r codexRun) eventTokens() reel.Tokens {
	var sum reel.Tokens
	for _, ev := range r.events {
		sum = sum.Add(ev.Tokens)
	}
	return sum
}

func codexWantKinds(t *testing.T, got map[string]int, want map[string]int) {
	t.Helper()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s events = %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %d %s events", n, k)
		}
	}
}

func codexTestdata(t *testing.T, name string) string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "codex", name, "rollout-*.jsonl"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata for %s: %v", name, err)
	}
	return paths[0]
}

func TestCodex_Source(t *testing.T) {
	if got := NewCodex().Source(); got != reel.SourceCodex {
		t.Errorf("Source() = %q, want %q", got, reel.SourceCodex)
	}
}

func TestCodex_Discover(t *testing.T) {
	const (
		uuidA = "019a4928-c500-7000-8000-00000000aaaa"
		uuidB = "019a4928-c500-7000-8000-00000000bbbb"
	)
	root := t.TempDir()
	files := []string{
		"2025/11/03/rollout-2025-11-03T10-00-00-" + uuidA + ".jsonl",
		"2025/11/03/rollout-2025-11-03T10-00-00-" + uuidA + ".jsonl.zst", // shadowed by the plain file
		"2025/11/04/rollout-2025-11-04T08-00-00-" + uuidB + ".jsonl.zst", // alone: used
		"imported/deep/er/rollout-handmade.jsonl",                        // no uuid: the stem
		"2025/11/04/history.jsonl",
		"2025/11/04/rollout-2025-11-04T08-00-00-" + uuidB + ".json",
		"notes.txt",
	}
	for _, f := range files {
		path := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "rollout-dir.jsonl"), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		var got []reel.SourceFile
		err := NewCodex().Discover(context.Background(), root, func(f reel.SourceFile) error {
			got = append(got, f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []reel.SourceFile{
			{Path: filepath.Join(root, files[0]), Source: reel.SourceCodex, NativeID: uuidA},
			{Path: filepath.Join(root, files[2]), Source: reel.SourceCodex, NativeID: uuidB, Compressed: true},
			{Path: filepath.Join(root, files[3]), Source: reel.SourceCodex, NativeID: "rollout-handmade"},
		}
		if len(got) != len(want) {
			t.Fatalf("got %d files %+v, want %d", len(got), got, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("file %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})

	t.Run("OKMissingRoot", func(t *testing.T) {
		called := false
		err := NewCodex().Discover(context.Background(), filepath.Join(root, "nope"), func(reel.SourceFile) error {
			called = true
			return nil
		})
		if err != nil || called {
			t.Errorf("Discover(missing) = %v, called %v; want nil, false", err, called)
		}
	})

	t.Run("ErrCanceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := NewCodex().Discover(ctx, root, func(reel.SourceFile) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Discover(canceled) = %v, want context.Canceled", err)
		}
	})

	t.Run("ErrCallback", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := NewCodex().Discover(context.Background(), root, func(reel.SourceFile) error {
			n++
			return stop
		})
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("Discover = %v after %d calls, want stop after 1", err, n)
		}
	})
}

// TestCodexParser_Fixtures checks the shared Codex fixtures against what
// each file holds.
func TestCodexParser_Fixtures(t *testing.T) {
	dir := testenv.FixturesDir(t)
	agentsview := filepath.Join(dir, "agentsview", "internal", "parser", "testdata")
	tests := []struct {
		path    string
		kinds   map[string]int
		tools   []string
		title   string
		project string
		model   string
		native  string
		check   func(t *testing.T, r codexRun)
	}{{
		path:    filepath.Join(dir, "git-ai", "tests", "fixtures", "codex-session-simple.jsonl"),
		kinds:   map[string]int{reel.KindMessage: 2, reel.KindToolCall: 1},
		tools:   []string{"apply_patch"},
		title:   "Refactor src/main.rs to add a greeting function.",
		project: "/Users/test/projects/git-ai",
		model:   "gpt-5-codex",
		native:  "019c4b43-1451-7af3-be4c-5576369bf1ba",
		check: func(t *testing.T, r codexRun) {
			s := r.session
			if s.Version != "0.99.0-alpha.24" {
				t.Errorf("Version = %q", s.Version)
			}
			if want := time.Date(2026, 2, 11, 5, 53, 33, 266e6, time.UTC); !s.StartedAt.Equal(want) {
				t.Errorf("StartedAt = %v, want %v", s.StartedAt, want)
			}
			if want := time.Date(2026, 2, 11, 5, 53, 33, 520e6, time.UTC); !s.EndedAt.Equal(want) {
				t.Errorf("EndedAt = %v, want %v", s.EndedAt, want)
			}
			call, _ := r.find(reel.KindToolCall, "")
			if !strings.HasPrefix(call.Text, "*** Begin Patch") || call.CallID != "call_abc123" {
				t.Errorf("apply_patch call = %q (call %q), want the patch text", call.Text, call.CallID)
			}
			var args map[string]string
			if err := json.Unmarshal(call.Input, &args); err != nil || !strings.Contains(args["patch"], "fn greet()") {
				t.Errorf("apply_patch Input = %s (%v), want the arguments object", call.Input, err)
			}
			if !r.session.Tokens.IsZero() {
				t.Errorf("Tokens = %+v, want none: the file has no token_count", r.session.Tokens)
			}
		},
	}, {
		path:    filepath.Join(dir, "git-ai", "tests", "fixtures", "codex-session-updated.jsonl"),
		kinds:   map[string]int{reel.KindMessage: 2, reel.KindToolCall: 2},
		tools:   []string{"apply_patch", "shell_command"},
		title:   "Refactor src/main.rs to add a greeting function and tests.",
		project: "/Users/test/projects/git-ai",
		model:   "gpt-5.1-codex",
		native:  "019c4b43-1451-7af3-be4c-5576369bf1ba",
		check: func(t *testing.T, r codexRun) {
			call, ok := r.find(reel.KindToolCall, "cargo test")
			if !ok || call.Text != "cargo test" || call.Model != "gpt-5.1-codex" {
				t.Errorf("shell_command call = %+v, want text %q on gpt-5.1-codex", call, "cargo test")
			}
		},
	}, {
		path:    filepath.Join(agentsview, "codex", "blockquotes_session.jsonl"),
		kinds:   map[string]int{reel.KindMessage: 2},
		title:   "blablabla?",
		project: "/tmp/agentsview-quote",
		native:  "quote-123",
		check: func(t *testing.T, r codexRun) {
			// The answer exists as event_msg and as response_item: one hit.
			if n := r.hits("> blabla4"); n != 1 {
				t.Errorf("answer found in %d events, want 1", n)
			}
			if r.records[3].Status != reel.RecordOK {
				t.Errorf("mirrored response_item status = %q, want ok", r.records[3].Status)
			}
			if r.session.Version != "0.128.0" {
				t.Errorf("Version = %q", r.session.Version)
			}
		},
	}, {
		path:    filepath.Join(agentsview, "codex", "fc_args_1.jsonl"),
		kinds:   map[string]int{reel.KindMessage: 1, reel.KindToolCall: 1},
		tools:   []string{"exec_command"},
		title:   "inspect files",
		project: "/tmp",
		native:  "fc-args-1",
		check: func(t *testing.T, r codexRun) {
			if call, _ := r.find(reel.KindToolCall, ""); call.Text != "rg --files" {
				t.Errorf("exec_command text = %q, want %q", call.Text, "rg --files")
			}
		},
	}, {
		path:   filepath.Join(agentsview, "codex", "fc_args_2.jsonl"),
		kinds:  map[string]int{reel.KindMessage: 1, reel.KindToolCall: 1},
		tools:  []string{"apply_patch"},
		title:  "apply patch",
		native: "fc-args-2",
		check: func(t *testing.T, r codexRun) {
			call, _ := r.find(reel.KindToolCall, "")
			if !strings.Contains(call.Text, "*** Update File: internal/parser/codex.go") {
				t.Errorf("apply_patch text = %q, want the patch", call.Text)
			}
			if !json.Valid(call.Input) || !bytes.Contains(call.Input, []byte(`"patch"`)) {
				t.Errorf("apply_patch Input = %s, want the arguments object", call.Input)
			}
		},
	}, {
		path:   filepath.Join(agentsview, "codex", "fc_stdin.jsonl"),
		kinds:  map[string]int{reel.KindMessage: 1, reel.KindToolCall: 1},
		tools:  []string{"write_stdin"},
		title:  "send input",
		native: "fc-stdin",
		check: func(t *testing.T, r codexRun) {
			if call, _ := r.find(reel.KindToolCall, ""); call.Text != "yes\n" {
				t.Errorf("write_stdin text = %q, want the characters sent", call.Text)
			}
		},
	}, {
		path:    filepath.Join(agentsview, "codex", "function_calls.jsonl"),
		kinds:   map[string]int{reel.KindMessage: 1, reel.KindToolCall: 2},
		tools:   []string{"shell_command", "apply_patch"},
		title:   "Run the tests",
		project: "/Users/alice/code/app",
		native:  "fc-1",
		check: func(t *testing.T, r codexRun) {
			if _, ok := r.find(reel.KindToolCall, "Running tests"); !ok {
				t.Error("a call without arguments should read as its summary")
			}
		},
	}, {
		path:    filepath.Join(agentsview, "codex", "standard_session.jsonl"),
		kinds:   map[string]int{reel.KindMessage: 2},
		title:   "Add rate limiting",
		project: "/Users/alice/code/my-api",
		native:  "abc-123",
		check: func(t *testing.T, r codexRun) {
			if ev, _ := r.find(reel.KindMessage, "I'll add"); ev.Role != reel.RoleAssistant {
				t.Errorf("untyped assistant message role = %q", ev.Role)
			}
		},
	}, {
		path: filepath.Join(agentsview, "traex", "rollout_subagent.jsonl"),
		kinds: map[string]int{reel.KindSystem: 2, reel.KindMessage: 2, reel.KindReasoning: 1,
			reel.KindToolCall: 3, reel.KindToolResult: 3},
		tools:   []string{"spawn_agent", "wait_agent", "exec_command"},
		title:   "Explore the parser package.",
		project: "/home/user/code/api",
		model:   "gpt-5-codex",
		native:  "019fbcca-9fd4-7d20-83dc-0762b2f839b3",
		check: func(t *testing.T, r codexRun) {
			s := r.session
			if want := reel.SessionID(reel.SourceCodex, "019fbc4a-48b9-7472-a0da-6d92901383db"); s.ParentID != want {
				t.Errorf("ParentID = %q, want the thread_spawn parent %q", s.ParentID, want)
			}
			if s.GitBranch != "main" || s.Version != "0.200.19" {
				t.Errorf("GitBranch, Version = %q, %q", s.GitBranch, s.Version)
			}
			want := reel.Tokens{Input: 600, CacheRead: 3600, Output: 116, Reasoning: 64}
			if s.Tokens != want || s.Tokens.Total() != 4380 {
				t.Errorf("Tokens = %+v (total %d), want %+v (total 4380)", s.Tokens, s.Tokens.Total(), want)
			}
			if r.eventTokens() != s.Tokens {
				t.Errorf("event tokens %+v != session tokens %+v", r.eventTokens(), s.Tokens)
			}
			if _, ok := r.find(reel.KindSystem, "You are TRAE CLI"); !ok {
				t.Error("base instructions missing")
			}
			if ev, ok := r.find(reel.KindReasoning, "Plan the exploration."); !ok || ev.Model != "gpt-5-codex" {
				t.Errorf("raw reasoning = %+v, %v", ev, ok)
			}
			for _, text := range []string{"Explore the parser package.", "The provider facade owns discovery and parsing."} {
				if n := r.hits(text); n != 1 {
					t.Errorf("%q found in %d events, want 1", text, n)
				}
			}
			res, _ := r.find(reel.KindToolResult, "codex_provider.go")
			if res.Tool != "exec_command" || res.CallID != "call_exec_1" || res.Role != reel.RoleTool {
				t.Errorf("exec result = %+v", res)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			r := codexParseFile(t, tt.path)
			if r.errs != 0 {
				t.Fatalf("%d Parse errors, want 0", r.errs)
			}
			for i, rec := range r.records {
				if rec.Status != reel.RecordOK {
					t.Errorf("line %d: status %q (%s), want ok", i+1, rec.Status, rec.Reason)
				}
				if rec.Type == "" {
					t.Errorf("line %d: no type", i+1)
				}
			}
			codexWantKinds(t, r.kinds(), tt.kinds)
			if got := strings.Join(r.tools(), ","); got != strings.Join(tt.tools, ",") {
				t.Errorf("tools = %s, want %s", got, strings.Join(tt.tools, ","))
			}
			s := r.session
			if s.Source != reel.SourceCodex || s.Title != tt.title || s.NativeID != tt.native || s.Model != tt.model {
				t.Errorf("session = %q %q %q %q, want %q %q %q %q", s.Source, s.Title, s.NativeID, s.Model,
					reel.SourceCodex, tt.title, tt.native, tt.model)
			}
			if tt.project != "" && s.Project != tt.project {
				t.Errorf("Project = %q, want %q", s.Project, tt.project)
			}
			if s.StartedAt.IsZero() || s.EndedAt.Before(s.StartedAt) {
				t.Errorf("span = %v .. %v", s.StartedAt, s.EndedAt)
			}
			for _, ev := range r.events {
				if ev.Time.IsZero() {
					t.Errorf("event %s at line %d has no time", ev.Kind, ev.RawIndex+1)
				}
			}
			tt.check(t, r)
		})
	}
}

package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// geminiTree is the hand-made ~/.gemini/tmp of the tests: a project with
// a .project_root marker (a session with re-written messages and a
// rewind, its subagent, an older session kept as .json and .jsonl), and an
// older hash-named project with one .json session.
var geminiTree = filepath.Join("testdata", "gemini", "tree")

const (
	geminiMainID  = "5f0c2a8e-1111-4222-8333-444455556666"
	geminiAgentID = "9c8d7e6f-2222-4333-8444-555566667777"
	geminiHashDir = "8d5e1c0b7a2f4e3d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d"
)

// geminiFile returns the SourceFile of a chat outside a Discover tree.
func geminiFile(path string) reel.SourceFile {
	stem, layout, _ := geminiChatStem(filepath.Base(path))
	return reel.SourceFile{Path: path, Source: reel.SourceGemini, NativeID: stem, Layout: layout}
}

// geminiKinds lists the kinds of events, in order.
func geminiKinds(evs []reel.Event) []string {
	kinds := make([]string, len(evs))
	for i, e := range evs {
		kinds[i] = e.Kind
	}
	return kinds
}

func TestGemini_Discover(t *testing.T) {
	abs, err := filepath.Abs(geminiTree)
	if err != nil {
		t.Fatal(err)
	}
	type found struct {
		rel, native, parent string
		layout              reel.Layout
	}
	list := func(t *testing.T, root string) []found {
		var got []found
		for _, f := range discoverAll(t, NewGemini(), root) {
			rel, err := filepath.Rel(abs, f.Path)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, found{filepath.ToSlash(rel), f.NativeID, f.ParentNativeID, f.Layout})
		}
		return got
	}
	all := []found{
		{geminiHashDir + "/chats/session-2025-10-01T08-00-0b1c2d3e.json", "session-2025-10-01T08-00-0b1c2d3e", "", reel.LayoutDocument},
		{"alpha/chats/session-2025-11-01T10-00-7a6b5c4d.jsonl", "session-2025-11-01T10-00-7a6b5c4d", "", reel.LayoutLines},
		{"alpha/chats/session-2026-01-10T09-00-5f0c2a8e.jsonl", "session-2026-01-10T09-00-5f0c2a8e", "", reel.LayoutLines},
		{"alpha/chats/" + geminiMainID + "/" + geminiAgentID + ".jsonl", geminiAgentID, geminiMainID, reel.LayoutLines},
	}
	tests := []struct {
		name string
		root string
		want []found
	}{
		{"OK", geminiTree, all},
		{"ProjectRoot", filepath.Join(geminiTree, "alpha"), all[1:]},
		{"Missing", filepath.Join(geminiTree, "nowhere"), nil},
		{"File", filepath.Join(geminiTree, "alpha", ".project_root"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := list(t, tt.root); !slices.Equal(got, tt.want) {
				t.Errorf("Discover(%s) =\n%v\nwant\n%v", tt.root, got, tt.want)
			}
		})
	}
	t.Run("Stop", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := NewGemini().Discover(context.Background(), geminiTree, func(reel.SourceFile) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("Discover with a failing fn: err %v after %d calls, want stop after 1", err, n)
		}
	})
}

func TestGemini_Tree(t *testing.T) {
	runs := checkSessions(t, NewGemini(), geminiTree)
	by := map[string]*sessionRun{}
	for _, run := range runs {
		by[run.session.NativeID] = run
	}
	t.Run("Main", func(t *testing.T) {
		run := by[geminiMainID]
		if run == nil {
			t.Fatalf("no session %s among %d", geminiMainID, len(runs))
		}
		s := run.session
		if s.Title != "Add a debug flag to the CLI" || s.Project != "/home/dev/alpha" || s.Model != "gemini-2.5-flash" {
			t.Errorf("session title %q, project %q, model %q", s.Title, s.Project, s.Model)
		}
		wantTok := reel.Tokens{Input: 1000 + 500 + 305, Output: 40 + 120 + 50, CacheRead: 200 + 1000 + 1600, Reasoning: 30 + 10}
		if s.Tokens != wantTok {
			t.Errorf("tokens %+v, want %+v (the rewound answer not counted)", s.Tokens, wantTok)
		}
		if !s.StartedAt.Equal(time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)) || !s.EndedAt.Equal(time.Date(2026, 1, 10, 9, 2, 6, 1e6, time.UTC)) {
			t.Errorf("span %v to %v", s.StartedAt, s.EndedAt)
		}
		want := []string{
			reel.KindMessage, reel.KindReasoning, reel.KindMessage, reel.KindToolCall, reel.KindToolResult,
			reel.KindMessage, reel.KindToolCall, reel.KindToolResult,
			reel.KindMessage, reel.KindMessage, reel.KindSystem,
		}
		if got := geminiKinds(run.events); !slices.Equal(got, want) {
			t.Fatalf("kinds %v, want %v", got, want)
		}
		ev := run.events
		if !strings.Contains(ev[0].Text, "Content from @main.go") || ev[0].Role != reel.RoleUser {
			t.Errorf("user prompt %q: the expanded @file content belongs to the text", ev[0].Text)
		}
		if ev[1].Text != "Locating the flags\nFlags are parsed in main.go, so I should read it." {
			t.Errorf("reasoning %q", ev[1].Text)
		}
		if ev[2].Tokens != (reel.Tokens{Input: 1000, Output: 40, CacheRead: 200, Reasoning: 30}) || ev[2].Model != "gemini-2.5-pro" {
			t.Errorf("first answer tokens %+v model %q", ev[2].Tokens, ev[2].Model)
		}
		call, res := ev[3], ev[4]
		if call.Tool != "read_file" || call.CallID != "read_file-1768035610000-0" || call.Text != "/home/dev/alpha/main.go" ||
			string(call.Input) != `{"absolute_path":"/home/dev/alpha/main.go"}` || call.RawIndex != 5 {
			t.Errorf("read_file call %+v", call)
		}
		if res.CallID != call.CallID || res.Tool != "read_file" || !strings.Contains(res.Text, "flag.Parse()") || res.IsError {
			t.Errorf("read_file result %+v", res)
		}
		if !strings.Contains(ev[6].Text, `flag.Bool("verbose"`) || !strings.HasPrefix(ev[6].Text, "/home/dev/alpha/main.go\n") {
			t.Errorf("replace call text %q: want the path, then the new code", ev[6].Text)
		}
		for i, e := range ev[1:8] {
			if e.MessageID == "" || e.NativeID != e.MessageID {
				t.Errorf("event %d: message id %q native id %q", i+1, e.MessageID, e.NativeID)
			}
		}
		if ev[8].Text != "Actually, name it --debug instead" || ev[10].Text != "Some tool output was truncated." {
			t.Errorf("after the rewind: %q, %q", ev[8].Text, ev[10].Text)
		}
		for _, e := range ev {
			if strings.Contains(e.Text, "short form") || strings.Contains(e.Text, "alias") {
				t.Errorf("rewound event %q still stands", e.Text)
			}
		}
		wantStatus := map[int64]string{0: "metadata", 2: "$set", 8: reel.RecordDuplicate, 11: "$rewindTo"}
		for idx, want := range wantStatus {
			r := run.raw[idx]
			if r.Type != want && r.Status != want {
				t.Errorf("record %d: type %q status %q, want %q", idx, r.Type, r.Status, want)
			}
		}
	})
	t.Run("Subagent", func(t *testing.T) {
		run := by[geminiAgentID]
		if run == nil {
			t.Fatal("no subagent session")
		}
		s := run.session
		if s.ParentID != reel.SessionID(reel.SourceGemini, geminiMainID) {
			t.Errorf("parent id %q, want the main session's", s.ParentID)
		}
		if s.Title != "Find where command-line flags are parsed" || s.Project != "/home/dev/alpha" {
			t.Errorf("title %q project %q", s.Title, s.Project)
		}
		want := []string{reel.KindMessage, reel.KindToolCall, reel.KindToolResult, reel.KindMessage}
		if got := geminiKinds(run.events); !slices.Equal(got, want) {
			t.Fatalf("kinds %v, want %v", got, want)
		}
		if run.events[1].Tokens != (reel.Tokens{Input: 300, Output: 20}) || run.events[1].Text != "flag\\." {
			t.Errorf("a response of tool calls only carries its tokens on the call: %+v", run.events[1])
		}
	})
	t.Run("Converted", func(t *testing.T) {
		run := by["7a6b5c4d-3333-4444-8555-666677778888"]
		if run == nil || run.file.Layout != reel.LayoutLines {
			t.Fatal("the resumed session is read from its .jsonl")
		}
		if n := len(run.events); n != 3 || run.session.Title != "Why does the build fail?" {
			t.Errorf("%d events, title %q", n, run.session.Title)
		}
	})
	t.Run("Document", func(t *testing.T) {
		run := by["0b1c2d3e-4444-4555-8666-777788889999"]
		if run == nil {
			t.Fatal("no document session")
		}
		if len(run.raw) != 1 || run.raw[0].Type != "conversation" || run.raw[0].Status != reel.RecordOK {
			t.Fatalf("records %+v", run.raw)
		}
		want := []string{reel.KindMessage, reel.KindReasoning, reel.KindToolCall, reel.KindToolResult, reel.KindToolCall, reel.KindToolResult, reel.KindSystem}
		if got := geminiKinds(run.events); !slices.Equal(got, want) {
			t.Fatalf("kinds %v, want %v", got, want)
		}
		ev := run.events
		if ev[1].Tokens.Total() != 500+30+12 {
			t.Errorf("tokens on the reasoning of a response without text: %+v", ev[1].Tokens)
		}
		if ev[2].Text != "make migrate" || !ev[3].IsError || !strings.Contains(ev[3].Text, "No rule to make target") {
			t.Errorf("failed command: call %q result %+v", ev[2].Text, ev[3])
		}
		if ev[5].Text != "cancelled" || ev[5].IsError || ev[5].CallID != "write_file-2" {
			t.Errorf("cancelled call result %+v", ev[5])
		}
		if !ev[6].IsError || ev[6].Role != reel.RoleSystem {
			t.Errorf("error message %+v", ev[6])
		}
		if run.session.Project != "" {
			t.Errorf("project %q from a hash-named folder", run.session.Project)
		}
	})
}

// geminiFixtureTree lays the shared fixtures out as Gemini would, linking
// each into a project's chats folder.
func geminiFixtureTree(t *testing.T) string {
	fixtures := testenv.FixturesDir(t)
	root := t.TempDir()
	chats := filepath.Join(root, "3c1d", "chats")
	if err := os.MkdirAll(chats, 0o755); err != nil {
		t.Fatal(err)
	}
	link := func(src, name string) {
		if err := os.Symlink(src, filepath.Join(chats, name)); err != nil {
			t.Fatal(err)
		}
	}
	link(filepath.Join(fixtures, "git-ai", "tests", "fixtures", "gemini-session-simple.jsonl"), "session-simple.jsonl")
	docs, err := filepath.Glob(filepath.Join(fixtures, "agentsview", "internal", "parser", "testdata", "gemini", "*.json"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no gemini documents in the fixtures: %v", err)
	}
	for _, d := range docs {
		link(d, "session-"+filepath.Base(d))
	}
	return root
}

func TestGemini_Fixtures(t *testing.T) {
	runs := checkSessions(t, NewGemini(), geminiFixtureTree(t))
	by := map[string]*sessionRun{}
	for _, run := range runs {
		by[run.session.NativeID] = run
	}
	if len(by) != 6 {
		t.Fatalf("%d sessions, want 6", len(by))
	}
	t.Run("Lines", func(t *testing.T) {
		run := by["session-simple"]
		if run == nil {
			t.Fatal("a chat without a metadata line is named by its file")
		}
		var tools []string
		for _, e := range run.events {
			if e.Kind == reel.KindToolCall {
				tools = append(tools, e.Tool)
			}
		}
		if want := []string{"replace", "read_file", "replace", "read_file"}; !slices.Equal(tools, want) {
			t.Errorf("tools %v, want %v", tools, want)
		}
		if run.session.Title != "add another hello bob console log to @index.ts" || run.session.Model != "gemini-2.5-flash" {
			t.Errorf("title %q model %q", run.session.Title, run.session.Model)
		}
		if !run.session.EndedAt.Equal(time.Date(2025, 12, 6, 18, 27, 49, 718e6, time.UTC)) {
			t.Errorf("ended %v: the trailing $set's lastUpdated", run.session.EndedAt)
		}
	})
	t.Run("Tokens", func(t *testing.T) {
		s := by["sess-uuid-1"].session
		if want := (reel.Tokens{Input: 1400 + 1950, Output: 500, CacheRead: 150, Reasoning: 150}); s.Tokens != want {
			t.Errorf("tokens %+v, want %+v", s.Tokens, want)
		}
	})
	t.Run("Thinking", func(t *testing.T) {
		ev := by["sess-uuid-thinking"].events
		if len(ev) != 3 || ev[1].Kind != reel.KindReasoning || !strings.Contains(ev[1].Text, "Planning response\nI should describe the config loading flow.") {
			t.Errorf("events %+v", ev)
		}
	})
	t.Run("Results", func(t *testing.T) {
		calls := map[string]reel.Event{}
		results := 0
		for _, e := range by["sess-uuid-tool-results"].events {
			switch e.Kind {
			case reel.KindToolCall:
				calls[e.CallID] = e
			case reel.KindToolResult:
				results++
				if c, ok := calls[e.CallID]; !ok || c.Tool != e.Tool {
					t.Errorf("result %q follows no call of its tool", e.CallID)
				}
			}
		}
		if len(calls) != 2 || results != 2 {
			t.Errorf("%d calls, %d results", len(calls), results)
		}
		noResults := by["sess-uuid-2"].events
		if k := geminiKinds(noResults); !slices.Equal(k, []string{reel.KindMessage, reel.KindReasoning, reel.KindMessage, reel.KindToolCall}) {
			t.Errorf("a successful call with no recorded result has no result event: %v", k)
		}
	})
	t.Run("System", func(t *testing.T) {
		ev := by["sess-uuid-3"].events
		if len(ev) != 3 || ev[0].Kind != reel.KindSystem || ev[0].IsError || !ev[1].IsError || ev[2].IsError {
			t.Errorf("events %+v", ev)
		}
	})
}

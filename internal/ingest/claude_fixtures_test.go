package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// claudeFixtures returns the shared fixtures folder, skipping the test
// when it is absent.
func claudeFixtures(t *testing.T) string {
	t.Helper()
	return testenv.FixturesDir(t)
}

// claudeFixturesIfPresent returns the shared fixtures folder, or "" when
// it is absent, for tests that also run without it.
func claudeFixturesIfPresent(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("REEL_FIXTURES")
	if dir == "" {
		dir = filepath.Join(testenv.RepoRoot(t), "..", "shared", "fixtures")
	}
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

func claudeRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// claudeFixtureCase is what one shared Claude Code fixture must give.
type claudeFixtureCase struct {
	path string // relative to the fixtures folder
	// parent is the ParentNativeID Discover gives the file, if any.
	parent string
	// invalid lists the lines Parse must reject; statuses the other
	// records that are not RecordOK.
	invalid  []int64
	statuses map[int64]string
	kinds    map[string]int
	tools    map[string]int
	// session is the wanted Session, times left out.
	session reel.Session
	check   func(t *testing.T, run *claudeRun)
}

func (c claudeFixtureCase) file(dir string) reel.SourceFile {
	f := claudeFile(filepath.Join(dir, filepath.FromSlash(c.path)))
	f.ParentNativeID = c.parent
	return f
}

// claudeFixtureCases covers every Claude Code file in the shared fixtures.
var claudeFixtureCases = []claudeFixtureCase{
	{
		path:  "git-ai/tests/fixtures/example-claude-code.jsonl",
		kinds: map[string]int{"message": 11, "system": 1, "tool_call": 13, "tool_result": 13},
		tools: map[string]int{"Edit": 2, "Glob": 2, "Grep": 2, "MultiEdit": 1, "Read": 4, "TodoWrite": 2},
		session: reel.Session{
			Title:     "Make the colors green and yellow",
			Project:   "/Users/aidancunniffe/Desktop/ghq",
			GitBranch: "main",
			Model:     "claude-sonnet-4-20250514",
			Version:   "1.0.111",
			// Each of the 13 responses counted once, at its final usage.
			Tokens: reel.Tokens{Input: 57, Output: 3306, CacheRead: 293447, CacheCreation: 28933},
		},
		check: func(t *testing.T, run *claudeRun) {
			calls := map[string]bool{}
			withInput := 0
			for _, e := range run.events {
				switch e.Kind {
				case reel.KindToolCall:
					calls[e.CallID] = true
				case reel.KindToolResult:
					if !calls[e.CallID] {
						t.Errorf("result for %q comes before or without its call", e.CallID)
					}
				}
				if e.Tokens.Input > 0 {
					withInput++
				}
			}
			if withInput != 13 {
				t.Errorf("%d events carry input tokens, want one per response (13)", withInput)
			}
			var streamed []reel.Event
			for _, e := range run.events {
				if e.MessageID == "msg_01CGPMn2gKuNSisSxM4ym5nf" {
					streamed = append(streamed, e)
				}
			}
			if len(streamed) != 2 || streamed[0].Kind != reel.KindMessage || streamed[1].Tool != "Glob" {
				t.Fatalf("response msg_01CG… has events %+v, want its text and its Glob call", streamed)
			}
			if got := streamed[0].Tokens.Add(streamed[1].Tokens); got != (reel.Tokens{Input: 4, Output: 91, CacheRead: 4802, CacheCreation: 10361}) {
				t.Errorf("response msg_01CG… counted as %+v", got)
			}
			last := run.events[len(run.events)-1]
			if last.Kind != reel.KindSystem || last.Text != "[Request interrupted by user]" {
				t.Errorf("last event = %s %q, want the interruption notice", last.Kind, last.Text)
			}
		},
	},
	{
		path:     "claude-code-log/edge_cases.jsonl",
		statuses: map[int64]string{9: "unknown", 10: "unknown", 11: "duplicate", 12: "unknown", 13: "unknown", 14: "unknown", 15: "unknown", 17: "duplicate"},
		kinds:    map[string]int{"message": 5, "system": 2, "tool_call": 3, "tool_result": 1, "other": 4, "summary": 1},
		tools:    map[string]int{"FailingTool": 1, "MultiEdit": 1, "TodoWrite": 1},
		session: reel.Session{
			Title:   "Tested various edge cases including markdown formatting, long text, tool errors, system messages, co…",
			Project: "/tmp",
			Model:   "claude-sonnet-4",
			Version: "1.0.24",
			Tokens:  reel.Tokens{Input: 488, Output: 435},
		},
		check: func(t *testing.T, run *claudeRun) {
			for _, e := range run.events {
				// Line 11 reuses the uuid of line 10: it is a copy, dropped.
				if strings.Contains(e.Text, "café") {
					t.Errorf("the record with a repeated uuid yielded %q", e.Text)
				}
			}
			res := run.find(t, "the failed tool result", func(e reel.Event) bool { return e.Kind == reel.KindToolResult })
			if !res.IsError || res.CallID != "tool_edge_001" {
				t.Errorf("tool result = %+v, want is_error for tool_edge_001", res)
			}
			caveat := run.find(t, "the caveat", func(e reel.Event) bool { return strings.HasPrefix(e.Text, "Caveat:") })
			if caveat.Kind != reel.KindSystem || caveat.Role != reel.RoleUser {
				t.Errorf("caveat is %s/%s, want system/user", caveat.Kind, caveat.Role)
			}
			if r := run.records[11]; r.Reason != "repeats uuid edge_011" {
				t.Errorf("duplicate reason = %q", r.Reason)
			}
			// The misspelled timestamp leaves the record at the previous time.
			for i, e := range run.events {
				if e.Text == "error" && i > 0 && !e.Time.Equal(run.events[i-1].Time) {
					t.Errorf("record without timestamp at %v, want the previous record's %v", e.Time, run.events[i-1].Time)
				}
			}
		},
	},
	{
		path:  "claude-code-log/representative_messages.jsonl",
		kinds: map[string]int{"message": 7, "tool_call": 2, "tool_result": 2, "summary": 1},
		tools: map[string]int{"Edit": 1, "Bash": 1},
		session: reel.Session{
			Title:   "User learned about Python decorators, including basic decorators and parameterized decorators. Creat…",
			Project: "/tmp",
			Model:   "claude-3-sonnet-20240229",
			Version: "1.0.0",
			Tokens:  reel.Tokens{Input: 218, Output: 445},
		},
		check: func(t *testing.T, run *claudeRun) {
			bash := run.find(t, "the Bash call", func(e reel.Event) bool { return e.Tool == "Bash" })
			if want := "python /tmp/decorator_example.py\ndescription: Run the decorator example to show output"; bash.Text != want {
				t.Errorf("Bash text = %q, want %q", bash.Text, want)
			}
			out := run.find(t, "the Bash result", func(e reel.Event) bool { return e.CallID == "tool_002" && e.Kind == reel.KindToolResult })
			if out.Text != "Hello, Alice!\nHello, Alice!\nHello, Alice!" {
				t.Errorf("Bash result = %q", out.Text)
			}
		},
	},
	{
		path:  "claude-code-log/todowrite_examples.jsonl",
		kinds: map[string]int{"message": 5, "tool_call": 3, "tool_result": 3, "summary": 1},
		tools: map[string]int{"TodoWrite": 3},
		session: reel.Session{
			Title:   "Feature Implementation with Task Management",
			Project: "/tmp",
			Model:   "claude-sonnet-4",
			Version: "1.0.24",
			Tokens:  reel.Tokens{Input: 883, Output: 328},
		},
		check: func(t *testing.T, run *claudeRun) {
			todo := run.find(t, "a TodoWrite call", func(e reel.Event) bool { return e.Tool == "TodoWrite" })
			if !strings.Contains(todo.Text, "todos.content: Design the feature architecture") {
				t.Errorf("TodoWrite text lacks its items: %q", todo.Text)
			}
		},
	},
	{
		path:  "claude-code-log/session_b.jsonl",
		kinds: map[string]int{"message": 3},
		session: reel.Session{
			Title:   "This is from a different session file to test multi-session handling.",
			Project: "/tmp",
			Model:   "claude-3-sonnet-20240229",
			Version: "1.0.0",
			Tokens:  reel.Tokens{Input: 20, Output: 35},
		},
	},
	{
		path:  "git-ai/tests/fixtures/claude-code-with-plan.jsonl",
		kinds: map[string]int{"summary": 1, "message": 4, "tool_call": 3, "tool_result": 2},
		tools: map[string]int{"Write": 1, "Edit": 2},
		session: reel.Session{
			Title:     "Implement user authentication",
			Project:   "/Users/dev/myproject",
			GitBranch: "main",
			Model:     "claude-sonnet-4-20250514",
			Version:   "2.0.69",
			Tokens:    reel.Tokens{Input: 60, Output: 405},
		},
		check: func(t *testing.T, run *claudeRun) {
			for _, e := range run.events {
				if e.Kind == reel.KindToolResult && e.CallID == "toolu_code_edit" {
					t.Errorf("the last Edit has a result: %+v", e)
				}
			}
			if !run.events[0].Time.IsZero() {
				t.Errorf("summary before any timestamp at %v, want zero", run.events[0].Time)
			}
		},
	},
	{
		path:  "git-ai/tests/fixtures/claude-code-with-thinking.jsonl",
		kinds: map[string]int{"summary": 1, "reasoning": 2, "message": 3, "tool_call": 1, "tool_result": 1},
		tools: map[string]int{"Edit": 1},
		session: reel.Session{
			Title:     "Add Hello World Header Comment to index.ts",
			Project:   "/Users/svarlamov/projects/testing-git-2",
			GitBranch: "master",
			Model:     "claude-sonnet-4-5-20250929",
			Version:   "2.0.69",
			Tokens:    reel.Tokens{Input: 18, Output: 484, CacheRead: 32612, CacheCreation: 7461},
		},
		check: func(t *testing.T, run *claudeRun) {
			for _, i := range []int64{1, 6} {
				if r := run.records[i]; r.Type != "file-history-snapshot" || r.Status != reel.RecordOK {
					t.Errorf("record %d: %q %q, want file-history-snapshot ok", i, r.Type, r.Status)
				}
			}
			n := 0
			for _, e := range run.events {
				if e.MessageID == "msg_01HZjNL8G7uFnVTmY94Us89M" {
					n++
				}
			}
			if n != 3 {
				t.Errorf("%d events of the streamed response, want thinking, text and tool call", n)
			}
		},
	},
	{
		path:     "git-ai/tests/fixtures/claude-model-not-last.jsonl",
		kinds:    map[string]int{"message": 2, "system": 2},
		statuses: map[int64]string{},
		session: reel.Session{
			Title:   "Write a hello world function",
			Project: "/tmp",
			Model:   "claude-opus-4-6",
			Version: "2.1.114",
			Tokens:  reel.Tokens{Input: 1, Output: 27},
		},
		check: func(t *testing.T, run *claudeRun) {
			if run.events[0].Role != reel.RoleUser {
				t.Errorf("human message role = %q, want user", run.events[0].Role)
			}
			if got := []string{run.records[2].Type, run.records[3].Type}; !reflect.DeepEqual(got, []string{"last-prompt", "permission-mode"}) {
				t.Errorf("trailing record types %v", got)
			}
			if got := run.events[3].Text; got != "bypassPermissions" {
				t.Errorf("permission-mode text = %q", got)
			}
		},
	},
	{
		path:    "git-ai/tests/transcripts/fixtures/claude_simple.jsonl",
		kinds:   map[string]int{"message": 2, "tool_call": 1},
		tools:   map[string]int{"Write": 1},
		session: reel.Session{Title: "Write a hello world function", Model: "claude-sonnet-4"},
	},
	{
		path:    "git-ai/tests/transcripts/fixtures/claude_with_ids.jsonl",
		kinds:   map[string]int{"message": 3, "tool_call": 1, "tool_result": 1},
		tools:   map[string]int{"Edit": 1},
		session: reel.Session{Title: "Edit the file please", Model: "claude-sonnet-4"},
		check: func(t *testing.T, run *claudeRun) {
			if got := run.events[3].NativeID; got != "ddd44444-4444-4444-4444-444444444444" {
				t.Errorf("result native id = %q", got)
			}
		},
	},
	{
		path:   "git-ai/tests/transcripts/fixtures/claude_subagent/sess-parent-abc/subagents/agent-a1b2c3d4e5f6.jsonl",
		parent: "sess-parent-abc",
		kinds:  map[string]int{"message": 1, "tool_call": 1, "tool_result": 1},
		tools:  map[string]int{"Bash": 1},
		session: reel.Session{
			ParentID: reel.SessionID(reel.SourceClaudeCode, "sess-parent-abc"),
			Title:    "Search for references to Config",
			Model:    "claude-sonnet-4",
		},
		check: func(t *testing.T, run *claudeRun) {
			if got := run.events[1].Text; got != "grep -rn Config src/" {
				t.Errorf("Bash text = %q", got)
			}
		},
	},
	{
		path:  "agentsview/internal/parser/testdata/claude/valid_session.jsonl",
		kinds: map[string]int{"message": 4, "tool_call": 1},
		tools: map[string]int{"Read": 1},
		session: reel.Session{
			Title:   "Fix the login bug",
			Project: "/Users/alice/code/my-app",
			Model:   "claude-sonnet-4-20250514",
			Tokens:  reel.Tokens{Input: 250, Output: 125, CacheRead: 800, CacheCreation: 200},
		},
	},
	{
		path:  "agentsview/internal/parser/testdata/claude/tool_call_pending.jsonl",
		kinds: map[string]int{"message": 2, "tool_call": 1},
		tools: map[string]int{"Read": 1},
		session: reel.Session{
			Title:   "Read auth.ts",
			Project: "/Users/alice/code/my-app",
			Model:   "claude-sonnet-4-20250514",
			Tokens:  reel.Tokens{Input: 100, Output: 50},
		},
	},
	{
		path:    "agentsview/internal/parser/testdata/claude/truncated.jsonl",
		invalid: []int64{2},
		kinds:   map[string]int{"message": 2},
		session: reel.Session{
			Title:   "hello",
			Project: "/Users/alice/code/my-app",
			Model:   "claude-sonnet-4-20250514",
			Tokens:  reel.Tokens{Input: 10, Output: 5},
		},
	},
	{
		path:    "agentsview/internal/parser/testdata/claude/queued_system_messages.jsonl",
		kinds:   map[string]int{"message": 1, "system": 2},
		session: reel.Session{Title: "Your final response is captured verbatim into ..."},
		check: func(t *testing.T, run *claudeRun) {
			for _, e := range run.events[1:] {
				if !strings.Contains(e.Text, "<task-notification>") || e.Role != reel.RoleSystem {
					t.Errorf("attachment event = %s %q", e.Role, e.Text)
				}
			}
		},
	},
}

func TestClaudeParser_Fixtures(t *testing.T) {
	dir := claudeFixtures(t)
	for _, c := range claudeFixtureCases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			f := c.file(dir)
			run := claudeParse(t, f)

			var invalid []int64
			for i := range run.errs {
				invalid = append(invalid, i)
			}
			if len(invalid) != len(c.invalid) || (len(invalid) > 0 && !reflect.DeepEqual(invalid, c.invalid)) {
				t.Errorf("lines failing Parse %v (%v), want %v", invalid, run.errs, c.invalid)
			}
			statuses := run.statuses()
			for _, i := range c.invalid {
				delete(statuses, i)
			}
			if len(statuses) != len(c.statuses) || (len(statuses) > 0 && !reflect.DeepEqual(statuses, c.statuses)) {
				t.Errorf("statuses %v, want %v", statuses, c.statuses)
			}
			if got := run.kinds(); !reflect.DeepEqual(got, c.kinds) {
				t.Errorf("event kinds %v, want %v", got, c.kinds)
			}
			if got := run.tools(); len(got)+len(c.tools) > 0 && !reflect.DeepEqual(got, c.tools) {
				t.Errorf("tool calls %v, want %v", got, c.tools)
			}

			s := run.session
			if s.StartedAt.After(s.EndedAt) {
				t.Errorf("session starts at %v, after it ends at %v", s.StartedAt, s.EndedAt)
			}
			s.StartedAt, s.EndedAt = c.session.StartedAt, c.session.EndedAt
			want := c.session
			want.Source, want.NativeID = reel.SourceClaudeCode, f.NativeID
			if !reflect.DeepEqual(s, want) {
				t.Errorf("Session() =\n%+v\nwant\n%+v", s, want)
			}
			if got := run.tokens(); got != want.Tokens {
				t.Errorf("event tokens sum to %+v, session says %+v", got, want.Tokens)
			}
			for i, e := range run.events {
				if e.Kind == "" || e.SessionID != "" || e.Seq != 0 {
					t.Errorf("event %d: kind %q, session %q, seq %d", i, e.Kind, e.SessionID, e.Seq)
				}
				if e.Kind != reel.KindToolCall && strings.TrimSpace(e.Text) == "" {
					t.Errorf("event %d (%s) has no text", i, e.Kind)
				}
			}
			if c.check != nil {
				c.check(t, run)
			}
		})
	}
}

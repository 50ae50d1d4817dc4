package ingest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

// copilotCase returns a path inside a testdata case.
func copilotCase(parts ...string) string {
	return filepath.Join(append([]string{"testdata", "copilot"}, parts...)...)
}

// copilotWorkspaceCase is the workspace folder of the vscode case.
var copilotWorkspaceCase = copilotCase("vscode", "User", "workspaceStorage", "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b")

// copilotTexts returns "kind:text" for each event, for comparing runs.
func copilotTexts(run *sessionRun) []string {
	var out []string
	for _, e := range run.events {
		out = append(out, e.Kind+":"+e.Text)
	}
	return out
}

func TestCopilot_Source(t *testing.T) {
	if got := NewCopilot().Source(); got != reel.SourceCopilot {
		t.Errorf("Source() = %q, want %q", got, reel.SourceCopilot)
	}
}

func TestCopilot_Discover(t *testing.T) {
	chat := filepath.Join(copilotWorkspaceCase, "chatSessions")
	tests := []struct {
		name string
		root string
		want []string // native id and layout of each file, in path order
	}{
		{"SessionState", copilotCase("cli"), []string{
			"2b3c4d5e-1111-4f6a-9b7c-8d9e0f1a2b3c lines",
			"8d1e2f3a-4b5c-4d6e-9f70-8192a3b4c5d6 lines",
			"9e8d7c6b-0000-4a1b-8c2d-3e4f5a6b7c8d lines",
		}},
		{"UserFolder", copilotCase("vscode", "User"), []string{
			"f0f0f0f0-4567-489a-bcde-f01234567890 document",
			"e1e2e3e4-5678-4abc-9def-0123456789ab lines",
			"c0ffee01-2345-4678-9abc-def012345678 lines",
			"d00d0002-3456-4789-8bcd-ef0123456789 document",
		}},
		{"WorkspaceStorage", copilotCase("vscode", "User", "workspaceStorage"), []string{
			"e1e2e3e4-5678-4abc-9def-0123456789ab lines",
			"c0ffee01-2345-4678-9abc-def012345678 lines",
			"d00d0002-3456-4789-8bcd-ef0123456789 document",
		}},
		{"Workspace", copilotWorkspaceCase, []string{
			"e1e2e3e4-5678-4abc-9def-0123456789ab lines",
			"c0ffee01-2345-4678-9abc-def012345678 lines",
			"d00d0002-3456-4789-8bcd-ef0123456789 document",
		}},
		{"GlobalStorage", copilotCase("vscode", "User", "globalStorage"), []string{
			"f0f0f0f0-4567-489a-bcde-f01234567890 document",
		}},
		{"ChatSessions", chat, []string{
			"c0ffee01-2345-4678-9abc-def012345678 lines",
			"d00d0002-3456-4789-8bcd-ef0123456789 document",
		}},
		{"Transcripts", filepath.Join(copilotWorkspaceCase, "GitHub.copilot-chat", "transcripts"), []string{
			"e1e2e3e4-5678-4abc-9def-0123456789ab lines",
		}},
		{"CopilotHome", copilotCase("home"), []string{
			"8d1e2f3a-4b5c-4d6e-9f70-8192a3b4c5d6 lines",
		}},
		{"SessionFolder", copilotCase("cli", "8d1e2f3a-4b5c-4d6e-9f70-8192a3b4c5d6"), []string{
			"8d1e2f3a-4b5c-4d6e-9f70-8192a3b4c5d6 lines",
		}},
		{"File", filepath.Join(chat, "d00d0002-3456-4789-8bcd-ef0123456789.json"), []string{
			"d00d0002-3456-4789-8bcd-ef0123456789 document",
		}},
		{"Missing", filepath.Join(t.TempDir(), "none"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := NewCopilot().Discover(context.Background(), tt.root, func(f reel.SourceFile) error {
				layout := "lines"
				if f.Layout == reel.LayoutDocument {
					layout = "document"
				}
				if f.Source != reel.SourceCopilot || !filepath.IsAbs(f.Path) || f.Key != "" {
					t.Errorf("%+v: want an absolute copilot path with no key", f)
				}
				got = append(got, f.NativeID+" "+layout)
				return nil
			})
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("found\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}

func TestCopilot_Parse(t *testing.T) {
	t.Run("CLI", func(t *testing.T) {
		runs := checkSessions(t, NewCopilot(), copilotCase("cli"))
		run := droidRunByID(t, runs, "8d1e2f3a-4b5c-4d6e-9f70-8192a3b4c5d6")
		s := run.session
		if s.Title != "HTTP client retries" || s.Project != "/home/dev/svc" || s.GitBranch != "feature/retry" {
			t.Errorf("title, project, branch = %q, %q, %q", s.Title, s.Project, s.GitBranch)
		}
		if s.Model != "gpt-5" || s.Version != "1.0.50" {
			t.Errorf("model, version = %q, %q", s.Model, s.Version)
		}
		// The rewound answer's tokens go with it: 120 + 95 + 30 + 40.
		if s.Tokens != (reel.Tokens{Output: 285}) {
			t.Errorf("tokens = %+v", s.Tokens)
		}
		want := []string{
			"system:Model changed to claude-sonnet-4.5",
			"message:Add retries to the HTTP client",
			"reasoning:The client lives in httpx/client.go; check for an existing backoff helper.",
			"message:Let me look at the client.",
			"tool_call:grep -rn backoff httpx/\ndescription: Find backoff helpers",
			"tool_result:grep: httpx/: No such file or directory",
			"tool_call:/home/dev/svc/client.go\nold_str: return c.do(req)\nnew_str: return retry(3, func() error { return c.do(req) })",
			"system:postToolUse\nedit\ngofmt the edited file",
			"tool_result:File /home/dev/svc/client.go updated with changes.",
			"message:Requests now retry three times.",
			"tool_call:git status --short",
			"tool_result: M client.go",
			"message:Use exponential backoff, capped at 30s",
			"message:Backoff now doubles from 1s up to 30s.",
			"summary:The user asked for retries with capped exponential backoff in the HTTP client; done.",
			"system:Aborted: user initiated",
		}
		if got := copilotTexts(run); !reflect.DeepEqual(got, want) {
			t.Errorf("events\n %q\nwant\n %q", got, want)
		}
		droidCheckPairs(t, run)
		ev := run.events
		if !ev[5].IsError || ev[5].Tool != "bash" || ev[8].IsError {
			t.Errorf("tool results: %+v, %+v", ev[5], ev[8])
		}
		if ev[10].Role != reel.RoleUser || ev[10].Tool != "bash" {
			t.Errorf("a tool the user ran: %+v", ev[10])
		}
		if ev[3].Tokens.Output != 120 || ev[6].Tokens.Output != 95 || ev[3].Model != "claude-sonnet-4.5" || ev[13].Model != "gpt-5" {
			t.Errorf("tokens and models: %+v, %+v, %+v", ev[3], ev[6], ev[13])
		}
		if ev[1].NativeID != "e-03" || ev[1].Model != "" {
			t.Errorf("prompt = %+v", ev[1])
		}

		yaml := droidRunByID(t, runs, "9e8d7c6b-0000-4a1b-8c2d-3e4f5a6b7c8d")
		if yaml.session.Title != "Explain the lint target" || yaml.session.Project != "/home/dev/tools" {
			t.Errorf("session from workspace.yaml: %+v", yaml.session)
		}
		old := droidRunByID(t, runs, "2b3c4d5e-1111-4f6a-9b7c-8d9e0f1a2b3c")
		if got := copilotTexts(old); !reflect.DeepEqual(got, []string{
			"message:print the go version", "tool_call:go version", "tool_result:go version go1.25.3 linux/amd64",
		}) {
			t.Errorf("old layout: %q", got)
		}
	})
	t.Run("VSCode", func(t *testing.T) {
		runs := checkSessions(t, NewCopilot(), copilotCase("vscode", "User"))
		log := droidRunByID(t, runs, "c0ffee01-2345-4678-9abc-def012345678")
		want := reel.Session{
			Source: reel.SourceCopilot, NativeID: "c0ffee01-2345-4678-9abc-def012345678",
			Title: "Dark mode toggle", Project: "/home/dev/web app", Model: "GPT-5", Version: "0.40.0",
			StartedAt: log.session.StartedAt, EndedAt: log.session.EndedAt,
			Tokens: reel.Tokens{Input: 11100, Output: 340},
		}
		if !reflect.DeepEqual(log.session, want) {
			t.Errorf("session\n got %+v\nwant %+v", log.session, want)
		}
		if got := log.session.EndedAt.UnixMilli(); got != 1780560204000 {
			t.Errorf("ended at %d, want the last response's completion", got)
		}
		wantTexts := []string{
			"message:Add a dark mode toggle",
			"reasoning:The theme lives in a context; find it first.",
			"message:I'll add a toggle to settings.tsx. Reading the theme first.",
			"tool_call:filePath: /home/dev/web app/src/theme.ts\nstartLine: 1\nendLine: 40",
			"tool_result:Read theme.ts",
			"tool_call:npm test",
			"tool_result:1 failing\n  theme › toggles",
			"message:The tests fail; fixing.",
			"system:Edited /home/dev/web app/src/theme.ts\nexport const dark = true;",
			"message: Done.",
			"message:Persist the choice in localStorage",
			"message:Stored under `theme` in localStorage.",
		}
		if got := copilotTexts(log); !reflect.DeepEqual(got, wantTexts) {
			t.Errorf("events\n %q\nwant\n %q", got, wantTexts)
		}
		droidCheckPairs(t, log)
		// The request was rebuilt from the log with its keys in order.
		if in := string(log.events[3].Input); in != `{"filePath":"/home/dev/web app/src/theme.ts","startLine":1,"endLine":40}` {
			t.Errorf("rebuilt input = %s", in)
		}
		term := log.events[6]
		if term.ExitCode == nil || *term.ExitCode != 1 || !term.IsError || string(log.events[5].Input) != `{"command":"npm test"}` {
			t.Errorf("terminal call and result: %+v, %+v", log.events[5], term)
		}
		if log.events[1].Tokens != (reel.Tokens{Input: 5000, Output: 300}) || log.events[11].Model != "GPT-5" {
			t.Errorf("first response's tokens %+v, last model %q", log.events[1].Tokens, log.events[11].Model)
		}

		doc := droidRunByID(t, runs, "d00d0002-3456-4789-8bcd-ef0123456789")
		wantDoc := []string{
			"message:Where is the theme defined?",
			"reasoning:Search for createTheme\nthen read the file",
			"message:Searching the workspace.",
			"tool_call:createTheme",
			"tool_result:src/theme.ts:3 createTheme()",
			"message:It is in theme.ts.",
			"system:Summarizing conversation history",
			"other:a part kind from a newer editor",
			"message:Now rename it",
			"message:Renaming createTheme to",
			"system:Sorry, the response hit the length limit.",
			"message:Stop",
			"system:Response cancelled",
		}
		if got := copilotTexts(doc); !reflect.DeepEqual(got, wantDoc) {
			t.Errorf("document events\n %q\nwant\n %q", got, wantDoc)
		}
		if string(doc.events[3].Input) != `{"query":"createTheme"}` || !doc.events[10].IsError {
			t.Errorf("mcp input %s, error notice %+v", doc.events[3].Input, doc.events[10])
		}
		if s := doc.session; s.Title != "Where is the theme defined?" || s.Model != "gpt-4.1" || s.Version != "0.31.5" || s.Project != "/home/dev/web app" {
			t.Errorf("document session %+v", s)
		}

		tr := droidRunByID(t, runs, "e1e2e3e4-5678-4abc-9def-0123456789ab")
		if tr.session.Project != "/home/dev/web app" || tr.session.Version != "0.47.0" {
			t.Errorf("transcript session %+v", tr.session)
		}
		droidCheckPairs(t, tr)
		empty := droidRunByID(t, runs, "f0f0f0f0-4567-489a-bcde-f01234567890")
		if s := empty.session; s.Title != "Regex for semver" || s.Project != "" || s.Tokens != (reel.Tokens{Input: 800, Output: 25}) {
			t.Errorf("empty window session %+v", s)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		runs := readAll(t, NewCopilot(), copilotCase("empty"))
		if len(runs) != 1 || len(runs[0].raw) != 0 || len(runs[0].events) != 0 {
			t.Fatalf("empty session: %d runs", len(runs))
		}
		if runs[0].session.NativeID != "3c4d5e6f-2222-4a7b-8c9d-0e1f2a3b4c5d" {
			t.Errorf("native id %q", runs[0].session.NativeID)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		// Before the cut: a prompt; a request with its answer.
		for root, events := range map[string]int{copilotCase("truncated", "cli"): 1, copilotCase("truncated", "vscode"): 2} {
			runs := readAll(t, NewCopilot(), root)
			if len(runs) != 1 {
				t.Fatalf("%s: %d sessions", root, len(runs))
			}
			run := runs[0]
			checkLossless(t, root, run)
			if len(run.errs) != 1 || run.errs[2] == nil {
				t.Errorf("%s: errors %v, want one for the cut last line", root, run.errs)
			}
			if len(run.events) != events {
				t.Errorf("%s: %d events before the cut, want %d", root, len(run.events), events)
			}
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		runs := checkSessions(t, NewCopilot(), copilotCase("unknown", "cli"))
		run := runs[0]
		if got, want := droidStatuses(run), map[int64]string{2: reel.RecordUnknown, 4: reel.RecordUnknown, 5: reel.RecordUnknown}; !reflect.DeepEqual(got, want) {
			t.Errorf("statuses = %v, want %v", got, want)
		}
		want := []string{
			"message:Draw the architecture",
			"other:A three-tier diagram of the service",
			"system:quota\n80% of premium requests used",
			"other:an\narray\nline",
			"other:an event without a type",
			"message:Here is the outline.",
		}
		if got := copilotTexts(run); !reflect.DeepEqual(got, want) {
			t.Errorf("events\n %q\nwant\n %q", got, want)
		}

		runs = checkSessions(t, NewCopilot(), copilotCase("unknown", "vscode"))
		run = runs[0]
		if got, want := droidStatuses(run), map[int64]string{1: reel.RecordUnknown, 2: reel.RecordUnknown, 4: reel.RecordUnknown}; !reflect.DeepEqual(got, want) {
			t.Errorf("log statuses = %v, want %v", got, want)
		}
		if run.raw[1].Type != "kind 7" || run.raw[3].Type != "set" {
			t.Errorf("types %q, %q", run.raw[1].Type, run.raw[3].Type)
		}
		if got := copilotTexts(run); len(got) < 2 || got[0] != "message:What is a rune?" || got[1] != "message:An int32 code point." {
			t.Errorf("events %q", got)
		}
		for _, e := range run.events {
			if strings.Contains(e.Text, "alias for int32") {
				t.Errorf("a finished request changed after it was sealed: %+v", e)
			}
		}
	})
}

// TestCopilot_Resume checks that reading a file in two syncs, resumed
// from the parser's state at any line, gives what one read gives; for a
// mutation log this includes the events a later line takes back.
func TestCopilot_Resume(t *testing.T) {
	files := []string{
		filepath.Join(copilotWorkspaceCase, "chatSessions", "c0ffee01-2345-4678-9abc-def012345678.jsonl"),
		copilotCase("cli", "8d1e2f3a-4b5c-4d6e-9f70-8192a3b4c5d6", "events.jsonl"),
	}
	for _, path := range files {
		var f reel.SourceFile
		for _, found := range discoverAll(t, NewCopilot(), path) {
			f = found
		}
		whole := readSession(t, NewCopilot(), f)
		for split := 1; split < len(whole.raw); split++ {
			got := copilotSplitRead(t, NewCopilot(), f, split)
			if !reflect.DeepEqual(copilotTexts(got), copilotTexts(whole)) {
				t.Errorf("%s split at %d: events\n %q\nwant\n %q", filepath.Base(path), split, copilotTexts(got), copilotTexts(whole))
			}
			if !reflect.DeepEqual(got.session, whole.session) {
				t.Errorf("%s split at %d: session %+v, want %+v", filepath.Base(path), split, got.session, whole.session)
			}
		}
	}
}

// TestCopilot_Rewound checks that a mutation log takes back a request's
// events when a later save changes them, and keeps the state small: a
// finished request is not kept whole.
func TestCopilot_Rewound(t *testing.T) {
	path := filepath.Join(copilotWorkspaceCase, "chatSessions", "c0ffee01-2345-4678-9abc-def012345678.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := discoverAll(t, NewCopilot(), path)[0]
	p, err := NewCopilot().NewParser(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rewinds []int64
	for i, line := range splitLines(data) {
		rec := reel.RawRecord{Index: int64(i), Data: line}
		if _, err := p.Parse(&rec); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if keep, ok := p.(reel.Rewinder).Rewound(); ok {
			rewinds = append(rewinds, keep)
		}
		if i == 4 {
			// The first response is still streaming: it is kept whole.
			state, err := p.State()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(state), "Reading theme.ts") {
				t.Errorf("state lost the unfinished request: %s", state)
			}
		}
	}
	// Each save that changes what the first response says takes its events
	// back to its start (0): three pushes of parts, the result with the
	// usage, the last part (setting modelState to a completion time the
	// events already had changes nothing). The answer cut off by the undo
	// goes back to where it began (10).
	if want := []int64{0, 0, 0, 0, 0, 10, 10, 10}; !reflect.DeepEqual(rewinds, want) {
		t.Errorf("rewinds = %v, want %v", rewinds, want)
	}
	state, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"theme › toggles", "Stored under"} {
		if strings.Contains(string(state), text) {
			t.Errorf("state keeps a finished request whole (%q): %s", text, state)
		}
	}
}

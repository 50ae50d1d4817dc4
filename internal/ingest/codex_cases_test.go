package ingest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

func TestCodexParser_Compacted(t *testing.T) {
	r := codexParseFile(t, codexTestdata(t, "compacted"))
	if r.errs != 0 {
		t.Fatalf("%d Parse errors", r.errs)
	}
	codexWantKinds(t, r.kinds(), map[string]int{
		reel.KindSystem:    3, // environment context, two token counts
		reel.KindMessage:   4,
		reel.KindReasoning: 1,
		reel.KindSummary:   2,
	})
	sum, ok := r.find(reel.KindSummary, "idempotency key per order")
	if !ok || sum.Role != reel.RoleSystem {
		t.Errorf("compacted summary = %+v, %v", sum, ok)
	}
	// replacement_history repeats the first prompt: it must not be a second hit.
	if n := r.hits("Why does checkout double-charge?"); n != 1 {
		t.Errorf("first prompt found in %d events, want 1", n)
	}
	if n := r.hits("Tracing payment retries"); n != 1 {
		t.Errorf("reasoning found in %d events, want 1", n)
	}
	s := r.session
	if s.Title != "Why does checkout double-charge?" || s.GitBranch != "feature/cart" || s.Version != "0.55.0" {
		t.Errorf("session = %+v", s)
	}
	// The second token_count repeats the first: counted once. The last
	// total is input 1800 (300 cached), output 130 (30 reasoning).
	want := reel.Tokens{Input: 1500, CacheRead: 300, Output: 100, Reasoning: 30}
	if s.Tokens != want || s.Tokens.Total() != 1930 {
		t.Errorf("Tokens = %+v, want %+v", s.Tokens, want)
	}
	if r.eventTokens() != want {
		t.Errorf("event tokens = %+v, want %+v", r.eventTokens(), want)
	}
	ctx, _ := r.find(reel.KindSystem, "<environment_context>")
	if ctx.Role != reel.RoleUser {
		t.Errorf("environment context role = %q, want user", ctx.Role)
	}
}

func TestCodexParser_Fork(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "codex", "fork", "rollout-*.jsonl"))
	if len(paths) != 2 {
		t.Fatalf("fork testdata: %v", paths)
	}
	parent, child := codexParseFile(t, paths[0]), codexParseFile(t, paths[1])
	if parent.errs+child.errs != 0 {
		t.Fatalf("Parse errors: %d, %d", parent.errs, child.errs)
	}

	t.Run("OKParent", func(t *testing.T) {
		if parent.session.ParentID != "" || parent.statuses()[reel.RecordDuplicate] != 0 {
			t.Errorf("parent: ParentID %q, statuses %v", parent.session.ParentID, parent.statuses())
		}
		want := reel.Tokens{Input: 7000, CacheRead: 4000, Output: 350, Reasoning: 150}
		if parent.session.Tokens != want {
			t.Errorf("parent Tokens = %+v, want %+v", parent.session.Tokens, want)
		}
		res, _ := parent.find(reel.KindToolResult, "productList()")
		if res.ExitCode == nil || *res.ExitCode != 0 || res.Duration != 21*time.Millisecond {
			t.Errorf("unified exec result: exit %v, duration %v", res.ExitCode, res.Duration)
		}
	})

	t.Run("OKChild", func(t *testing.T) {
		s := child.session
		if want := reel.SessionID(reel.SourceCodex, parent.session.NativeID); s.ParentID != want {
			t.Errorf("ParentID = %q, want %q", s.ParentID, want)
		}
		if s.NativeID == parent.session.NativeID {
			t.Error("the replayed parent meta took over the fork's identity")
		}
		// Lines 2-14 copy the parent, including the task_started and
		// turn_context of the turn the fork cut off.
		for i, rec := range child.records {
			replayed := i >= 1 && i <= 13
			if replayed && (rec.Status != reel.RecordDuplicate || rec.Reason != "replayed from parent") {
				t.Errorf("line %d: %s %q, want duplicate replayed from parent", i+1, rec.Status, rec.Reason)
			}
			if !replayed && rec.Status != reel.RecordOK {
				t.Errorf("line %d: %s, want ok", i+1, rec.Status)
			}
		}
		for _, ev := range child.events {
			if ev.RawIndex >= 1 && ev.RawIndex <= 13 {
				t.Errorf("replayed line %d made a %s event", ev.RawIndex+1, ev.Kind)
			}
		}
		if s.Title != "Use Redis for the cache instead" || s.Model != "gpt-5.1-codex" {
			t.Errorf("Title, Model = %q, %q", s.Title, s.Model)
		}
		// The fork's total continues from the parent's 5000/1000/300/100.
		want := reel.Tokens{Input: 2000, CacheRead: 2000, Output: 120, Reasoning: 30}
		if s.Tokens != want || child.eventTokens() != want {
			t.Errorf("Tokens = %+v (events %+v), want %+v", s.Tokens, child.eventTokens(), want)
		}
	})

	t.Run("OKNoDoubleHits", func(t *testing.T) {
		both := codexRun{events: append(append([]reel.Event{}, parent.events...), child.events...)}
		for _, text := range []string{"Cache the product list in memory", "Added an in-memory LRU cache",
			"rg -n productList src", "Use Redis for the cache instead"} {
			if n := both.hits(text); n != 1 {
				t.Errorf("%q found in %d events of parent and fork, want 1", text, n)
			}
		}
	})

	t.Run("OKLegacy", func(t *testing.T) {
		r := codexParseFile(t, codexTestdata(t, "fork_legacy"))
		if want := reel.SessionID(reel.SourceCodex, "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60"); r.session.ParentID != want {
			t.Errorf("ParentID = %q, want the second session_meta's id", r.session.ParentID)
		}
		if got := r.statuses()[reel.RecordDuplicate]; got != 8 {
			t.Errorf("%d replayed lines, want 8", got)
		}
		if r.hits("Explain the build script") != 0 || r.hits("Now make it incremental") != 1 {
			t.Error("the pause after the copied history should end the replay, and only there")
		}
		want := reel.Tokens{Input: 300, CacheRead: 1100, Output: 80}
		if r.session.Tokens != want || r.session.Title != "Now make it incremental" {
			t.Errorf("Tokens, Title = %+v, %q", r.session.Tokens, r.session.Title)
		}
	})
}

func TestCodexParser_Tools(t *testing.T) {
	r := codexParseFile(t, codexTestdata(t, "tools"))
	if r.errs != 0 {
		t.Fatalf("%d Parse errors", r.errs)
	}
	if got := strings.Join(r.tools(), ","); got !=
		"shell,web_search,web_search,apply_patch,exec_command,shell_command,update_plan,image_generation" {
		t.Errorf("tools = %s", got)
	}
	exit := func(ev reel.Event) int {
		if ev.ExitCode == nil {
			return -1
		}
		return *ev.ExitCode
	}
	tests := []struct {
		name, kind, text, tool, callID string
		exit                           int
		dur                            time.Duration
		isErr                          bool
	}{
		{"LocalShellCall", reel.KindToolCall, "make lint", "shell", "call_ls", -1, 0, false},
		{"StructuredOutput", reel.KindToolResult, "lint: 2 problems", "shell", "call_ls", 1, 3250 * time.Millisecond, true},
		{"WebSearchQuery", reel.KindToolCall, "golang sql.ErrNoRows wrap", "web_search", "ws_1", -1, 0, false},
		{"WebSearchOpenPage", reel.KindToolCall, "https://pkg.go.dev/database/sql", "web_search", "ws_2", -1, 0, false},
		{"CustomToolCall", reel.KindToolCall, "*** Update File: db/user.go", "apply_patch", "call_patch", -1, 0, false},
		{"CustomToolOutput", reel.KindToolResult, "Updated the following files", "apply_patch", "call_patch", 0, 0, false},
		{"ExecEndLendsExit", reel.KindToolResult, "--- FAIL: TestFind", "exec_command", "call_test", 2, 1500 * time.Millisecond, true},
		{"TextHeader", reel.KindToolResult, "Output:\n M db/user.go", "shell_command", "call_git", 0, 400 * time.Millisecond, false},
		{"UpdatePlan", reel.KindToolCall, "Fix error wrapping\n- [completed] Wrap errors\n- [in_progress] Run tests", "update_plan", "call_plan", -1, 0, false},
		{"UserShellCommand", reel.KindCommand, "ls -la", "", "user_1", -1, 0, false},
		{"UserShellOutput", reel.KindOutput, "total 8", "", "user_1", 0, 20 * time.Millisecond, false},
		{"ImageGeneration", reel.KindToolCall, "A diagram of the user table", "image_generation", "ig_1", -1, 0, false},
	}
	for _, tt := range tests {
		t.Run("OK"+tt.name, func(t *testing.T) {
			ev, ok := r.find(tt.kind, tt.text)
			if !ok {
				t.Fatalf("no %s event with %q", tt.kind, tt.text)
			}
			if ev.Tool != tt.tool || ev.CallID != tt.callID || exit(ev) != tt.exit || ev.Duration != tt.dur || ev.IsError != tt.isErr {
				t.Errorf("got tool %q call %q exit %d dur %v err %v, want %q %q %d %v %v",
					ev.Tool, ev.CallID, exit(ev), ev.Duration, ev.IsError, tt.tool, tt.callID, tt.exit, tt.dur, tt.isErr)
			}
		})
	}
	t.Run("OKInputs", func(t *testing.T) {
		shell, _ := r.find(reel.KindToolCall, "make lint")
		var action struct{ Command []string }
		if err := json.Unmarshal(shell.Input, &action); err != nil || len(action.Command) != 3 {
			t.Errorf("local_shell_call Input = %s", shell.Input)
		}
		patch, _ := r.find(reel.KindToolCall, "*** Begin Patch")
		var input string
		if err := json.Unmarshal(patch.Input, &input); err != nil || !strings.HasPrefix(input, "*** Begin Patch") {
			t.Errorf("custom_tool_call Input = %s", patch.Input)
		}
	})
	t.Run("OKImagesNotIndexed", func(t *testing.T) {
		for _, ev := range r.events {
			if strings.Contains(ev.Text, "base64") || strings.Contains(ev.Text, "iVBORw0KGgo") {
				t.Errorf("%s event at line %d indexes image data", ev.Kind, ev.RawIndex+1)
			}
		}
		if n := r.hits("What is in this screenshot?"); n != 1 {
			t.Errorf("prompt with an image found in %d events, want 1", n)
		}
	})
}

func TestCodexParser_Unknown(t *testing.T) {
	r := codexParseFile(t, codexTestdata(t, "unknown"))
	if r.errs != 0 {
		t.Fatalf("%d Parse errors", r.errs)
	}
	tests := []struct {
		line              int
		typ, reason, text string
	}{
		{3, "response_item/hologram_call", `unknown response_item type "hologram_call"`, "A rotating teapot"},
		{4, "thread_snapshot", `unknown record type "thread_snapshot"`, "snapshot taken before rendering"},
		{5, "event_msg/quantum_notice", `unknown event_msg type "quantum_notice"`, "entangled teapot detected"},
		{6, "", "not a JSON object", "a bare JSON string"},
	}
	for _, tt := range tests {
		rec := r.records[tt.line-1]
		if rec.Status != reel.RecordUnknown || rec.Type != tt.typ || rec.Reason != tt.reason {
			t.Errorf("line %d: %s %q %q, want unknown %q %q", tt.line, rec.Status, rec.Type, rec.Reason, tt.typ, tt.reason)
		}
		ev, ok := r.find(reel.KindOther, tt.text)
		if !ok || ev.RawIndex != int64(tt.line-1) {
			t.Errorf("line %d: no other event with %q", tt.line, tt.text)
		}
	}
	if r.hits("SECRETHOLOGRAM") != 0 {
		t.Error("encrypted content was indexed")
	}
	codexWantKinds(t, r.kinds(), map[string]int{reel.KindMessage: 2, reel.KindOther: 4})
}

func TestCodexParser_Mirror(t *testing.T) {
	r := codexParseFile(t, codexTestdata(t, "mirror"))
	codexWantKinds(t, r.kinds(), map[string]int{reel.KindSystem: 3, reel.KindMessage: 2, reel.KindReasoning: 3})
	for _, text := range []string{"Summarise the design doc", "Reading the doc", "Drafting the summary",
		"Checking sections", "Section 3 covers storage.", "write-ahead log"} {
		if n := r.hits(text); n != 1 {
			t.Errorf("%q found in %d events, want 1", text, n)
		}
	}
	if r.session.Title != "Summarise the design doc" {
		t.Errorf("Title = %q: injected context is not a title", r.session.Title)
	}
	dev, _ := r.find(reel.KindSystem, "Approvals are off.")
	if dev.Role != reel.RoleSystem {
		t.Errorf("developer message role = %q", dev.Role)
	}
	// The old flat token_count is one turn's usage.
	if want := (reel.Tokens{Input: 60, CacheRead: 40, Output: 15, Reasoning: 5}); r.session.Tokens != want {
		t.Errorf("Tokens = %+v, want %+v", r.session.Tokens, want)
	}
}

func TestCodexParser_Legacy(t *testing.T) {
	r := codexParseFile(t, codexTestdata(t, "legacy"))
	if r.errs != 0 || r.statuses()[reel.RecordOK] != len(r.records) {
		t.Fatalf("errors %d, statuses %v", r.errs, r.statuses())
	}
	s := r.session
	if s.NativeID != "5973b6c0-94b8-487b-a530-2aeb6098ae0e" || s.GitBranch != "main" || s.Title != "fix the flaky login test" {
		t.Errorf("session = %+v", s)
	}
	codexWantKinds(t, r.kinds(), map[string]int{reel.KindSystem: 3, reel.KindMessage: 2, reel.KindReasoning: 1,
		reel.KindToolCall: 1, reel.KindToolResult: 1})
	if ev, _ := r.find(reel.KindSystem, "Always run the tests"); ev.RawIndex != 0 {
		t.Errorf("instructions event from line %d, want 1", ev.RawIndex+1)
	}
	call, _ := r.find(reel.KindToolCall, "")
	res, _ := r.find(reel.KindToolResult, "")
	if call.Text != "go test ./auth/..." || res.Tool != "shell" || res.ExitCode == nil || *res.ExitCode != 1 ||
		!res.IsError || res.Duration != 2500*time.Millisecond || !strings.HasPrefix(res.Text, "--- FAIL") {
		t.Errorf("call %+v, result %+v", call, res)
	}
	want := time.Date(2025, 5, 7, 17, 24, 21, 123e6, time.UTC)
	for _, ev := range r.events {
		if !ev.Time.Equal(want) {
			t.Errorf("%s event time = %v, want the meta's %v", ev.Kind, ev.Time, want)
		}
	}
	if got := r.records[1].Type; got != "state" {
		t.Errorf("state line type = %q", got)
	}
}

func TestCodexParser_Parse(t *testing.T) {
	t.Run("OKLineEndings", func(t *testing.T) {
		data, err := os.ReadFile(codexTestdata(t, "tools"))
		if err != nil {
			t.Fatal(err)
		}
		lf := codexParseLines(t, reel.SourceFile{}, codexLines(data))
		crlf := codexLines(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
		last := crlf[len(crlf)-1]
		crlf[len(crlf)-1] = bytes.TrimSuffix(last, []byte("\r\n")) // the last line may lack one
		got := codexParseLines(t, reel.SourceFile{}, crlf)
		if codexJSON(t, got.events) != codexJSON(t, lf.events) {
			t.Error("CRLF lines parse differently from LF lines")
		}
	})
	t.Run("OKInvalidUTF8", func(t *testing.T) {
		p, _ := NewCodex().NewParser(reel.SourceFile{}, nil)
		rec := reel.RawRecord{Data: []byte("{\"type\":\"response_item\",\"payload\":{\"type\":\"message\",\"role\":\"user\",\"content\":\"caf\xe9 au lait\"}}\n")}
		evs, err := p.Parse(&rec)
		if err != nil || len(evs) != 1 || !strings.Contains(evs[0].Text, "au lait") {
			t.Errorf("Parse = %v, %v", evs, err)
		}
	})
	for name, line := range map[string]string{
		"ErrTornLine": `{"timestamp":"2025-11-03T10:00:00Z","type":"response_item","payload":{"type":"mess`,
		"ErrNotJSON":  "hello world\n",
		"ErrEmpty":    "\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			p, _ := NewCodex().NewParser(reel.SourceFile{}, nil)
			rec := reel.RawRecord{Data: []byte(line)}
			if evs, err := p.Parse(&rec); err == nil || evs != nil {
				t.Errorf("Parse(%q) = %v, %v; want an error", line, evs, err)
			}
		})
	}
}

// TestCodexParser_State parses every file in two halves, with a
// State/NewParser round trip between them, at every cut, and wants what a
// single parse gives.
func TestCodexParser_State(t *testing.T) {
	own, _ := filepath.Glob(filepath.Join("testdata", "codex", "*", "rollout-*.jsonl"))
	for _, path := range own {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) { codexCheckHalves(t, path) })
	}
	t.Run("OKFixtures", func(t *testing.T) {
		fx := testenv.FixturesDir(t)
		paths, _ := filepath.Glob(filepath.Join(fx, "git-ai", "tests", "fixtures", "codex-session-*.jsonl"))
		more, _ := filepath.Glob(filepath.Join(fx, "agentsview", "internal", "parser", "testdata", "codex", "*.jsonl"))
		paths = append(paths, more...)
		paths = append(paths, filepath.Join(fx, "agentsview", "internal", "parser", "testdata", "traex", "rollout_subagent.jsonl"))
		for _, path := range paths {
			t.Run(filepath.Base(path), func(t *testing.T) { codexCheckHalves(t, path) })
		}
	})
	t.Run("ErrCorrupt", func(t *testing.T) {
		for _, state := range []string{"{", `{"v":999}`} {
			if _, err := NewCodex().NewParser(reel.SourceFile{}, []byte(state)); reel.ErrorCode(err) != reel.ECORRUPT {
				t.Errorf("NewParser(state %s) = %v, want %s", state, err, reel.ECORRUPT)
			}
		}
	})
}

func codexCheckHalves(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := codexLines(data)
	f := reel.SourceFile{Path: path, Source: reel.SourceCodex, NativeID: codexPathNativeID(path)}
	whole := codexParseLines(t, f, lines)
	for cut := 1; cut < len(lines); cut++ {
		first, err := NewCodex().NewParser(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		var halves codexRun
		codexFeed(t, first, lines, 0, cut, &halves)
		state, err := first.State()
		if err != nil {
			t.Fatal(err)
		}
		second, err := NewCodex().NewParser(f, state)
		if err != nil {
			t.Fatal(err)
		}
		codexFeed(t, second, lines, cut, len(lines), &halves)
		halves.session = second.Session()
		if codexJSON(t, halves.events) != codexJSON(t, whole.events) ||
			codexJSON(t, halves.records) != codexJSON(t, whole.records) ||
			codexJSON(t, halves.session) != codexJSON(t, whole.session) {
			t.Fatalf("cut after line %d: resumed parse differs from the whole parse", cut)
		}
	}
}

func codexJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func FuzzCodexParse(f *testing.F) {
	own, _ := filepath.Glob(filepath.Join("testdata", "codex", "*", "rollout-*.jsonl"))
	for _, path := range own {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range codexLines(data) {
			f.Add(line)
		}
	}
	f.Add([]byte(`{"type":"session_meta","payload":{"id":"019a4e33-a9c0-7000-8000-0000000000b2"}}` + "\n" +
		`{"type":"session_meta","payload":{"id":"x"}}` + "\n" + `{"type":"turn_context","payload":{"turn_id":"019a4e33-ada8-7zzz"}}`))
	f.Add([]byte(`{"payload":{"type":"function_call_output","output":"{\"output\":1,\"metadata\":{\"exit_code\":1e300}}"},"type":"response_item"}`))
	f.Add([]byte(`[{"a":[{"b":{}}]},"x",null,{"encrypted_content":{"k":[1,2]}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := NewCodex().NewParser(reel.SourceFile{Path: "rollout-x.jsonl"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range codexLines(data) {
			rec := reel.RawRecord{Index: int64(i), Data: line}
			evs, err := p.Parse(&rec)
			if err != nil && evs != nil {
				t.Fatalf("Parse returned events with an error")
			}
			if rec.Status == "" {
				t.Fatalf("line %d: no status", i)
			}
			state, err := p.State()
			if err != nil {
				t.Fatal(err)
			}
			if p, err = NewCodex().NewParser(reel.SourceFile{}, state); err != nil {
				t.Fatalf("state does not restore: %v", err)
			}
		}
		_ = p.Session()
	})
}

func TestCodexParser_Title(t *testing.T) {
	long := strings.Repeat("é", 150)
	tests := []struct {
		name    string
		prompts []string
		want    string
	}{
		{"OKFirstLine", []string{"  \n\nFix the build\nit fails on CI"}, "Fix the build"},
		{"OKSkipsContext", []string{
			"# AGENTS.md instructions for /src/app\n\n<INSTRUCTIONS>\nUse tabs.\n</INSTRUCTIONS>",
			"<user_instructions>\nBe brief.\n</user_instructions>",
			"<environment_context>\n  <cwd>/src/app</cwd>\n</environment_context>",
			"Rename the package",
		}, "Rename the package"},
		{"OKOldRequestHeading", []string{"<user_instructions>x</user_instructions>\n\n## My request for Codex:\nAdd a flag"}, "Add a flag"},
		{"OKTagInsideText", []string{"<b>bold</b> is not a context block"}, "<b>bold</b> is not a context block"},
		{"OKLong", []string{long}, strings.Repeat("é", 99) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := NewCodex().NewParser(reel.SourceFile{}, nil)
			for i, prompt := range tt.prompts {
				line, _ := json.Marshal(map[string]any{"type": "event_msg", "payload": map[string]any{"type": "user_message", "message": prompt}})
				if _, err := p.Parse(&reel.RawRecord{Index: int64(i), Data: line}); err != nil {
					t.Fatal(err)
				}
			}
			if got := p.Session().Title; got != tt.want {
				t.Errorf("Title = %q, want %q", got, tt.want)
			}
		})
	}
}

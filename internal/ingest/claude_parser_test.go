package ingest

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// claudeCase returns the path of a testdata/claude case file.
func claudeCase(name string) string {
	return filepath.Join("testdata", "claude", name, "session.jsonl")
}

// claudeKindRole is an event's kind and role, for comparing sequences.
type claudeKindRole struct{ kind, role string }

func (r *claudeRun) kindRoles() []claudeKindRole {
	out := make([]claudeKindRole, len(r.events))
	for i, e := range r.events {
		out[i] = claudeKindRole{e.Kind, e.Role}
	}
	return out
}

func claudeTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestClaudeParser_Parse(t *testing.T) {
	const (
		msg, sys, sum = reel.KindMessage, reel.KindSystem, reel.KindSummary
		call, result  = reel.KindToolCall, reel.KindToolResult
		user, asst    = reel.RoleUser, reel.RoleAssistant
		system        = reel.RoleSystem
	)

	t.Run("OKCompaction", func(t *testing.T) {
		run := claudeParse(t, claudeFile(claudeCase("compact")))
		if len(run.errs) != 0 || len(run.statuses()) != 0 {
			t.Fatalf("errors %v, statuses %v; want every record OK", run.errs, run.statuses())
		}
		want := []claudeKindRole{
			{sys, system}, // queue-operation
			{sys, user},   // isMeta caveat
			{msg, user},   // /model command
			{sys, user},   // its local output
			{msg, user},   // the first prompt
			{msg, asst}, {call, asst}, {result, user},
			{sum, system}, // compact_boundary
			{sum, user},   // isCompactSummary
			{call, asst}, {result, user},
		}
		if got := run.kindRoles(); !reflect.DeepEqual(got, want) {
			t.Fatalf("events\n%v\nwant\n%v", got, want)
		}
		if got := run.records[len(run.records)-1].Type; got != "system" {
			t.Errorf("turn_duration record type = %q, want system", got)
		}
		if got := run.events[0].Text; got != "and make sure it works on mobile" {
			t.Errorf("queued prompt text = %q", got)
		}
		boundary := run.events[8]
		if boundary.Text != "Conversation compacted (trigger manual, 155025 tokens before)" || boundary.NativeID != "c1" {
			t.Errorf("boundary = %q (native id %q)", boundary.Text, boundary.NativeID)
		}
		if !strings.HasPrefix(run.events[9].Text, "This session is being continued") {
			t.Errorf("compact summary text = %q", run.events[9].Text)
		}
		bash := run.events[6]
		if bash.Tool != "Bash" || bash.CallID != "toolu_A1" || bash.MessageID != "msg_A" {
			t.Errorf("Bash call = %+v", bash)
		}
		if want := "npm test -- cart\ndescription: Run the cart tests\ntimeout: 120000"; bash.Text != want {
			t.Errorf("Bash call text = %q, want %q", bash.Text, want)
		}
		var input map[string]any
		if err := json.Unmarshal(bash.Input, &input); err != nil || input["command"] != "npm test -- cart" {
			t.Errorf("Bash input = %s (%v)", bash.Input, err)
		}
		ok := run.events[7]
		if ok.CallID != "toolu_A1" || ok.IsError || ok.Text != "PASS cart.test.ts\nnpm warn deprecated glob@7" {
			t.Errorf("Bash result = %+v; want stdout once, then stderr", ok)
		}
		failed := run.events[11]
		if !failed.IsError || failed.ExitCode == nil || *failed.ExitCode != 2 {
			t.Errorf("failed result: is_error %v, exit code %v; want true, 2", failed.IsError, failed.ExitCode)
		}
		if failed.Text != "Exit code 2\nsrc/cart.tsx:12 missing semicolon" {
			t.Errorf("failed result text = %q", failed.Text)
		}
		wantSession := reel.Session{
			Source:    reel.SourceClaudeCode,
			NativeID:  "session",
			Title:     "Add a checkout button to the cart page",
			Project:   "/home/dev/shop",
			GitBranch: "feature/cart",
			Model:     "claude-opus-4-5",
			Version:   "2.1.3",
			StartedAt: claudeTime(t, "2026-03-01T09:00:00Z"),
			EndedAt:   claudeTime(t, "2026-03-01T10:00:10Z"),
			Tokens:    reel.Tokens{Input: 10, Output: 60, CacheRead: 1000, CacheCreation: 50},
		}
		if !reflect.DeepEqual(run.session, wantSession) {
			t.Errorf("Session() =\n%+v\nwant\n%+v", run.session, wantSession)
		}
		if got := run.tokens(); got != wantSession.Tokens {
			t.Errorf("event tokens sum to %+v, session says %+v", got, wantSession.Tokens)
		}
	})

	t.Run("OKStreamed", func(t *testing.T) {
		run := claudeParse(t, claudeFile(claudeCase("streamed")))
		if want := map[int64]string{6: reel.RecordDuplicate}; !reflect.DeepEqual(run.statuses(), want) {
			t.Fatalf("statuses %v, want %v", run.statuses(), want)
		}
		if len(run.errs) != 0 {
			t.Fatalf("Parse errors: %v", run.errs)
		}
		want := []claudeKindRole{
			{msg, user}, {reel.KindReasoning, asst}, {call, asst}, {result, user},
			{call, asst}, {result, user}, {msg, asst},
		}
		if got := run.kindRoles(); !reflect.DeepEqual(got, want) {
			t.Fatalf("events\n%v\nwant\n%v", got, want)
		}
		wantTokens := []reel.Tokens{
			1: {Input: 10, Output: 3, CacheRead: 2000, CacheCreation: 300},
			2: {Output: 57},
			4: {Output: 35},
			6: {Input: 4, Output: 15, CacheRead: 2400},
		}
		for i, e := range run.events {
			var w reel.Tokens
			if i < len(wantTokens) {
				w = wantTokens[i]
			}
			if e.Tokens != w {
				t.Errorf("event %d (%s) tokens %+v, want %+v", i, e.Kind, e.Tokens, w)
			}
			if strings.ContainsAny(e.Text, "\r") || strings.Contains(e.Text, "RXFvQ2tZ") {
				t.Errorf("event %d text %q holds a line end or the signature", i, e.Text)
			}
		}
		for _, i := range []int{1, 2, 4} {
			if got := run.events[i].MessageID; got != "msg_S" {
				t.Errorf("event %d message id %q, want msg_S", i, got)
			}
		}
		if got, want := run.session.Tokens, (reel.Tokens{Input: 14, Output: 110, CacheRead: 4400, CacheCreation: 300}); got != want {
			t.Errorf("session tokens %+v, want %+v", got, want)
		}
		if got := run.events[5].Text; got != `url = "postgres://localhost/shop"` {
			t.Errorf("block result text = %q", got)
		}
	})

	t.Run("OKImages", func(t *testing.T) {
		run := claudeParse(t, claudeFile(claudeCase("image")))
		if len(run.errs) != 0 || len(run.statuses()) != 0 {
			t.Fatalf("errors %v, statuses %v", run.errs, run.statuses())
		}
		for i, e := range run.events {
			if strings.Contains(e.Text, "iVBORw0KGgo") {
				t.Errorf("event %d indexes base64: %.80q", i, e.Text)
			}
		}
		img := run.events[0]
		if img.Kind != msg || img.Role != user || img.Text != "[image image/png]" {
			t.Errorf("image block = %s/%s %q", img.Kind, img.Role, img.Text)
		}
		res := run.find(t, "the Read result", func(e reel.Event) bool { return e.Kind == result })
		if res.Text != "[image image/png]" || res.CallID != "toolu_I1" {
			t.Errorf("image result = %q (call %q)", res.Text, res.CallID)
		}
		red := run.find(t, "redacted thinking", func(e reel.Event) bool { return e.Kind == reel.KindReasoning })
		if red.Text != "[redacted thinking]" {
			t.Errorf("redacted thinking text = %q", red.Text)
		}
		if got := run.session.Title; got != "Why is the checkout button misaligned in this screenshot?" {
			t.Errorf("title = %q", got)
		}
	})

	t.Run("OKUnknown", func(t *testing.T) {
		run := claudeParse(t, claudeFile(claudeCase("unknown")))
		want := map[int64]string{1: reel.RecordUnknown, 4: reel.RecordUnknown}
		if !reflect.DeepEqual(run.statuses(), want) || len(run.errs) != 0 {
			t.Fatalf("statuses %v, errors %v; want %v", run.statuses(), run.errs, want)
		}
		if r := run.records[1]; r.Type != "session-insight" || !strings.Contains(r.Reason, "session-insight") {
			t.Errorf("unknown record: type %q, reason %q", r.Type, r.Reason)
		}
		if r := run.records[4]; r.Type != "future-marker" || r.Reason == "" {
			t.Errorf("unknown record without text: type %q, reason %q", r.Type, r.Reason)
		}
		insight := run.events[1]
		if insight.Kind != reel.KindOther || insight.Text != "Payment tests depend on the local timezone" || insight.NativeID != "k-x1" {
			t.Errorf("unknown record event = %s %q (native id %q)", insight.Kind, insight.Text, insight.NativeID)
		}
		block := run.events[2]
		if block.Kind != reel.KindOther || block.Text != "TZ is unset on the CI runners\nhttps://ci.example.com/runners" || block.MessageID != "msg_K" {
			t.Errorf("unknown block event = %s %q (message %q)", block.Kind, block.Text, block.MessageID)
		}
		if got := run.events[3]; got.Kind != msg || !got.Tokens.IsZero() {
			t.Errorf("text after the unknown block = %+v; want a message without tokens", got)
		}
		if got, want := run.events[2].Tokens, (reel.Tokens{Input: 40, Output: 22}); got != want {
			t.Errorf("first event of the response carries %+v, want its usage %+v", got, want)
		}
		name := run.events[4]
		if name.Kind != sys || name.Text != "timezone detective" {
			t.Errorf("agent-name event = %s %q", name.Kind, name.Text)
		}
		if want := claudeTime(t, "2026-03-04T07:01:00Z"); !name.Time.Equal(want) {
			t.Errorf("record without timestamp at %v, want the previous record's %v", name.Time, want)
		}
		if len(run.events) != 5 {
			t.Errorf("%d events, want 5", len(run.events))
		}
	})

	t.Run("OKInvalidUTF8", func(t *testing.T) {
		run := claudeParse(t, claudeFile(claudeCase("badutf8")))
		if len(run.errs) != 0 || len(run.statuses()) != 0 {
			t.Fatalf("errors %v, statuses %v", run.errs, run.statuses())
		}
		if len(run.events) != 2 {
			t.Fatalf("%d events, want 2", len(run.events))
		}
		if got, want := run.events[0].Text, "fix the caf\uFFFD menu \uFFFD\uFFFD encoding"; got != want {
			t.Errorf("text = %q, want %q", got, want)
		}
		grep := run.events[1]
		if !utf8.Valid(grep.Input) || !json.Valid(grep.Input) || !strings.Contains(string(grep.Input), "caf\uFFFD") {
			t.Errorf("input = %q; want valid UTF-8 JSON with U+FFFD", grep.Input)
		}
		if grep.Text != "caf\uFFFD\npath: src" { // the pattern first
			t.Errorf("input text = %q", grep.Text)
		}
		if !utf8.ValidString(run.session.Title) {
			t.Errorf("title %q is not UTF-8", run.session.Title)
		}
	})

	t.Run("OKNotObjects", func(t *testing.T) {
		run := claudeParse(t, claudeFile(claudeCase("notobject")))
		if len(run.errs) != 0 {
			t.Fatalf("Parse errors: %v", run.errs)
		}
		wantReasons := []string{
			"not a JSON object", "not a JSON object", "not a JSON object", "not a JSON object",
			"not a JSON object", "record has no type", "record has no type", "",
		}
		for i, r := range run.records {
			wantStatus := reel.RecordUnknown
			if wantReasons[i] == "" {
				wantStatus = reel.RecordOK
			}
			if r.Status != wantStatus || r.Reason != wantReasons[i] {
				t.Errorf("line %d: %s %q, want %s %q", i, r.Status, r.Reason, wantStatus, wantReasons[i])
			}
		}
		var texts []string
		for _, e := range run.events {
			texts = append(texts, e.Kind+": "+e.Text)
		}
		want := []string{
			"other: a bare string from a broken writer", "other: two", "other: no type here", "message: Still here",
		}
		if !reflect.DeepEqual(texts, want) {
			t.Errorf("events %q, want %q", texts, want)
		}
	})
}

func TestClaudeParser_ParseLine(t *testing.T) {
	const prompt = `{"type":"user","uuid":"u1","timestamp":"2026-01-02T03:04:05Z","message":{"role":"user","content":"hi"}}`
	tests := []struct {
		name string
		line string
		// err is a substring of the wanted error; "" wants none.
		err string
	}{
		{"OKLF", prompt + "\n", ""},
		{"OKCRLF", prompt + "\r\n", ""},
		{"OKNoTerminator", prompt, ""},
		{"OKByteOrderMark", "\xef\xbb\xbf" + prompt + "\n", ""},
		{"OKBlanksAround", "  " + prompt + " \t\n", ""},
		{"ErrTruncated", `{"type":"user","message":{"content":"mo` + "\n", "invalid JSON: unexpected end of JSON input"},
		{"ErrEmpty", "\n", "invalid JSON: empty line"},
		{"ErrBlank", " \r\n", "invalid JSON: empty line"},
		{"ErrText", "hello there\n", "invalid JSON"},
		{"ErrTrailingGarbage", prompt + "}\n", "invalid JSON"},
		{"ErrTwoValues", "1 2\n", "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewClaude().NewParser(reel.SourceFile{NativeID: "s"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			rec := reel.RawRecord{Index: 7, Data: []byte(tt.line)}
			events, err := p.Parse(&rec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse error = %v, want %q", err, tt.err)
				}
				if reel.ErrorCode(err) != reel.EINVALID || len(events) != 0 {
					t.Errorf("error code %q with %d events; want %q and none", reel.ErrorCode(err), len(events), reel.EINVALID)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if rec.Type != "user" || rec.Status != reel.RecordOK {
				t.Errorf("record %q %q, want user ok", rec.Type, rec.Status)
			}
			want := []reel.Event{{
				Time: claudeTime(t, "2026-01-02T03:04:05Z"), Kind: reel.KindMessage, Role: reel.RoleUser,
				Text: "hi", NativeID: "u1", RawIndex: 7,
			}}
			if !reflect.DeepEqual(events, want) {
				t.Errorf("events\n%+v\nwant\n%+v", events, want)
			}
		})
	}
}

func TestClaudeParser_Subagents(t *testing.T) {
	root := filepath.Join("testdata", "claude", "projects")
	files, err := claudeDiscover(t, root)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	const main = "5f0c2a8e-3b1d-4c6e-9a7f-1d2e3f4a5b6c"
	parent := reel.SessionID(reel.SourceClaudeCode, main)
	want := []struct {
		id, parentNative, parentID, title, model string
	}{
		{main, "", "", "Find where checkout is handled and add logging", "claude-opus-4-5"},
		// The old layout: the parent is named only by the records' sessionId.
		{"agent-0a1b2c3d", "", parent, "List the payment providers", "claude-haiku-4-5"},
		{"agent-a7e3f9", main, parent, "Find checkout handlers", "claude-haiku-4-5"},
		// A broken sidecar is ignored: the task prompt titles the session.
		{"agent-b00b1e", main, parent, "Add a log line to each checkout handler", ""},
		// A sidecar with only the agent type names it.
		{"agent-c4fe", main, parent, "code-reviewer", ""},
	}
	if len(files) != len(want) {
		t.Fatalf("Discover found %d files, want %d: %v", len(files), len(want), files)
	}
	for i, w := range want {
		f := files[i]
		t.Run(w.id, func(t *testing.T) {
			if f.NativeID != w.id || f.ParentNativeID != w.parentNative {
				t.Fatalf("file %d = %s (parent %q), want %s (parent %q)", i, f.NativeID, f.ParentNativeID, w.id, w.parentNative)
			}
			run := claudeParse(t, f)
			s := run.session
			if s.NativeID != w.id || s.ParentID != w.parentID || s.Title != w.title || s.Model != w.model {
				t.Errorf("session %s: parent %q title %q model %q; want parent %q title %q model %q",
					s.NativeID, s.ParentID, s.Title, s.Model, w.parentID, w.title, w.model)
			}
			if s.Project != "/home/dev/shop" {
				t.Errorf("project %q, want the records' cwd", s.Project)
			}
		})
	}
}

// claudeRoundTripFiles are the files the state round trip runs over: the
// testdata cases, and the shared fixtures when present.
func claudeRoundTripFiles(t *testing.T) []reel.SourceFile {
	var files []reel.SourceFile
	cases, _ := filepath.Glob(filepath.Join("testdata", "claude", "*", "session.jsonl"))
	for _, c := range cases {
		files = append(files, claudeFile(c))
	}
	sub, err := claudeDiscover(t, filepath.Join("testdata", "claude", "projects"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, sub...)
	if dir := claudeFixturesIfPresent(t); dir != "" {
		for _, c := range claudeFixtureCases {
			files = append(files, c.file(dir))
		}
	}
	return files
}

func TestClaudeParser_State(t *testing.T) {
	for _, f := range claudeRoundTripFiles(t) {
		name := strings.TrimPrefix(f.Path, filepath.Dir(filepath.Dir(f.Path))+string(filepath.Separator))
		t.Run(name, func(t *testing.T) {
			whole := claudeParse(t, f)
			data := claudeRead(t, f.Path)
			lines := claudeLines(data)
			for cut := 0; cut <= len(lines); cut++ {
				first, err := NewClaude().NewParser(f, nil)
				if err != nil {
					t.Fatal(err)
				}
				run := &claudeRun{errs: map[int64]error{}}
				claudeFeed(t, first, lines, 0, cut, run)
				state, err := first.State()
				if err != nil {
					t.Fatalf("State after %d lines: %v", cut, err)
				}
				second, err := NewClaude().NewParser(f, state)
				if err != nil {
					t.Fatalf("NewParser with the state after %d lines: %v", cut, err)
				}
				if !reflect.DeepEqual(second.Session(), first.Session()) {
					t.Fatalf("cut %d: resumed session\n%+v\ndiffers from\n%+v", cut, second.Session(), first.Session())
				}
				claudeFeed(t, second, lines, cut, len(lines), run)
				run.session = second.Session()
				if run.state, err = second.State(); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(run.events, whole.events) {
					t.Fatalf("cut %d: events differ from one whole parse", cut)
				}
				if !reflect.DeepEqual(run.records, whole.records) || len(run.errs) != len(whole.errs) {
					t.Fatalf("cut %d: records differ from one whole parse", cut)
				}
				if !reflect.DeepEqual(run.session, whole.session) {
					t.Fatalf("cut %d: session\n%+v\nwant\n%+v", cut, run.session, whole.session)
				}
				if string(run.state) != string(whole.state) {
					t.Fatalf("cut %d: final state differs from one whole parse", cut)
				}
			}
		})
	}
}

func TestClaudeParser_ParseHugeLine(t *testing.T) {
	text := strings.Repeat("a long prompt line ", 1<<18) // ~5 MB
	tests := []struct {
		name, line string
		kind       string
		// size is the wanted text length; -1 wants at most the gather limit.
		size int
	}{
		{"OKMessage", `{"type":"user","message":{"role":"user","content":"` + text + `"}}`, reel.KindMessage, len(text)},
		{"OKUnknownBounded", `{"type":"mystery","notes":["` + text + `","more"]}`, reel.KindOther, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewClaude().NewParser(reel.SourceFile{NativeID: "s"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			events, err := p.Parse(&reel.RawRecord{Data: []byte(tt.line + "\n")})
			if err != nil || len(events) != 1 || events[0].Kind != tt.kind {
				t.Fatalf("Parse = %d events, %v; want one %s", len(events), err, tt.kind)
			}
			got := len(events[0].Text)
			if tt.size >= 0 && got != tt.size {
				t.Errorf("text is %d bytes, want %d", got, tt.size)
			}
			if tt.size < 0 && (got > claudeGatherLimit+len("…") || got < claudeGatherLimit/2) {
				t.Errorf("text is %d bytes, want about the %d-byte limit", got, claudeGatherLimit)
			}
			if title := p.Session().Title; utf8.RuneCountInString(title) > claudeTitleRunes+1 {
				t.Errorf("title is %d runes", utf8.RuneCountInString(title))
			}
		})
	}
}

func TestClaudeTitle(t *testing.T) {
	long := strings.Repeat("é", claudeTitleRunes+5)
	tests := []struct{ in, want string }{
		{"Fix the login bug", "Fix the login bug"},
		{"\n\n  Fix   the\tlogin bug  \nsecond line", "Fix the login bug"},
		{long, strings.Repeat("é", claudeTitleRunes) + "…"},
		{"修复登录错误\n细节", "修复登录错误"},
		{" \n\t\n", ""},
	}
	for _, tt := range tests {
		if got := claudeTitle(tt.in); got != tt.want {
			t.Errorf("claudeTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

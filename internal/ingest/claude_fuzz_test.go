package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// FuzzClaudeParse feeds arbitrary lines to the parser: it must never
// panic, fail only on lines that are not JSON, emit only UTF-8 text and
// valid JSON input, and always be able to save and resume its state.
func FuzzClaudeParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "claude", "*", "session.jsonl"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range claudeLines(data) {
			f.Add(line)
		}
	}
	for _, s := range []string{
		"", "\n", "\r\n", "{", "}", "null", `"x"`, "[]", "{}",
		`{"type":"user","message":{"content":[null,1,"s",{"type":"tool_result","content":[{"type":"image"}]}]}}`,
		`{"type":"assistant","message":{"id":"m","usage":{"output_tokens":-5,"input_tokens":1e30}}}`,
		`{"type":"system","subtype":"compact_boundary","compactMetadata":{"preTokens":"many"}}`,
		`{"type":"user","uuid":7,"timestamp":false,"message":{"role":["user"],"content":{"a":1}}}`,
		"{\"type\":\"user\",\"message\":{\"content\":\"\xff\xfe\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := reel.SourceFile{Path: "/nowhere/agent-x.jsonl", NativeID: "agent-x"}
		p, err := NewClaude().NewParser(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 { // twice: the second read of a line must not break either
			rec := reel.RawRecord{Index: int64(i), Data: data}
			events, err := p.Parse(&rec)
			if err != nil {
				if json.Valid(claudeTrimLine(data)) {
					t.Fatalf("Parse rejected valid JSON %q: %v", data, err)
				}
				if len(events) != 0 {
					t.Fatalf("Parse returned events with error %v", err)
				}
				continue
			}
			switch rec.Status {
			case reel.RecordOK, reel.RecordUnknown, reel.RecordDuplicate:
			default:
				t.Fatalf("status %q", rec.Status)
			}
			for _, e := range events {
				if !utf8.ValidString(e.Text) || !utf8.ValidString(e.Tool) || !utf8.ValidString(e.CallID) {
					t.Fatalf("event %+v holds invalid UTF-8", e)
				}
				if e.Input != nil && (!json.Valid(e.Input) || !utf8.Valid(e.Input)) {
					t.Fatalf("event input %q is not valid UTF-8 JSON", e.Input)
				}
			}
		}
		state, err := p.State()
		if err != nil {
			t.Fatalf("State: %v", err)
		}
		q, err := NewClaude().NewParser(file, state)
		if err != nil {
			t.Fatalf("NewParser(State()): %v", err)
		}
		if s := q.Session(); !utf8.ValidString(s.Title) || s.Title != p.Session().Title {
			t.Fatalf("resumed title %q, want %q", s.Title, p.Session().Title)
		}
	})
}

package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// FuzzDroidParse feeds arbitrary lines to the parser: it must never panic,
// fail only on lines that are not JSON, emit only UTF-8 text and valid
// JSON input, and always be able to save and resume its state.
func FuzzDroidParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "droid", "*", "*", "*.jsonl"))
	more, _ := filepath.Glob(filepath.Join("testdata", "droid", "*", "*.jsonl"))
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range splitLines(data) {
			f.Add(line)
		}
	}
	for _, s := range []string{
		"", "\n", "{", "null", `"x"`, "[]", "{}",
		`{"type":"message","message":{"role":"user","content":[null,1,"s",{"type":"tool_result","content":[{"type":"image"}]}]}}`,
		`{"type":"message","message":{"role":"assistant","usage":{"output_tokens":-5,"input_tokens":1e30},"content":[]}}`,
		`{"type":"session_start","title":7,"cwd":["/x"],"sessionTitle":null}`,
		`{"type":"todo_state","todos":{"todos":[{"content":"\ud800"}]}}`,
		"{\"type\":\"message\",\"message\":{\"role\":\"user\",\"content\":\"\xff\xfe\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := reel.SourceFile{Path: "/nowhere/s.jsonl", NativeID: "s", Layout: reel.LayoutLines}
		p, err := NewDroid().NewParser(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
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
			fuzzCheckEvents(t, rec, events)
		}
		state, err := p.State()
		if err != nil {
			t.Fatalf("State: %v", err)
		}
		q, err := NewDroid().NewParser(file, state)
		if err != nil {
			t.Fatalf("NewParser(State()): %v", err)
		}
		if q.Session().Title != p.Session().Title {
			t.Fatalf("resumed title %q, want %q", q.Session().Title, p.Session().Title)
		}
	})
}

// fuzzCheckEvents checks what must hold for any record a parser accepted.
func fuzzCheckEvents(t *testing.T, rec reel.RawRecord, events []reel.Event) {
	t.Helper()
	switch rec.Status {
	case reel.RecordOK, reel.RecordUnknown, reel.RecordDuplicate:
	default:
		t.Fatalf("status %q", rec.Status)
	}
	if !utf8.ValidString(rec.Type) {
		t.Fatalf("type %q is not UTF-8", rec.Type)
	}
	for _, e := range events {
		if e.Kind == "" {
			t.Fatalf("event without a kind: %+v", e)
		}
		if !utf8.ValidString(e.Text) || !utf8.ValidString(e.Tool) || !utf8.ValidString(e.CallID) || !utf8.ValidString(e.Model) {
			t.Fatalf("event %+v holds invalid UTF-8", e)
		}
		if e.Input != nil && (!json.Valid(e.Input) || !utf8.Valid(e.Input)) {
			t.Fatalf("event input %q is not valid UTF-8 JSON", e.Input)
		}
	}
}

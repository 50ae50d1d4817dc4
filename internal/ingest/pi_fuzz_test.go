package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// FuzzPiParse feeds arbitrary lines to the parser: it must never panic,
// fail only on lines that are not JSON, emit only UTF-8 text and valid
// JSON input, and always be able to save and resume its state.
func FuzzPiParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "pi", "*", "session.jsonl"))
	more, _ := filepath.Glob(filepath.Join("testdata", "pi", "sessions", "*", "*.jsonl"))
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
		"", "{", "null", `"x"`, "[]", "{}", `{"type":7}`, `{"type":"message","message":[]}`,
		`{"type":"session","id":"s","timestamp":"2026-01-01T00:00:00Z","parentSession":"/a/b_c.jsonl"}`,
		`{"type":"message","message":{"role":"assistant","content":[null,1,{"type":"toolCall","arguments":"x"}],"usage":{"input":-3,"output":1e40}}}`,
		`{"type":"message","message":{"role":"bashExecution","exitCode":1e300,"cancelled":true}}`,
		"{\"type\":\"message\",\"message\":{\"role\":\"user\",\"content\":\"\xff\xfe\"}}",
		"{\"type\":\"message\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"toolCall\",\"arguments\":{\"\":[{\"\":\"0\x86\"}]}}]}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := reel.SourceFile{Path: "/nowhere/--x--/2026_x.jsonl", NativeID: "x"}
		p, err := NewPi().NewParser(file, nil)
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
		q, err := NewPi().NewParser(file, state)
		if err != nil {
			t.Fatalf("NewParser(State()): %v", err)
		}
		if got, want := q.Session(), p.Session(); got != want {
			t.Fatalf("resumed session %+v, want %+v", got, want)
		}
	})
}

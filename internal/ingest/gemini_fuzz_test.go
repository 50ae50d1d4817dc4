package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// FuzzGeminiParse feeds arbitrary records to the parser, as lines and as
// documents: it must never panic, fail only on records that are not JSON,
// emit only UTF-8 text and valid JSON input, rewind only to events that
// exist, and always be able to save and resume its state.
func FuzzGeminiParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "gemini", "*", "session.jsonl"))
	more, _ := filepath.Glob(filepath.Join("testdata", "gemini", "tree", "*", "chats", "*"))
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			continue
		}
		for _, line := range splitLines(data) {
			f.Add(line)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "{", "null", `"x"`, "[]", "{}", `{"$rewindTo":7}`, `{"$set":[1]}`, `{"$set":{"messages":[{"id":"a","type":"user","content":"hi"},7]}}`,
		`{"id":"a","type":"gemini","toolCalls":[null,1,{"id":2,"args":"x","result":{"functionResponse":{"response":[1]}}}],"tokens":{"input":-5,"cached":1e30}}`,
		`{"id":"a","type":"user","content":[null,{"thought":true,"text":"t"},{"inlineData":{"mimeType":"image/png"}},"s"]}`,
		"{\"id\":\"a\",\"type\":\"user\",\"content\":\"\xff\xfe\"}",
		"{\"id\":\"a\",\"type\":\"gemini\",\"toolCalls\":[{\"args\":{\"\":[{\"\":\"0\x86\"}]}}]}",
		`{"sessionId":"s","messages":{"id":"a"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, layout := range []reel.Layout{reel.LayoutLines, reel.LayoutDocument} {
			file := reel.SourceFile{Path: "/nowhere/chats/session-x.jsonl", NativeID: "session-x", Layout: layout}
			p, err := NewGemini().NewParser(file, nil)
			if err != nil {
				t.Fatal(err)
			}
			events := int64(0)
			for i := range 3 { // repeats must not break it either
				rec := reel.RawRecord{Index: int64(i), Data: data}
				evs, err := p.Parse(&rec)
				if err != nil {
					if json.Valid(claudeTrimLine(data)) {
						t.Fatalf("Parse rejected valid JSON %q: %v", data, err)
					}
					if len(evs) != 0 {
						t.Fatalf("Parse returned events with error %v", err)
					}
					continue
				}
				switch rec.Status {
				case reel.RecordOK, reel.RecordUnknown, reel.RecordDuplicate:
				default:
					t.Fatalf("status %q", rec.Status)
				}
				if keep, ok := p.(reel.Rewinder).Rewound(); ok {
					if keep < 0 || keep > events {
						t.Fatalf("Rewound() = %d with %d events", keep, events)
					}
					events = keep
				}
				events += int64(len(evs))
				for _, e := range evs {
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
			q, err := NewGemini().NewParser(file, state)
			if err != nil {
				t.Fatalf("NewParser(State()): %v", err)
			}
			if got, want := q.Session(), p.Session(); got != want {
				t.Fatalf("resumed session %+v, want %+v", got, want)
			}
		}
	})
}

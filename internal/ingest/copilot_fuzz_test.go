package ingest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
)

// FuzzCopilotParse feeds arbitrary files to the parser, as lines (an
// event stream or a chat mutation log, whichever the first line says) and
// as a chat document: it must never panic, fail only on records that are
// not JSON, emit only UTF-8 text and valid JSON input, rewind only to
// events that stand, and always be able to save and resume its state.
func FuzzCopilotParse(f *testing.F) {
	var paths []string
	for _, pattern := range []string{"*/*/*.jsonl", "*/*/*/events.jsonl", "*/*/*/*/*/*/*.json*", "*/*/*/*/*/*.json"} {
		found, _ := filepath.Glob(filepath.Join("testdata", "copilot", pattern))
		paths = append(paths, found...)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "{", "null", "[]", "{}\n{}",
		`{"kind":0,"v":{"requests":[null,{"response":[{"kind":"thinking"}]}]}}` + "\n" + `{"kind":2,"k":["requests",1,"response"],"i":99,"v":[1]}`,
		`{"kind":0,"v":{"requests":[{"modelState":{"value":0}}]}}` + "\n" + `{"kind":1,"k":["requests",0],"v":null}` + "\n" + `{"kind":3,"k":["requests",0,"x","y"]}`,
		`{"kind":0,"v":[]}` + "\n" + `{"kind":2,"k":["requests"],"i":-4,"v":{"a":1}}`,
		`{"type":"user.message","id":"a","data":{"content":"x"}}` + "\n" + `{"type":"session.snapshot_rewind","data":{"upToEventId":"a"}}`,
		`{"type":"assistant.message","data":{"toolRequests":[{"arguments":"{\"a\":"},{"arguments":7}],"outputTokens":-3}}`,
		"{\"type\":\"user.message\",\"data\":{\"content\":\"\xff\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := reel.SourceFile{Path: "/nowhere/s.jsonl", NativeID: "s", Layout: reel.LayoutLines}
		p, err := NewCopilot().NewParser(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		var standing int64
		for i, line := range splitLines(data) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			rec := reel.RawRecord{Index: int64(i), Data: line}
			events, err := p.Parse(&rec)
			if err != nil {
				if json.Valid(claudeTrimLine(line)) {
					t.Fatalf("Parse rejected valid JSON %q: %v", line, err)
				}
				continue
			}
			fuzzCheckEvents(t, rec, events)
			if keep, ok := p.(reel.Rewinder).Rewound(); ok {
				if keep < 0 || keep > standing {
					t.Fatalf("line %d rewinds to %d, %d events stand", i, keep, standing)
				}
				standing = keep
			}
			standing += int64(len(events))
			state, err := p.State()
			if err != nil {
				t.Fatalf("State: %v", err)
			}
			if p, err = NewCopilot().NewParser(file, state); err != nil {
				t.Fatalf("NewParser(State()): %v", err)
			}
		}

		doc, err := NewCopilot().NewParser(reel.SourceFile{Path: "/nowhere/s.json", NativeID: "s", Layout: reel.LayoutDocument}, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := reel.RawRecord{Data: data}
		events, err := doc.Parse(&rec)
		if err != nil {
			if len(events) != 0 {
				t.Fatalf("Parse returned events with error %v", err)
			}
			return
		}
		fuzzCheckEvents(t, rec, events)
	})
}

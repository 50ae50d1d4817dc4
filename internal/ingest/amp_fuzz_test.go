package ingest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
)

// FuzzAmpParse feeds arbitrary documents to the parser: it must never
// panic, fail only on documents that are not JSON, and emit only UTF-8
// text and valid JSON input.
func FuzzAmpParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "amp", "*", "T-*.json"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "{", "null", "[]", "{}", `{"messages":null}`, `{"messages":[null,1,"x",[]]}`,
		`{"messages":[{"role":"assistant","content":[{"type":"tool_use","input":"\ud800"}],"usage":{"inputTokens":-1,"outputTokens":1e40}}]}`,
		`{"messages":[{"role":"user","content":[{"type":"tool_result","run":{"status":"error","result":{"exitCode":"x"},"error":7}}]}],"created":-5}`,
		`{"env":{"initial":{"trees":[{"uri":"file://%zz","repository":{"ref":5}}]}},"messages":[]}`,
		"{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\xff\"}]}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := NewAmp().NewParser(reel.SourceFile{Path: "/nowhere/T-x.json", NativeID: "T-x", Layout: reel.LayoutDocument}, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := reel.RawRecord{Data: data}
		events, err := p.Parse(&rec)
		if err != nil {
			if json.Valid(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) && len(bytes.TrimSpace(data)) > 0 {
				t.Fatalf("Parse rejected valid JSON %q: %v", data, err)
			}
			if len(events) != 0 {
				t.Fatalf("Parse returned events with error %v", err)
			}
			return
		}
		fuzzCheckEvents(t, rec, events)
	})
}

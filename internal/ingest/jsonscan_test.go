package ingest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/reel-sh/reel"
)

// jsonScanCases are valid JSON values whose decoding by the scanning
// helpers must match encoding/json's: escapes, invalid UTF-8, lone
// surrogates, keys that match a field only under case folding, repeated
// keys, and blanks around every delimiter.
var jsonScanCases = []string{
	`{"type":"user","uuid":"u1","message":{"role":"user","content":"hi"}}`,
	`{ "type" : "a" , "Type" : 1 , "TYPE" : [1, {"x": "}"}], "typ\u0065": null }`,
	`{"ſubtype":"long s","K":1,"cwd":"C:\\dir\\\"q\"","version":"\ud83d\ude00"}`,
	"{\"summary\":\"caf\xe9\",\"content\":\"\\ud800x\\udc00\\u00e9\\/\"}",
	`{"content":[1, "x", {"a": []}, [], {}, null, true]}`,
	`{}`,
}

func TestJSONScan_Decode(t *testing.T) {
	for _, raw := range jsonScanCases {
		t.Run("OK", func(t *testing.T) {
			data := []byte(raw)
			var want claudeLine
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			var got claudeLine
			got.decode(data)
			if !reflect.DeepEqual(jsonLineStrings(got), jsonLineStrings(want)) {
				t.Errorf("%s: claudeLine\ngot  %q\nwant %q", raw, jsonLineStrings(got), jsonLineStrings(want))
			}
			var wantObj map[string]json.RawMessage
			if err := json.Unmarshal(data, &wantObj); err != nil {
				t.Fatal(err)
			}
			gotObj := codexDecode(data)
			if len(gotObj) != len(wantObj) {
				t.Fatalf("%s: codexDecode has %d keys, want %d", raw, len(gotObj), len(wantObj))
			}
			for k, v := range wantObj {
				if string(gotObj[k]) != string(v) {
					t.Errorf("%s: key %q = %s, want %s", raw, k, gotObj[k], v)
				}
				if v[0] == '"' {
					var s string
					_ = json.Unmarshal(v, &s)
					if got := codexStr(gotObj[k]); got != s {
						t.Errorf("%s: string %q reads %q, want %q", raw, k, got, s)
					}
				}
				if v[0] == '[' {
					var want []json.RawMessage
					_ = json.Unmarshal(v, &want)
					got := jsonElems(v)
					if len(got) != len(want) {
						t.Fatalf("%s: %d elements, want %d", v, len(got), len(want))
					}
					for i := range want {
						if string(got[i]) != string(want[i]) {
							t.Errorf("%s: element %d = %s, want %s", v, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

func TestJSONScan_CollectText(t *testing.T) {
	// A blank after the colon of an opaque key once made the skip stop at
	// the colon and leak the value's neighbour.
	raw := []byte(`{"role": "assistant", "content": [{"type": "output_text", "text": "on it"}]}`)
	if got, want := codexCollectText(raw), "assistant\non it"; got != want {
		t.Errorf("codexCollectText = %q, want %q", got, want)
	}
	if got, want := claudeGatherText(raw, claudeGatherLimit), "on it"; got != want {
		t.Errorf("claudeGatherText = %q, want %q", got, want)
	}
}

// jsonLineStrings lists the fields of l as strings, for comparison.
func jsonLineStrings(l claudeLine) []string {
	var out []string
	for _, r := range []json.RawMessage{l.Type, l.Subtype, l.UUID, l.SessionID, l.Timestamp, l.Cwd, l.GitBranch,
		l.Version, l.IsMeta, l.IsSidechain, l.IsCompactSummary, l.Message, l.Summary, l.Content,
		l.ToolUseResult, l.CompactMetadata, l.CustomTitle} {
		out = append(out, string(r))
	}
	return out
}

// TestJSONScan_LineReuse checks that no event keeps a slice of the line it
// came from: the sync engine may reuse the line's buffer once Parse
// returns, and the scanning helpers hand out slices of it.
func TestJSONScan_LineReuse(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts in testdata: %v", err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range []reel.Importer{NewClaude(), NewCodex()} {
			f := reel.SourceFile{Path: path, Source: imp.Source(), NativeID: "reuse"}
			p, err := imp.NewParser(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range claudeLines(data) {
				buf := bytes.Clone(line)
				events, err := p.Parse(&reel.RawRecord{Index: int64(i), Data: buf})
				if err != nil {
					continue
				}
				want, _ := json.Marshal(events)
				for j := range buf {
					buf[j] = 'x'
				}
				if got, _ := json.Marshal(events); !bytes.Equal(got, want) {
					t.Errorf("%s line %d (%s): events changed when the line buffer was reused", path, i, imp.Source())
				}
			}
		}
	}
}

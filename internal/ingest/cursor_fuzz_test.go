package ingest

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// FuzzCursorParse feeds arbitrary records to both Cursor parsers, a
// transcript line and a cursorDiskKV row: they must never panic, fail only
// on records that are not JSON (or rows whose value is not), emit only
// UTF-8 text and valid JSON input, and always be able to save and resume.
func FuzzCursorParse(f *testing.F) {
	filepath.WalkDir(filepath.Join("testdata", "cursor"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".jsonl" {
			return nil
		}
		data, _ := os.ReadFile(path)
		for _, line := range splitLines(data) {
			f.Add(line, false)
		}
		return nil
	})
	if data, err := os.ReadFile(filepath.Join("testdata", "cursor", "vscdb", "rows.json")); err == nil {
		var rows []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		}
		json.Unmarshal(data, &rows)
		for _, r := range rows {
			row, _ := foreignRowJSON(cursorRowCols, foreignRow{r.Key, string(r.Value)})
			f.Add(row, true)
		}
	}
	for _, s := range []string{
		"", "{}", "null", "[]", "{",
		`{"role":"assistant","message":{"content":[{"type":"tool_result","content":7},{"type":"tool_use","input":"x"}]}}`,
		`{"role":"user","message":{"content":"<user_query></user_query><user_query>"}}`,
		`{"key":"bubbleId:c:b","value":"{\"type\":2,\"toolFormerData\":{\"name\":\"x\",\"status\":\"completed\",\"params\":[1],\"result\":{\"exitCode\":1e300}},\"tokenCount\":{\"inputTokens\":-1}}"}`,
		`{"key":"composerData:c","value":"{\"conversation\":[1,{\"type\":1,\"text\":\"\\ud800\"}],\"createdAt\":1e300}"}`,
		`{"key":"bubbleId:c:b","value":{"$blob":"e30="}}`,
		`{"key":{"$text":"/w=="},"value":"{}"}`,
		`{"key":"bubbleId:c:b","value":"not json"}`,
		`{"key":"bubbleId:c:b","value":null}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, row bool) {
		file := reel.SourceFile{Path: "/nowhere/x.jsonl", NativeID: "x", Layout: reel.LayoutLines}
		if row {
			file = reel.SourceFile{Path: "/nowhere/state.vscdb", Key: "c", NativeID: "c", Layout: reel.LayoutCustom}
		}
		p, err := NewCursor().NewParser(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			rec := reel.RawRecord{Index: int64(i), Name: "cursorDiskKV:bubbleId:c:b", Data: data}
			events, err := p.Parse(&rec)
			if err != nil {
				if len(events) != 0 {
					t.Fatalf("Parse returned events with error %v", err)
				}
				continue
			}
			if !json.Valid(data) {
				t.Fatalf("Parse accepted %q, which is not JSON", data)
			}
			switch rec.Status {
			case reel.RecordOK, reel.RecordUnknown, reel.RecordDuplicate:
			default:
				t.Fatalf("status %q", rec.Status)
			}
			for _, e := range events {
				if e.Kind == "" || !utf8.ValidString(e.Text) || !utf8.ValidString(e.Tool) || !utf8.ValidString(e.CallID) {
					t.Fatalf("event %+v has no kind or holds invalid UTF-8", e)
				}
				if e.Input != nil && (!json.Valid(e.Input) || !utf8.Valid(e.Input)) {
					t.Fatalf("event input %q is not valid UTF-8 JSON", e.Input)
				}
				if !reel.StorableTime(e.Time) {
					t.Fatalf("event time %v cannot be stored", e.Time)
				}
			}
		}
		state, err := p.State()
		if err != nil {
			t.Fatalf("State: %v", err)
		}
		q, err := NewCursor().NewParser(file, state)
		if err != nil {
			t.Fatalf("NewParser(State()): %v", err)
		}
		if s := q.Session(); !utf8.ValidString(s.Title) || s.Title != p.Session().Title || s.Tokens != p.Session().Tokens {
			t.Fatalf("resumed session %+v, want %+v", s, p.Session())
		}
	})
}

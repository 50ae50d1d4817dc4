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

// opencodeFuzzNames are the record names a parser sees: files of the tree,
// rows of the database, and none.
var opencodeFuzzNames = []string{
	"storage/session/proj/ses_1.json",
	"storage/message/ses_1/msg_1.json",
	"storage/part/msg_1/prt_1.json",
	"message/ses_1/msg_1.json",
	"session:ses_1",
	"message:msg_1",
	"part:prt_1",
	"todo:x",
	"",
}

// FuzzOpencodeParse feeds arbitrary records to the parser under every kind
// of name: it must never panic, fail only on records that are not JSON
// (or rows whose data column is not), emit only UTF-8 text and valid JSON
// input, and always be able to save and resume its state.
func FuzzOpencodeParse(f *testing.F) {
	filepath.WalkDir(filepath.Join("testdata", "opencode"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, err := os.ReadFile(path); err == nil {
				f.Add(data, uint8(2))
			}
		}
		return nil
	})
	for _, s := range []string{
		"", "{}", "null", "[]", `"x"`, "{",
		`{"id":"m","role":"assistant","finish":null,"tokens":{"input":-4,"output":1e30,"cache":[]},"error":{"data":7}}`,
		`{"type":"tool","state":{"status":"completed","input":[1],"metadata":{"exit":1e99},"time":{"start":"x","end":-1}}}`,
		`{"type":"tool","state":{"status":"error","input":{"a":"\ud800"},"error":null}}`,
		`{"id":"prt_1","message_id":"msg_1","data":"{\"type\":\"text\",\"text\":\"hi\"}"}`,
		`{"id":"prt_1","data":{"$blob":"eyJ0eXBlIjoicmVhc29uaW5nIiwidGV4dCI6InRoaW5rIn0="}}`,
		`{"id":"prt_1","data":"not json"}`,
		`{"id":"s","title":"New session - x","time_created":9e99,"parent_id":5}`,
		"{\"type\":\"text\",\"text\":\"\xff\xfe\"}",
	} {
		for i := range opencodeFuzzNames {
			f.Add([]byte(s), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		name := opencodeFuzzNames[int(which)%len(opencodeFuzzNames)]
		file := reel.SourceFile{Path: "/nowhere", Key: "ses_1", NativeID: "ses_1", Layout: reel.LayoutCustom}
		p, err := NewOpencode().NewParser(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 { // twice: a repeated record must not break either
			rec := reel.RawRecord{Index: int64(i), Name: name, Data: data}
			events, err := p.Parse(&rec)
			if err != nil {
				if len(events) != 0 {
					t.Fatalf("Parse returned events with error %v", err)
				}
				continue
			}
			if json.Valid(data) == false {
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
		q, err := NewOpencode().NewParser(file, state)
		if err != nil {
			t.Fatalf("NewParser(State()): %v", err)
		}
		if s := q.Session(); !utf8.ValidString(s.Title) || s.Title != p.Session().Title || s.Tokens != p.Session().Tokens {
			t.Fatalf("resumed session %+v, want %+v", s, p.Session())
		}
	})
}

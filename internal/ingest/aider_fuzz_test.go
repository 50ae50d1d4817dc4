package ingest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// FuzzAiderHistory feeds arbitrary history files to the run index and the
// parser: runs must cover the file exactly, parsing must never panic,
// fail only on binary lines, emit only UTF-8 text, and every run must
// survive a save and resume of its state between lines.
func FuzzAiderHistory(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "aider", "*", aiderHistoryName))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "\n", "# aider chat started at \n", "#### \n####\n>\n> \n",
		"\n# aider chat started at 2026-01-01 00:00:00\n\n#### a  \nb\n> Tokens: 1e400k sent, -3 received.\n",
		"# aider chat started at x\n# aider chat started at x\n# aider chat started at x\n",
		"#### x\r\n\r\n> Applied edit to \xff\r\n\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runs := indexAider(data, time.UTC)
		var off int64
		keys := map[string]bool{}
		for _, r := range runs {
			if r.off != off || r.end < r.off || r.contentEnd < r.off || r.contentEnd > r.end {
				t.Fatalf("run %q spans [%d,%d) content to %d after offset %d", r.key, r.off, r.end, r.contentEnd, off)
			}
			if keys[r.key] {
				t.Fatalf("two runs keyed %q", r.key)
			}
			keys[r.key] = true
			off = r.end
		}
		if off != int64(len(data)) {
			t.Fatalf("runs cover %d of %d bytes", off, len(data))
		}
		for _, r := range runs {
			p := newAiderParser("x#"+r.key, "/repo", r, time.UTC)
			for off, i := r.off, int64(0); off < r.end; i++ {
				end := aiderLineEnd(data, off, r.end)
				rec := reel.RawRecord{Index: i, Offset: off, Data: data[off:end]}
				off = end
				if len(bytes.TrimSpace(rec.Data)) == 0 {
					continue
				}
				evs, err := p.Parse(&rec)
				if err != nil {
					if bytes.IndexByte(rec.Data, 0) < 0 {
						t.Fatalf("Parse rejected a text line: %v", err)
					}
					if len(evs) != 0 {
						t.Fatalf("Parse returned events with error %v", err)
					}
					continue
				}
				for _, e := range evs {
					if !utf8.ValidString(e.Text) || e.Kind == "" {
						t.Fatalf("event %+v", e)
					}
					if e.Input != nil && !json.Valid(e.Input) {
						t.Fatalf("input %q", e.Input)
					}
				}
				if i%64 != 1 {
					continue // a save per line would make the test quadratic
				}
				state, err := p.State()
				if err != nil {
					t.Fatal(err)
				}
				q := &aiderParser{}
				if err := q.restore(state); err != nil {
					t.Fatalf("restore: %v", err)
				}
				p = q
			}
			if len(p.st.Pending) != 0 || p.st.Block.Class != "" {
				t.Fatalf("run %q ended holding %d events and a %q block", r.key, len(p.st.Pending), p.st.Block.Class)
			}
			if s := p.Session(); !utf8.ValidString(s.Title) {
				t.Fatalf("title %q", s.Title)
			}
		}
	})
}

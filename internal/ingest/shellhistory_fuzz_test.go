package ingest

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// FuzzShellHistory feeds arbitrary files to each shell's reader: the
// entries must cover the file exactly, each day's stamp must add up to its
// entries, and parsing must never panic, fail only on entries the shell
// could not have written, and emit only UTF-8 text.
func FuzzShellHistory(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "shellhistory", "*", "*"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "\n", "#", "#1", "#99999999999999999999\nx\n", ": 1", ": 1:", ": 1:2;", ": 1:2;a\\\n", "\\\n\\\n",
		"- cmd:", "-", "- :", "- cmd: a\\", "- cmd: \\n\\\\\\x\n  when: -5\n  when: 7\n", "\x83", "a\x83\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, shell := range []string{shellBash, shellZsh, shellFish} {
			h := indexShell(shell, data, time.UTC)
			var off int64
			sizes := make([]int64, len(h.days))
			for _, e := range h.entries {
				if e.off != off || e.end <= e.off {
					t.Fatalf("%s: entry [%d,%d) after offset %d", shell, e.off, e.end, off)
				}
				off = e.end
				sizes[e.day] += e.end - e.off
			}
			if off != int64(len(data)) {
				t.Fatalf("%s: entries cover %d of %d bytes", shell, off, len(data))
			}
			for i, d := range h.days {
				if d.size != sizes[i] || d.index != i || d.hash == "" {
					t.Fatalf("%s: day %+v, entries add up to %d", shell, d, sizes[i])
				}
			}
			p := newShellParser(shell, shell+":/h:"+shellUndated, shellUndated)
			for _, e := range h.entries {
				rec := reel.RawRecord{Offset: e.off, Data: data[e.off:e.end]}
				evs, err := p.Parse(&rec)
				if err != nil {
					if len(evs) != 0 {
						t.Fatalf("%s: events with error %v", shell, err)
					}
					continue
				}
				if rec.Status == "" || rec.Type == "" {
					t.Fatalf("%s: status %q type %q", shell, rec.Status, rec.Type)
				}
				for _, ev := range evs {
					if !utf8.ValidString(ev.Text) || !utf8.ValidString(rec.Type) || !reel.StorableTime(ev.Time) {
						t.Fatalf("%s: event %+v of type %q", shell, ev, rec.Type)
					}
				}
			}
		}
	})
}

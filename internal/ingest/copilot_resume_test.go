package ingest

import (
	"bytes"
	"os"
	"testing"

	"github.com/reel-sh/reel"
)

// copilotSplitRead reads f's lines as two syncs would: the first split
// lines with one parser, the rest with a new parser resumed from the
// first one's State. Rewinds take events back as the sync engine does,
// counted from the file's first record across the resume.
func copilotSplitRead(t *testing.T, imp reel.Importer, f reel.SourceFile, split int) *sessionRun {
	t.Helper()
	data, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	lines := splitLines(data)
	run := &sessionRun{file: f, errs: map[int64]error{}}
	p, err := imp.NewParser(f, nil)
	if err != nil {
		t.Fatalf("NewParser: %v", err)
	}
	for i, line := range lines {
		if i == split {
			state, err := p.State()
			if err != nil {
				t.Fatalf("State: %v", err)
			}
			if p, err = imp.NewParser(f, state); err != nil {
				t.Fatalf("NewParser(State()): %v", err)
			}
		}
		rec := reel.RawRecord{Index: int64(i), Data: line}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		evs, err := p.Parse(&rec)
		if err != nil {
			run.errs[rec.Index] = err
			evs = nil
		} else if rw, ok := p.(reel.Rewinder); ok {
			if keep, ok := rw.Rewound(); ok {
				if keep < 0 || keep > int64(len(run.events)) {
					t.Fatalf("line %d: Rewound() = %d, %d events stand", i, keep, len(run.events))
				}
				run.events = run.events[:keep]
			}
		}
		for j := range evs {
			evs[j].Seq = int64(len(run.events) + j)
			evs[j].RawIndex = rec.Index
		}
		run.events = append(run.events, evs...)
		run.raw = append(run.raw, rec)
	}
	run.session = p.Session()
	return run
}

package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
)

// This file is the harness every importer's tests share: it reads sessions
// the way the sync engine does (internal/syncer), without a store, and
// checks what holds for every source.

// sessionRun is what reading one session produced.
type sessionRun struct {
	file    reel.SourceFile
	raw     []reel.RawRecord
	events  []reel.Event
	session reel.Session
	// errs holds each failed record's Parse error, by raw index.
	errs map[int64]error
}

// discoverAll returns every session file imp finds under root.
func discoverAll(t testing.TB, imp reel.Importer, root string) []reel.SourceFile {
	t.Helper()
	var files []reel.SourceFile
	err := imp.Discover(context.Background(), root, func(f reel.SourceFile) error {
		if f.Source == "" {
			f.Source = imp.Source()
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Discover(%s): %v", root, err)
	}
	return files
}

// splitLines splits data into lines that keep their terminators, as the
// sync engine's line reader does.
func splitLines(data []byte) [][]byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// rawRecords reads f's raw records by its layout, without parsing them.
func rawRecords(t testing.TB, imp reel.Importer, f reel.SourceFile) []reel.RawRecord {
	t.Helper()
	var recs []reel.RawRecord
	switch f.Layout {
	case reel.LayoutLines, reel.LayoutDocument:
		if f.Compressed {
			t.Fatalf("%s: compressed files are read by the codex tests", f.Path)
		}
		data, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatalf("read %s: %v", f.Path, err)
		}
		// An empty document has no record, as the engine reads it.
		var chunks [][]byte
		if f.Layout == reel.LayoutLines {
			chunks = splitLines(data)
		} else if len(data) > 0 {
			chunks = [][]byte{data}
		}
		var off int64
		for i, c := range chunks {
			recs = append(recs, reel.RawRecord{Index: int64(i), Offset: off, Data: c})
			off += int64(len(c))
		}
	case reel.LayoutCustom:
		rr, ok := imp.(reel.RecordReader)
		if !ok {
			t.Fatalf("%s: custom layout, but %T is not a reel.RecordReader", f.CursorPath(), imp)
		}
		if _, err := rr.Stamp(context.Background(), f); err != nil {
			t.Fatalf("Stamp(%s): %v", f.CursorPath(), err)
		}
		err := rr.ReadRecords(context.Background(), f, func(r reel.RawRecord) error {
			r.Index = int64(len(recs))
			recs = append(recs, r)
			return nil
		})
		if err != nil {
			t.Fatalf("ReadRecords(%s): %v", f.CursorPath(), err)
		}
	default:
		t.Fatalf("%s: unknown layout %d", f.Path, f.Layout)
	}
	return recs
}

// readSession reads and parses f whole, as a first sync does: blank
// records are skipped, a rewind discards the events it takes back, and
// events get their seqs.
func readSession(t testing.TB, imp reel.Importer, f reel.SourceFile) *sessionRun {
	t.Helper()
	p, err := imp.NewParser(f, nil)
	if err != nil {
		t.Fatalf("NewParser(%s): %v", f.CursorPath(), err)
	}
	run := &sessionRun{file: f, errs: map[int64]error{}}
	for _, rec := range rawRecords(t, imp, f) {
		if len(bytes.TrimSpace(rec.Data)) > 0 {
			evs, err := p.Parse(&rec)
			if err != nil {
				if len(evs) != 0 {
					t.Errorf("%s record %d: Parse returned %d events with error %v", f.CursorPath(), rec.Index, len(evs), err)
				}
				evs = nil
				run.errs[rec.Index] = err
				rec.Status = reel.RecordInvalid
			}
			if rw, ok := p.(reel.Rewinder); ok {
				if keep, ok := rw.Rewound(); ok {
					if keep < 0 || keep > int64(len(run.events)) {
						t.Fatalf("%s record %d: Rewound() = %d, but %d events stand", f.CursorPath(), rec.Index, keep, len(run.events))
					}
					run.events = run.events[:keep]
				}
			}
			for i := range evs {
				evs[i].Seq = int64(len(run.events) + i)
				evs[i].RawIndex = rec.Index
			}
			run.events = append(run.events, evs...)
		}
		if rec.Status == "" {
			t.Errorf("%s record %d: Parse left Status empty", f.CursorPath(), rec.Index)
		}
		run.raw = append(run.raw, rec)
	}
	run.session = p.Session()
	if _, err := p.State(); err != nil {
		t.Errorf("%s: State: %v", f.CursorPath(), err)
	}
	return run
}

// readAll discovers and reads every session under root.
func readAll(t testing.TB, imp reel.Importer, root string) []*sessionRun {
	t.Helper()
	var runs []*sessionRun
	for _, f := range discoverAll(t, imp, root) {
		runs = append(runs, readSession(t, imp, f))
	}
	return runs
}

// checkLossless checks that a session's raw records give back its source
// exactly: the file's bytes for lines and documents, and for a custom
// layout each named record's file under root (rows, which have no file,
// are skipped: their importer's own tests compare them with the database).
func checkLossless(t testing.TB, root string, run *sessionRun) {
	t.Helper()
	f := run.file
	switch f.Layout {
	case reel.LayoutLines, reel.LayoutDocument:
		if f.Key != "" {
			return // a slice of a larger file: its importer's tests check it
		}
		want, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatalf("read %s: %v", f.Path, err)
		}
		var got []byte
		for _, r := range run.raw {
			got = append(got, r.Data...)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: raw records give %d bytes, the file has %d; they differ", f.Path, len(got), len(want))
		}
	case reel.LayoutCustom:
		for _, r := range run.raw {
			if r.Name == "" || !isFileName(r.Name) {
				continue
			}
			want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(r.Name)))
			if err != nil {
				t.Errorf("%s record %d (%s): %v", f.CursorPath(), r.Index, r.Name, err)
				continue
			}
			if !bytes.Equal(r.Data, want) {
				t.Errorf("%s record %d (%s): data differs from the file", f.CursorPath(), r.Index, r.Name)
			}
		}
	}
}

// isFileName tells a record named by a relative file path from one named
// by a table and key ("part:prt_1").
func isFileName(name string) bool {
	return !bytes.ContainsRune([]byte(name), ':')
}

// checkSessions runs the checks every importer must pass on a folder of
// real files: every session reads with no Parse error, gives back its
// bytes, has a native id, and numbers its events densely.
func checkSessions(t *testing.T, imp reel.Importer, root string) []*sessionRun {
	t.Helper()
	runs := readAll(t, imp, root)
	if len(runs) == 0 {
		t.Fatalf("%s: no sessions found under %s", imp.Source(), root)
	}
	for _, run := range runs {
		for idx, err := range run.errs {
			t.Errorf("%s record %d: %v", run.file.CursorPath(), idx, err)
		}
		checkLossless(t, root, run)
		if run.session.NativeID == "" && run.file.NativeID == "" {
			t.Errorf("%s: no native id from the path or the parser", run.file.CursorPath())
		}
		for i, e := range run.events {
			if e.Seq != int64(i) {
				t.Fatalf("%s: event %d has seq %d", run.file.CursorPath(), i, e.Seq)
			}
			if e.Kind == "" {
				t.Errorf("%s: event %d has no kind", run.file.CursorPath(), i)
			}
		}
	}
	return runs
}

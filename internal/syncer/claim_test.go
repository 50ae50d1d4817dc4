package syncer_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
)

// TestRun_SameSession syncs two files that hold one Codex session (a
// backup copy of a rollout kept under the sessions folder, with fewer
// lines): each keeps its own lines, neither overwrites the other, and the
// live file keeps the session's own id.
func TestRun_SameSession(t *testing.T) {
	corpusHome, m := genCorpus(t, 3000, 11)
	src := largest(corpusHome, m, reel.SourceCodex)
	var nativeID string
	for _, f := range m.SessionFiles {
		if filepath.Join(corpusHome, filepath.FromSlash(f.Path)) == src {
			nativeID = f.NativeID
		}
	}
	lines := splitLines(readFile(t, src))
	n := len(lines)
	genuine := reel.SessionID(reel.SourceCodex, nativeID)

	t.Run("LaterCopy", func(t *testing.T) {
		home := t.TempDir()
		live := codexFile(home, nativeID+".jsonl")
		backup := filepath.Join(codexRoot(home), "backup", filepath.Base(live))
		store := openStore(t)
		writeFile(t, live, bytes.Join(lines[:2*n/3], nil))
		syncHome(t, store, home)

		writeFile(t, backup, bytes.Join(lines[:n/2], nil))
		rec := syncHome(t, store, home)
		if rec.FilesNew != 1 || rec.FilesUnchanged != 1 {
			t.Errorf("second sync: new %d, unchanged %d; want 1, 1", rec.FilesNew, rec.FilesUnchanged)
		}
		if s := checkRaw(t, store, live, readFile(t, live)); s.ID != genuine {
			t.Errorf("live file: session %s, want %s", s.ID, genuine)
		}
		b := checkRaw(t, store, backup, readFile(t, backup))
		if want := nativeID + "@" + backup; b.NativeID != want || b.ID != reel.SessionID(reel.SourceCodex, want) {
			t.Errorf("backup: session %s native id %q, want %q", b.ID, b.NativeID, want)
		}

		// Both grow; each reads on from its own cursor, into its own session.
		appendFile(t, live, bytes.Join(lines[2*n/3:], nil))
		appendFile(t, backup, bytes.Join(lines[n/2:n/2+5], nil))
		rec = syncHome(t, store, home)
		if rec.FilesAppended != 2 {
			t.Errorf("third sync: appended %d, want 2", rec.FilesAppended)
		}
		s := checkRaw(t, store, live, readFile(t, live))
		b2 := checkRaw(t, store, backup, readFile(t, backup))
		if b2.ID != b.ID || b2.NativeID != b.NativeID {
			t.Errorf("backup moved from %s (%s) to %s (%s)", b.ID, b.NativeID, b2.ID, b2.NativeID)
		}

		// The live session is what a sync of the live file alone gives.
		alone := t.TempDir()
		copyFile(t, live, codexFile(alone, nativeID+".jsonl"))
		ref := openStore(t)
		syncHome(t, ref, alone)
		want := sessionByPath(t, ref, codexFile(alone, nativeID+".jsonl"))
		compareEvents(t, "live", events(t, store, s), events(t, ref, want))
	})

	t.Run("SameSync", func(t *testing.T) {
		home := t.TempDir()
		live := codexFile(home, nativeID+".jsonl")
		backup := filepath.Join(codexRoot(home), "backup", filepath.Base(live))
		writeFile(t, live, bytes.Join(lines, nil))
		writeFile(t, backup, bytes.Join(lines[:n/2], nil))
		store := openStore(t)
		opt := options(store, home)
		opt.BatchEvents = 10 // both files commit many times, interleaved
		runSync(t, opt)
		s := checkRaw(t, store, live, readFile(t, live))
		b := checkRaw(t, store, backup, readFile(t, backup))
		if s.ID == b.ID || (s.ID != genuine && b.ID != genuine) {
			t.Errorf("sessions %s and %s; want two, one of them %s", s.ID, b.ID, genuine)
		}
		for _, x := range []reel.Session{s, b} {
			if x.ID != reel.SessionID(reel.SourceCodex, x.NativeID) {
				t.Errorf("%s: id %s does not derive from native id %q", x.Path, x.ID, x.NativeID)
			}
		}
	})
}

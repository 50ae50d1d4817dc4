//go:build unix

package syncer_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/syncer"
)

// TestRun_NamedPipe checks that a named pipe where a rollout should be is
// skipped. The Codex importer reports any file of the right name, and
// opening a pipe for reading blocks until someone writes to it.
func TestRun_NamedPipe(t *testing.T) {
	home := t.TempDir()
	good := codexFile(home, "00000000-0000-4000-8000-00000000000c.jsonl")
	writeFile(t, good, readFile(t, "testdata/badinput/codex/rollout.jsonl"))
	pipe := codexFile(home, "00000000-0000-4000-8000-00000000000d.jsonl")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	store := openStore(t)
	done := make(chan *syncer.Record, 1)
	go func() {
		rec, _ := syncer.Run(context.Background(), options(store, home))
		done <- rec
	}()
	var rec *syncer.Record
	select {
	case rec = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("sync blocked on a named pipe")
	}
	if rec.Outcome != syncer.OutcomePartial || rec.SkippedFiles != 1 || rec.FilesNew != 1 {
		t.Errorf("outcome %q, skipped files %d, new %d; want partial, 1, 1", rec.Outcome, rec.SkippedFiles, rec.FilesNew)
	}
	checkIssues(t, rec, pipe, []wantIssue{{0, "skipped", "not a regular file (a named pipe)"}})
	checkRaw(t, store, good, readFile(t, "testdata/badinput/codex/rollout.jsonl"))
}

package syncer_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/syncer"
)

// TestRun_Cancel cancels a sync part way: it stops, says so, and the next
// sync completes it exactly.
func TestRun_Cancel(t *testing.T) {
	home, _ := genCorpus(t, 3000, 11)
	store := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := options(store, home)
	opt.Progress = func(p syncer.Progress) {
		if p.FilesDone == 2 {
			cancel()
		}
	}
	rec, err := syncer.Run(ctx, opt)
	if !errors.Is(err, context.Canceled) || rec.Outcome != syncer.OutcomeCancelled {
		t.Fatalf("got %v, outcome %q; want cancelled", err, rec.Outcome)
	}
	if done := rec.FilesNew + rec.FilesAppended; done >= rec.FilesSeen {
		t.Errorf("sync went on after it was cancelled: %d of %d files", done, rec.FilesSeen)
	}

	syncHome(t, store, home)
	clean := openStore(t)
	syncHome(t, clean, home)
	compareSnapshots(t, takeSnapshot(t, store), takeSnapshot(t, clean))
}

// TestRun_DryRun reads and counts everything and writes nothing.
func TestRun_DryRun(t *testing.T) {
	home, m := genCorpus(t, 3000, 11)
	store := openStore(t)
	var applied atomic.Int64
	// A fake store: the real one, counting writes.
	opt := options(&fakeStore{Store: store, ApplyFn: func(ctx context.Context, bs ...*reel.Batch) error {
		applied.Add(1)
		return store.Apply(ctx, bs...)
	}}, home)
	opt.DryRun = true
	rec := runSync(t, opt)
	if !rec.DryRun || rec.Outcome != syncer.OutcomeOK || rec.FilesNew != m.Files {
		t.Errorf("dry run %v, outcome %q, new files %d; want true, ok, %d", rec.DryRun, rec.Outcome, rec.FilesNew, m.Files)
	}
	if rec.BytesRead != m.Bytes || rec.RecordsRead != m.Records {
		t.Errorf("bytes %d, records %d; the corpus has %d, %d", rec.BytesRead, rec.RecordsRead, m.Bytes, m.Records)
	}
	if n := applied.Load(); n != 0 {
		t.Errorf("a dry run applied %d batches", n)
	}
	if all, err := store.Sessions(context.Background(), reel.Filter{}); err != nil || len(all) != 0 {
		t.Errorf("a dry run left %d sessions (%v)", len(all), err)
	}

	// It counts what a real sync then writes.
	real := syncHome(t, store, home)
	if real.FilesNew != m.Files || rec.EventsInserted != real.EventsInserted || countEvents(t, store) != real.EventsInserted {
		t.Errorf("dry run counted %d events; the real sync read %d new files, inserted %d, the store holds %d",
			rec.EventsInserted, real.FilesNew, real.EventsInserted, countEvents(t, store))
	}
}

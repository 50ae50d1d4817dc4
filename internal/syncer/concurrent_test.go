package syncer_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/reel-sh/reel/internal/syncer"
)

// TestRun_Concurrent runs two syncs of one tree at once, through two
// stores on one database file, as two reel processes would: together they
// leave exactly what one sync leaves, with nothing doubled or lost.
func TestRun_Concurrent(t *testing.T) {
	home, m := genCorpus(t, 3000, 11)
	db := filepath.Join(t.TempDir(), "reel.db")
	stores := [2]syncer.Options{}
	for i := range stores {
		stores[i] = options(openStoreAt(t, db), home)
		// Small batches interleave the two writers' transactions finely.
		stores[i].BatchEvents = 20
		stores[i].Workers = 2
	}
	var wg sync.WaitGroup
	recs := [2]*syncer.Record{}
	errs := [2]error{}
	for i := range stores {
		wg.Go(func() { recs[i], errs[i] = syncer.Run(context.Background(), stores[i]) })
	}
	wg.Wait()
	for i := range stores {
		if errs[i] != nil || recs[i].Outcome != syncer.OutcomeOK {
			t.Fatalf("sync %d: %v, outcome %q, issues %v", i, errs[i], recs[i].Outcome, recs[i].Issues)
		}
	}

	single := openStore(t)
	syncHome(t, single, home)
	want := takeSnapshot(t, single)
	if len(want) != m.Files {
		t.Fatalf("single sync: %d sessions, corpus has %d files", len(want), m.Files)
	}
	got := takeSnapshot(t, stores[0].Store)
	for path, w := range want {
		if g := got[path]; int64(len(g.Events)) != w.Session.EventCount {
			t.Errorf("%s: %d events, single sync has %d", path, len(g.Events), w.Session.EventCount)
		}
	}
	compareSnapshots(t, got, want)
	if n, w := countEvents(t, stores[1].Store), countEvents(t, single); n != w {
		t.Errorf("events in the shared database: %d, single sync %d", n, w)
	}
}

package live_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/syncer"
)

// syncInto returns a RecoverOptions.Sync that syncs the journals' folders
// into store with the live importer, as reel sync does, and fails t if
// the sync met bad input.
func syncInto(t *testing.T, store reel.Store) func(ctx context.Context, journals []string) error {
	return func(ctx context.Context, journals []string) error {
		var sources []syncer.Source
		seen := map[string]bool{}
		for _, j := range journals {
			dir := filepath.Dir(j)
			if !seen[dir] {
				seen[dir] = true
				sources = append(sources, syncer.Source{Importer: ingest.NewLive(filepath.Base(dir)), Root: dir})
			}
		}
		rec, err := syncer.Run(ctx, syncer.Options{Store: store, Sources: sources, Workers: 1})
		if err == nil && rec.Outcome != syncer.OutcomeOK {
			t.Errorf("sync of %v: outcome %s, issues %v", journals, rec.Outcome, rec.Issues)
		}
		return err
	}
}

package cli

import (
	"context"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/syncer"
)

// journalFiles narrows the shell recording importer to some journals, so
// that stopping one recording syncs that one alone.
type journalFiles struct {
	*ingest.Recording
	only map[string]bool
}

// Discover calls fn for the journals in only (all when only is nil).
func (j journalFiles) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	return j.Recording.Discover(ctx, root, func(f reel.SourceFile) error {
		if j.only != nil && !j.only[f.Path] {
			return nil
		}
		return fn(f)
	})
}

// ingestJournals syncs the journals at paths (every journal when none is
// given) into the store, under the sync lock, as reel sync does.
func ingestJournals(ctx context.Context, app *App, paths ...string) (*syncer.Record, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	lock, err := acquireSyncLock(ctx, app, "reel rec")
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	store, err := app.Store(ctx)
	if err != nil {
		return nil, err
	}
	imp := journalFiles{Recording: ingest.NewRecording()}
	if len(paths) > 0 {
		imp.only = map[string]bool{}
		for _, p := range paths {
			imp.only[p] = true
		}
	}
	rec, err := syncer.Run(ctx, syncer.Options{
		Store: store, Sources: []syncer.Source{{Importer: imp, Root: cfg.Paths.Recordings()}},
		MaxLineBytes: cfg.Sync.MaxLineBytes, Host: cfg.Host,
	})
	if err != nil {
		return rec, err
	}
	return rec, nil
}

// recordingRef turns a recording's name (or id) into the id of the
// session it was ingested as, so that commands taking a session (export,
// show) also take a recording's name. Any other ref is returned as is.
func recordingRef(app *App, ref string) string {
	d, err := recDir(app)
	if err != nil {
		return ref
	}
	if e, err := d.Find(ref); err == nil {
		return journal.SessionID(e.Header.ID)
	}
	return ref
}

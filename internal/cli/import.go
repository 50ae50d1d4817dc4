package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/lockfile"
	"github.com/spf13/cobra"
)

type importOptions struct {
	app  *App
	json bool
}

func newImportCmd(app *App) *cobra.Command {
	opts := &importOptions{app: app}
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import shell history files, or sessions exported with --format reel",
		Long: `Import reads history files that reel does not find by itself (a backup, another
machine's ~/.zsh_history) into the store. Each command becomes an event, in one
session per shell and day; times come from the file where it has them (bash
with HISTTIMEFORMAT, zsh extended history, fish). The shell is told from the
file's contents. Importing the same file again adds only what is new.

To read your own history on every sync instead: reel adapters enable shell-history

A file written by 'reel export --format reel' is imported as the session it
holds, with its raw records, events and checkpoints; importing it again
replaces it. Such a document is untrusted: sizes are capped and every index
is checked before anything is written.`,
		Example: `  reel import ~/backup/.zsh_history
  reel import old-laptop/.bash_history old-laptop/fish_history --json
  reel import session.reel.json`,
		Args: minimumArgs(1, "one or more history files"),
		RunE: func(cmd *cobra.Command, args []string) error { return runImport(cmd.Context(), opts, args) },
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the sync record as JSON")
	return cmd
}

func runImport(ctx context.Context, opts *importOptions, files []string) error {
	var paths []string
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return reel.Errorf(reel.EINVALID, "import %s: %v", f, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return &reel.Error{Code: reel.ENOTFOUND, Message: "import " + f, Err: err}
		}
		if !fi.Mode().IsRegular() {
			return reel.Errorf(reel.EINVALID, "import %s: not a regular file", f)
		}
		if isReelDocument(abs) {
			if err := importDocument(ctx, opts, abs); err != nil {
				return err
			}
			continue
		}
		if _, err := ingest.DetectShellHistory(abs); err != nil {
			return reel.Errorf(reel.EUNSUPPORT, "import %s: not a bash, zsh or fish history file reel can read: %v", f, err).
				WithHint("agent sessions are found by reel sync (see reel adapters); reel sync SOURCE --path DIR reads them from elsewhere")
		}
		paths = append(paths, abs)
	}
	if len(paths) == 0 {
		return nil
	}
	return runSync(ctx, &syncOptions{app: opts.app, sources: []string{reel.SourceShellHistory}, paths: paths, json: opts.json})
}

// isReelDocument reports whether the file at path starts as a document
// that reel export --format reel writes.
func isReelDocument(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	return archive.Sniff(head[:n])
}

// importDocument imports a document written by reel export --format reel,
// holding the sync lock so that no sync writes the session meanwhile.
func importDocument(ctx context.Context, opts *importOptions, path string) error {
	s := opts.app.Streams
	cfg, err := opts.app.Config()
	if err != nil {
		return err
	}
	if err := cfg.Paths.EnsureDirs(); err != nil {
		return err
	}
	lock, err := lockfile.Acquire(ctx, cfg.Paths.SyncLock(), lockfile.Self("reel import"), func(h lockfile.Holder) {
		fmt.Fprintf(s.Err, "reel: waiting for the sync already running (%s)...\n", h)
	})
	if err != nil {
		return err
	}
	defer lock.Release()
	store, err := opts.app.Store(ctx)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return &reel.Error{Code: reel.ENOTFOUND, Message: "import " + path, Err: err}
	}
	defer f.Close()
	doc, err := archive.Read(bufio.NewReaderSize(f, 1<<16), archive.DefaultLimits())
	if err != nil {
		return err
	}
	if err := archive.Import(ctx, store, doc); err != nil {
		return err
	}
	if opts.json {
		return writeJSON(s.Out, map[string]any{"session_id": doc.Session.ID, "events": len(doc.Events),
			"raw_records": len(doc.Raw), "checkpoints": len(doc.Checkpoints)})
	}
	fmt.Fprintf(s.Out, "Imported session %s (%s, %d events, %d raw records, %d checkpoints)\n",
		reel.ShortID(doc.Session.ID), doc.Session.Source, len(doc.Events), len(doc.Raw), len(doc.Checkpoints))
	return nil
}

package cli

import (
	"context"
	"os"
	"path/filepath"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
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
		Short: "Import shell history files (bash, zsh, fish) into the store",
		Long: `Import reads history files that reel does not find by itself (a backup, another
machine's ~/.zsh_history) into the store. Each command becomes an event, in one
session per shell and day; times come from the file where it has them (bash
with HISTTIMEFORMAT, zsh extended history, fish). The shell is told from the
file's contents. Importing the same file again adds only what is new.

To read your own history on every sync instead: reel adapters enable shell-history`,
		Example: `  reel import ~/backup/.zsh_history
  reel import old-laptop/.bash_history old-laptop/fish_history --json`,
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
		if _, err := ingest.DetectShellHistory(abs); err != nil {
			return reel.Errorf(reel.EUNSUPPORT, "import %s: not a bash, zsh or fish history file reel can read: %v", f, err).
				WithHint("agent sessions are found by reel sync (see reel adapters); reel sync SOURCE --path DIR reads them from elsewhere")
		}
		paths = append(paths, abs)
	}
	return runSync(ctx, &syncOptions{app: opts.app, sources: []string{reel.SourceShellHistory}, paths: paths, json: opts.json})
}

package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/spf13/cobra"
)

type adaptersOptions struct {
	app  *App
	json bool
}

// adapterReport is one row of reel adapters --json.
type adapterReport struct {
	sourceStatus
	LastSync *syncer.SourceSync `json:"last_sync"`
}

func newAdaptersCmd(app *App) *cobra.Command {
	opts := &adaptersOptions{app: app}
	cmd := &cobra.Command{
		Use:   "adapters",
		Short: "List every session source: found or not, where, how many sessions, last sync",
		Long: `Adapters lists every agent client and history reel can read: whether its files
were found on this machine and where, how many of its sessions the store holds,
when it was last synced, and whether 'reel sync' reads it.

Each source's folders can be changed in config.toml:

  [sources.aider]
  paths = ["~/src/api", "~/src/web"]   # repositories aider ran in

  [sources.codex]
  path = "/mnt/backup/codex/sessions"  # instead of ~/.codex/sessions

Shell history is disabled until enabled: history files hold secrets typed on
command lines.`,
		Example: `  reel adapters
  reel adapters --json | jq '.[] | select(.found)'
  reel adapters enable shell-history
  reel adapters disable copilot`,
		Args: exactArgs(0, "no arguments; use 'reel adapters enable NAME' or 'disable NAME'"),
		RunE: func(cmd *cobra.Command, args []string) error { return runAdapters(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	for _, on := range []bool{true, false} {
		verb := map[bool]string{true: "enable", false: "disable"}[on]
		cmd.AddCommand(&cobra.Command{
			Use:               verb + " NAME",
			Short:             strings.ToUpper(verb[:1]) + verb[1:] + " a source for 'reel sync' (edits config.toml)",
			Example:           "  reel adapters " + verb + " shell-history",
			Args:              exactArgs(1, "one source name"),
			ValidArgsFunction: cobra.FixedCompletions(sourceNames(), cobra.ShellCompDirectiveNoFileComp),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runAdapterEnable(opts, args[0], on)
			},
		})
	}
	return cmd
}

func runAdapters(ctx context.Context, opts *adaptersOptions) error {
	app, s := opts.app, opts.app.Streams
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	store, err := app.Store(ctx)
	if err != nil {
		return err
	}
	stats, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	statuses, err := sourceStatuses(app, stats)
	if err != nil {
		return err
	}
	syncs, err := syncer.ReadSourceSyncs(cfg.Paths.SourceSyncs())
	if err != nil {
		fmt.Fprintf(s.Err, "reel: %v; showing no last syncs\n", err)
	}
	rows := make([]adapterReport, 0, len(statuses))
	for _, st := range statuses {
		r := adapterReport{sourceStatus: st}
		if ls, ok := syncs[st.Source]; ok {
			r.LastSync = &ls
		}
		rows = append(rows, r)
	}
	if opts.json {
		return writeJSON(s.Out, rows)
	}
	fmt.Fprintf(s.Out, "%-14s %-9s %-6s %9s %-14s %s\n", "SOURCE", "STATUS", "FOUND", "SESSIONS", "LAST SYNC", "PATH")
	for _, r := range rows {
		status := s.Paint(styleGreen, "enabled ")
		if !r.Enabled {
			status = s.Paint(styleDim, "disabled")
		}
		found := "yes"
		if !r.Found {
			found = s.Paint(styleDim, "no ")
		}
		last := "never"
		if r.LastSync != nil {
			last = humanize.Ago(time.Since(r.LastSync.At))
			if r.LastSync.Outcome != syncer.OutcomeOK {
				last += " (" + r.LastSync.Outcome + ")"
			}
		}
		path := r.Root
		switch {
		case len(r.Roots) == 0:
			path = s.Paint(styleDim, "(none set: [sources."+r.Source+"] paths in config.toml, or reel sync "+r.Source+" --path DIR)")
		case len(r.Roots) > 1:
			path += fmt.Sprintf(" (+%d more)", len(r.Roots)-1)
		}
		fmt.Fprintf(s.Out, "%-14s %s  %s    %9s %-14s %s\n", r.Source, status, found, humanize.Count(r.Sessions), last, path)
	}
	return nil
}

func runAdapterEnable(opts *adaptersOptions, name string, on bool) error {
	app, s := opts.app, opts.app.Streams
	if !slices.Contains(sourceNames(), name) {
		return reel.Errorf(reel.EINVALID, "unknown source %q", name).
			WithHint("sources: " + strings.Join(sourceNames(), ", "))
	}
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	file := cfg.File
	if file == "" {
		file = cfg.Paths.ConfigFile()
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return fmt.Errorf("create config folder: %w", err)
		}
	}
	if err := config.SetSourceEnabled(file, name, on); err != nil {
		return err
	}
	state := map[bool]string{true: "enabled", false: "disabled"}[on]
	fmt.Fprintf(s.Out, "%s %s (%s)\n", name, state, file)
	return nil
}

package cli

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/spf13/cobra"
)

type sessionsOptions struct {
	app          *App
	sources      []string
	project      string
	since, until string
	limit        int
	json         bool
}

func newSessionsCmd(app *App) *cobra.Command {
	opts := &sessionsOptions{app: app}
	cmd := &cobra.Command{
		Use:     "sessions",
		Aliases: []string{"ls"},
		Short:   "List sessions, most recently active first",
		Example: `  reel sessions
  reel sessions --source claude-code --project myapp --since 7d
  reel sessions --json --limit 5 | jq -r '.[].id'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runSessions(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.sources, "source", nil, sourceList())
	f.StringVar(&opts.project, "project", "", "project path contains this text (case-insensitive)")
	f.StringVar(&opts.since, "since", "", "active since: 7d, 36h, 2026-01-02 or RFC 3339")
	f.StringVar(&opts.until, "until", "", "active until: same forms as --since")
	f.IntVar(&opts.limit, "limit", 50, "at most this many sessions (0 for all)")
	f.BoolVar(&opts.json, "json", false, "print as JSON")
	cmd.RegisterFlagCompletionFunc("source", cobra.FixedCompletions(sourceNames(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runSessions(ctx context.Context, opts *sessionsOptions) error {
	s := opts.app.Streams
	if opts.limit < 0 {
		return reel.Errorf(reel.EINVALID, "--limit must be 0 or more")
	}
	f := reel.Filter{Sources: splitList(opts.sources), Project: opts.project, Limit: opts.limit}
	if err := timeFilter(&f, opts.since, opts.until); err != nil {
		return err
	}
	store, err := opts.app.Store(ctx)
	if err != nil {
		return err
	}
	list, err := store.Sessions(ctx, f)
	if err != nil {
		return err
	}
	if opts.json {
		if list == nil {
			list = []reel.Session{}
		}
		return writeJSON(s.Out, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(s.Err, "No sessions match. Run 'reel sync' to ingest, or widen the filters.")
		return nil
	}
	fmt.Fprintf(s.Out, "%-12s  %-11s  %-12s  %7s  %-16s  %s\n", "ID", "SOURCE", "LAST ACTIVE", "EVENTS", "PROJECT", "TITLE")
	for _, x := range list {
		fmt.Fprintf(s.Out, "%-12s  %-11s  %-12s  %7s  %-16s  %s\n",
			s.Paint(styleCyan, reel.ShortID(x.ID)), x.Source, clock(x.EndedAt), humanize.Count(x.EventCount),
			truncate(projectName(x.Project), 16), truncate(x.Title, 70))
	}
	return nil
}

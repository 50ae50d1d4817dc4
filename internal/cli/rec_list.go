package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/spf13/cobra"
)

type recListOptions struct {
	app  *App
	json bool
}

func newRecListCmd(app *App) *cobra.Command {
	opts := &recListOptions{app: app}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List recordings, oldest first",
		Example: `  reel rec list
  reel rec list --json | jq -r '.[] | select(.recovered) | .name'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runRecList(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON: id, name, status, command_count, started_at, recovered, …")
	return cmd
}

func runRecList(ctx context.Context, opts *recListOptions) error {
	s := opts.app.Streams
	d, err := recDir(opts.app)
	if err != nil {
		return err
	}
	list, probs, err := d.List()
	if err != nil {
		return err
	}
	for _, p := range probs {
		fmt.Fprintf(s.Err, "reel: skipped %s: %v\n", p.Path, p.Err)
	}
	sums := make([]recSummary, 0, len(list))
	for _, e := range list {
		sums = append(sums, summarize(e))
	}
	if opts.json {
		return writeJSON(s.Out, sums)
	}
	if len(sums) == 0 {
		fmt.Fprintln(s.Err, "No recordings yet. Start one with 'reel rec start'.")
		return nil
	}
	fmt.Fprintf(s.Out, "%-12s  %-32s  %-11s  %8s  %-12s  %s\n", "ID", "NAME", "STATUS", "COMMANDS", "STARTED", "TAGS")
	for _, x := range sums {
		fmt.Fprintf(s.Out, "%-12s  %-32s  %-11s  %8d  %-12s  %s\n", s.Paint(styleCyan, reel.ShortID(x.ID)), truncate(x.Name, 32),
			paintStatus(s, x.Status), x.CommandCount, clock(x.StartedAt), strings.Join(x.Tags, ","))
	}
	return nil
}

func paintStatus(s *Streams, status string) string {
	switch status {
	case journal.StatusActive:
		return s.Paint(styleGreen, fmt.Sprintf("%-11s", status))
	case journal.StatusRecovered, journal.StatusInterrupted:
		return s.Paint(styleYellow, fmt.Sprintf("%-11s", status))
	}
	return status
}

type recStatusOptions struct {
	app  *App
	json bool
}

func newRecStatusCmd(app *App) *cobra.Command {
	opts := &recStatusOptions{app: app}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say which recording is active, where, and what awaits recovery",
		Example: `  reel rec status
  reel rec status --json | jq .active`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runRecStatus(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON: the active recording (or null) and the interrupted ones")
	return cmd
}

func runRecStatus(ctx context.Context, opts *recStatusOptions) error {
	s := opts.app.Streams
	d, err := recDir(opts.app)
	if err != nil {
		return err
	}
	list, _, err := d.List()
	if err != nil {
		return err
	}
	var doc struct {
		Active      *recSummary  `json:"active"`
		Interrupted []recSummary `json:"interrupted"`
	}
	doc.Interrupted = []recSummary{}
	var active journal.Entry
	for _, e := range list {
		switch {
		case e.Active() && e.Header.Kind == journal.KindShell:
			sum := summarize(e)
			doc.Active, active = &sum, e
		case e.Dead():
			doc.Interrupted = append(doc.Interrupted, summarize(e))
		}
	}
	if opts.json {
		return writeJSON(s.Out, doc)
	}
	if doc.Active == nil {
		fmt.Fprintln(s.Out, "No recording is active.")
	} else {
		a := doc.Active
		fmt.Fprintf(s.Out, "Recording %s (%s) in %s since %s: %d commands so far\n", s.Paint(styleBold, a.Name),
			reel.ShortID(a.ID), describeOwner(active), a.StartedAt.Local().Format(time.DateTime), a.CommandCount)
	}
	if n := len(doc.Interrupted); n > 0 {
		fmt.Fprintf(s.Out, "%s %d recording(s) lost their shell and will be recovered at the next start (or: reel recover):\n",
			s.Paint(styleYellow, "!"), n)
		for _, x := range doc.Interrupted {
			fmt.Fprintf(s.Out, "  %s  %s  %d commands\n", reel.ShortID(x.ID), x.Name, x.CommandCount)
		}
	}
	return nil
}

type recShowOptions struct {
	app  *App
	ref  string
	json bool
}

func newRecShowCmd(app *App) *cobra.Command {
	opts := &recShowOptions{app: app}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a recording's commands from its journal, even while it records",
		Example: `  reel rec show deploy
  reel rec show deploy --json | jq -r '.commands[].cmd'`,
		Args: exactArgs(1, "one recording name or id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return runRecShow(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the recording and its commands as JSON")
	return cmd
}

func runRecShow(ctx context.Context, opts *recShowOptions) error {
	s := opts.app.Streams
	d, err := recDir(opts.app)
	if err != nil {
		return err
	}
	e, err := d.Find(opts.ref)
	if err != nil {
		return err
	}
	cmds := e.Commands
	if cmds == nil {
		cmds = []journal.Command{}
	}
	if opts.json {
		return writeJSON(s.Out, struct {
			recSummary
			Commands []journal.Command `json:"commands"`
		}{summarize(e), cmds})
	}
	sum := summarize(e)
	fmt.Fprintf(s.Out, "%s %s\n", s.Paint(styleBold, e.Name), s.Paint(styleDim, "("+e.Header.ID+")"))
	fmt.Fprintf(s.Out, "%s, %s on %s, started %s, %d commands\n", sum.Status, orDash(e.Header.Shell), orDash(e.Header.Host),
		e.Header.StartedAt.Local().Format(time.DateTime), len(cmds))
	if e.Footer != nil && e.Footer.Reason != "" {
		fmt.Fprintf(s.Out, "recovered: %s\n", e.Footer.Reason)
	}
	cwd := ""
	for _, c := range cmds {
		if c.Cwd != cwd {
			cwd = c.Cwd
			fmt.Fprintf(s.Out, "%s\n", s.Paint(styleDim, "# in "+cwd))
		}
		status := s.Paint(styleGreen, fmt.Sprintf("%-5s", "✓"))
		if c.Exit != 0 {
			status = s.Paint(styleRed, fmt.Sprintf("%-5s", fmt.Sprintf("✗ %d", c.Exit)))
		}
		fmt.Fprintf(s.Out, "%3d  %s  %s %8s  %s\n", c.N, c.Start().Local().Format("15:04:05"), status,
			shortDuration(c.Duration()), strings.ReplaceAll(c.Cmd, "\n", "\n                               "))
	}
	return nil
}

func newRecRenameCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "rename NAME NEW_NAME",
		Short:   "Rename a recording",
		Example: `  reel rec rename session-2026-11-23-120000 deploy-staging`,
		Args:    exactArgs(2, "the recording and its new name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRecEdit(cmd.Context(), app, asJSON, func(d journal.Dir) (*journal.Recording, error) {
				return d.Rename(cmd.Context(), args[0], args[1], time.Now())
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the renamed recording as JSON")
	return cmd
}

func newRecTagCmd(app *App) *cobra.Command {
	var remove []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tag NAME [TAG...]",
		Short: "Add tags to a recording, or remove them with --remove",
		Example: `  reel rec tag deploy prod eu-west
  reel rec tag deploy --remove eu-west`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRecEdit(cmd.Context(), app, asJSON, func(d journal.Dir) (*journal.Recording, error) {
				return d.Tag(cmd.Context(), args[0], splitList(args[1:]), splitList(remove), time.Now())
			})
		},
	}
	cmd.Flags().StringSliceVar(&remove, "remove", nil, "tags to remove (repeat or comma-separate)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the tagged recording as JSON")
	return cmd
}

// runRecEdit applies a rename or tag and, for an ended recording, brings
// the store's copy up to date.
func runRecEdit(ctx context.Context, app *App, asJSON bool, edit func(journal.Dir) (*journal.Recording, error)) error {
	s := app.Streams
	d, err := recDir(app)
	if err != nil {
		return err
	}
	r, err := edit(d)
	if err != nil {
		return err
	}
	if r.Ended() {
		if _, err := ingestJournals(ctx, app, r.Path); err != nil {
			return err
		}
	}
	e, err := d.Find(r.Header.ID)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(s.Out, summarize(e))
	}
	tags := ""
	if len(r.Tags) > 0 {
		tags = " [" + strings.Join(r.Tags, ", ") + "]"
	}
	fmt.Fprintf(s.Out, "%s (%s)%s\n", s.Paint(styleBold, r.Name), reel.ShortID(r.Header.ID), tags)
	return nil
}

func newRecDeleteCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a recording's journal",
		Long: `Delete removes a recording's journal. An active recording must be stopped first.
The session already ingested into the store stays there.`,
		Example: `  reel rec delete session-2026-11-23-120000`,
		Args:    exactArgs(1, "one recording name or id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := recDir(app)
			if err != nil {
				return err
			}
			r, err := d.Delete(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(app.Streams.Out, "Deleted %s (%s), %d commands.\n", r.Name, reel.ShortID(r.Header.ID), len(r.Commands))
			return nil
		},
	}
	return cmd
}

// shortDuration prints a command's duration at a useful precision.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

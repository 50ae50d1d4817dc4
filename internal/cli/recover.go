package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/reel-sh/reel/internal/journal"
	"github.com/spf13/cobra"
)

type recoverOptions struct {
	app    *App
	dryRun bool
	json   bool
}

func newRecoverCmd(app *App) *cobra.Command {
	opts := &recoverOptions{app: app}
	cmd := &cobra.Command{
		Use:   "recover",
		Short: "Recover recordings whose shell died, and ingest every recording",
		Long: `Recover finds the recordings whose owner is dead: the shell (or replay) that
recorded them no longer exists, or is a different process under a reused pid. A
recording with at least one command is repaired (a torn last line is cut off,
every command before it kept), renamed recovered-YYYY-MM-DD-HHMMSS, flagged
recovered and ingested; an empty one is discarded. Then every recording not yet
in the store is ingested. 'reel rec start' does the same for dead recordings.`,
		Example: `  reel recover
  reel recover --dry-run
  reel recover --json | jq '.recovered[].name'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runRecover(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "say what would be recovered, changing nothing")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print what was recovered as JSON")
	return cmd
}

func runRecover(ctx context.Context, opts *recoverOptions) error {
	s := opts.app.Streams
	d, err := recDir(opts.app)
	if err != nil {
		return err
	}
	rcs, err := d.Recover(ctx, time.Now(), opts.dryRun)
	if err != nil {
		return err
	}
	if rcs == nil {
		rcs = []journal.Recovered{}
	}
	var ingestErr error
	events := int64(0)
	if !opts.dryRun {
		rec, err := ingestJournals(ctx, opts.app)
		if rec != nil {
			events = rec.EventsInserted
		}
		ingestErr = err
	}
	if opts.json {
		if err := writeJSON(s.Out, map[string]any{"dry_run": opts.dryRun, "recovered": rcs, "events_ingested": events}); err != nil {
			return err
		}
		return ingestErr
	}
	verb := map[bool]string{true: "would recover", false: "recovered"}[opts.dryRun]
	for _, rc := range rcs {
		if rc.Discarded {
			fmt.Fprintf(s.Out, "%s %q: %s, no command; %s\n", map[bool]string{true: "would discard", false: "discarded"}[opts.dryRun],
				rc.OldName, rc.Reason, "nothing to keep")
			continue
		}
		torn := ""
		if rc.Torn != nil {
			torn = fmt.Sprintf(", torn last line of %d bytes cut off", rc.Torn.Bytes)
		}
		fmt.Fprintf(s.Out, "%s %q as %s: %d commands (%s%s)\n", verb, rc.OldName, s.Paint(styleBold, rc.Name), rc.Commands, rc.Reason, torn)
	}
	if len(rcs) == 0 {
		fmt.Fprintln(s.Out, "Nothing to recover: every recording has a live owner or has ended.")
	}
	if !opts.dryRun && events > 0 {
		fmt.Fprintf(s.Out, "Ingested %d events from the recordings.\n", events)
	}
	return ingestErr
}

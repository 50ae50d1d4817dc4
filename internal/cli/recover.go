package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/live"
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
		Short: "Recover recordings and live sessions whose writer died, and ingest them",
		Long: `Recover finds the recordings whose owner is dead: the shell (or replay) that
recorded them no longer exists, or is a different process under a reused pid. A
recording with at least one command is repaired (a torn last line is cut off,
every command before it kept), renamed recovered-YYYY-MM-DD-HHMMSS, flagged
recovered and ingested; an empty one is discarded. Then every recording not yet
in the store is ingested. 'reel rec start' does the same for dead recordings.

It then recovers live sessions (the sessions the daemon writes from agents'
hooks) whose writer died, newest first: each journal's torn last line is cut
off, the session is ended as interrupted, ingested with its checkpoints, and
its crash snapshot removed. 'reel sync' does this first, every time.`,
		Example: `  reel recover
  reel recover --dry-run
  reel recover --json | jq '.recovered[].name'
  reel recover --json | jq '.live.recovered[] | {session_id, events, status}'`,
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
	liveRep, liveErr := recoverLiveLocked(ctx, opts.app, opts.dryRun)
	if ingestErr == nil {
		ingestErr = liveErr
	}
	if opts.json {
		if err := writeJSON(s.Out, map[string]any{"dry_run": opts.dryRun, "recovered": rcs, "events_ingested": events, "live": liveRep}); err != nil {
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
	if liveRep != nil {
		printLiveRecovery(s, liveRep)
	}
	if len(rcs) == 0 && (liveRep == nil || len(liveRep.Recovered)+len(liveRep.Failed)+len(liveRep.Busy) == 0) {
		fmt.Fprintln(s.Out, "Nothing to recover: every recording and live session has a live writer or has ended.")
	}
	if !opts.dryRun && events > 0 {
		fmt.Fprintf(s.Out, "Ingested %d events from the recordings.\n", events)
	}
	return ingestErr
}

// recoverLiveLocked recovers live sessions under the sync lock.
func recoverLiveLocked(ctx context.Context, app *App, dryRun bool) (*live.Report, error) {
	lock, err := acquireSyncLock(ctx, app, "reel recover")
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	store, err := app.Store(ctx)
	if err != nil {
		return nil, err
	}
	return recoverLive(ctx, app, store, dryRun)
}

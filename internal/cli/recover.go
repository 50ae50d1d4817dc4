package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/live"
	"github.com/reel-sh/reel/internal/snapshot"
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
recovered and ingested; an empty one is discarded. Recordings are recovered
newest first (by their crash snapshot, rewritten at start and at every
checkpoint), and their snapshots removed. Then every recording not yet in the
store is ingested. 'reel rec start' and 'reel sync' do the same for dead
recordings; 'reel status' shows the interrupted ones and the last recovery.

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
	if !opts.dryRun {
		if err := recordRecovered(opts.app, rcs); err != nil {
			return err
		}
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
	printRecovered(s, rcs, opts.dryRun)
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

// printRecovered says what a recovery of recordings did (or, with dryRun,
// would do).
func printRecovered(s *Streams, rcs []journal.Recovered, dryRun bool) {
	verb := map[bool]string{true: "would recover", false: "recovered"}[dryRun]
	for _, rc := range rcs {
		if rc.Discarded {
			fmt.Fprintf(s.Out, "%s %q: %s, no command; %s\n", map[bool]string{true: "would discard", false: "discarded"}[dryRun],
				rc.OldName, rc.Reason, "nothing to keep")
			continue
		}
		torn := ""
		if rc.Torn != nil {
			torn = fmt.Sprintf(", torn last line of %d bytes cut off", rc.Torn.Bytes)
		}
		fmt.Fprintf(s.Out, "%s %q as %s: %d commands (%s%s)\n", verb, rc.OldName, s.Paint(styleBold, rc.Name), rc.Commands, rc.Reason, torn)
	}
}

// recoverRecordings recovers the recordings whose owner died (see
// journal.Dir.Recover) and records what it found for reel status.
func recoverRecordings(ctx context.Context, app *App) ([]journal.Recovered, error) {
	d, err := recDir(app)
	if err != nil {
		return nil, err
	}
	rcs, err := d.Recover(ctx, time.Now(), false)
	if rerr := recordRecovered(app, rcs); err == nil {
		err = rerr
	}
	return rcs, err
}

// recordingRecovery is the record of the last recovery of recordings that
// found something, which reel status shows.
type recordingRecovery struct {
	Time      time.Time           `json:"time"`
	Recovered []journal.Recovered `json:"recovered"`
}

// recordRecovered keeps rcs as the last recovery of recordings, when there
// are any.
func recordRecovered(app *App, rcs []journal.Recovered) error {
	if len(rcs) == 0 {
		return nil
	}
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(recordingRecovery{Time: time.Now().UTC(), Recovered: rcs}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode recording recovery record: %w", err)
	}
	if err := atomicfile.WriteFile(cfg.Paths.LastRecordingRecovery(), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write recording recovery record: %w", err)
	}
	return nil
}

// readRecordingRecovery reads what recordRecovered wrote; nil if nothing.
func readRecordingRecovery(app *App) (*recordingRecovery, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(cfg.Paths.LastRecordingRecovery())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recording recovery record: %w", err)
	}
	var rec recordingRecovery
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, &reel.Error{Code: reel.ECORRUPT, Message: "read recording recovery record " + cfg.Paths.LastRecordingRecovery(), Err: err}
	}
	return &rec, nil
}

// recordingStatus is the recordings part of reel status --json.
type recordingStatus struct {
	// Active counts the recordings whose shell runs.
	Active int `json:"active"`
	// Interrupted lists the snapshots of recordings whose shell died,
	// awaiting recovery (the next reel rec start, reel recover or reel
	// sync).
	Interrupted []*snapshot.Snapshot `json:"interrupted"`
	// LastRecovery is the last recovery of recordings that found any.
	LastRecovery *recordingRecovery `json:"last_recovery"`
}

// readRecordingStatus gathers the recordings part of reel status.
func readRecordingStatus(app *App) (*recordingStatus, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	st := &recordingStatus{}
	if st.Active, st.Interrupted, err = snapshotStates(cfg.Paths.RecordingSnapshots()); err != nil {
		return nil, err
	}
	st.LastRecovery, err = readRecordingRecovery(app)
	return st, err
}

// printRecordingStatus prints the recordings part of reel status, when
// there is anything to say.
func printRecordingStatus(s *Streams, st *recordingStatus) {
	if len(st.Interrupted) > 0 {
		fmt.Fprintf(s.Out, "%s %d being recorded, %d interrupted\n", s.Paint(styleBold, "Recordings:"), st.Active, len(st.Interrupted))
		for _, sn := range st.Interrupted {
			fmt.Fprintf(s.Out, "  %s %q: %d events, shell pid %d died (snapshot %s); run 'reel recover'\n",
				s.Paint(styleYellow, "!"), sn.Title, sn.Events, sn.Owner.PID, sn.Time.Local().Format(time.DateTime))
		}
	}
	if r := st.LastRecovery; r != nil {
		fmt.Fprintf(s.Out, "%s %s\n", s.Paint(styleBold, "Last recovery of recordings:"), r.Time.Local().Format(time.DateTime))
		for _, rc := range r.Recovered {
			if rc.Discarded {
				fmt.Fprintf(s.Out, "  %q: discarded, no command (%s)\n", rc.OldName, rc.Reason)
				continue
			}
			fmt.Fprintf(s.Out, "  %q as %s: %d commands, recovered (%s)\n", rc.OldName, rc.Name, rc.Commands, rc.Reason)
		}
	}
	if len(st.Interrupted) > 0 || st.LastRecovery != nil {
		fmt.Fprintln(s.Out)
	}
}

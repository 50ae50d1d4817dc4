package cli

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/spf13/cobra"
)

type checkpointsOptions struct {
	app  *App
	ref  string
	json bool
}

func newCheckpointsCmd(app *App) *cobra.Command {
	opts := &checkpointsOptions{app: app}
	cmd := &cobra.Command{
		Use:   "checkpoints SESSION",
		Short: "List a session's checkpoints, in order",
		Long: `Checkpoints lists the checkpoints of a stored session, by seq: the event each
marks (the next one, for a checkpoint taken while the session ran). SESSION is
a full id or a unique prefix.`,
		Example: `  reel checkpoints 3f2a9c
  reel checkpoints 3f2a9c --json | jq -r '.[] | select(.label != null) | .label'`,
		Args: exactArgs(1, "one session id or prefix"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return runCheckpoints(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON: id, session_id, label, time, seq, state")
	return cmd
}

func runCheckpoints(ctx context.Context, opts *checkpointsOptions) error {
	s := opts.app.Streams
	store, err := opts.app.Store(ctx)
	if err != nil {
		return err
	}
	ss, err := store.Session(ctx, opts.ref)
	if err != nil {
		return err
	}
	cps, err := store.Checkpoints(ctx, ss.ID)
	if err != nil {
		return err
	}
	if opts.json {
		return writeJSON(s.Out, cps)
	}
	if len(cps) == 0 {
		fmt.Fprintf(s.Err, "Session %s has no checkpoints. Make one with 'reel checkpoint --session %s'.\n",
			reel.ShortID(ss.ID), reel.ShortID(ss.ID))
		return nil
	}
	fmt.Fprintf(s.Out, "%-12s  %6s  %-12s  %-32s  %s\n", "ID", "SEQ", "TIME", "LABEL", "STATE")
	for _, c := range cps {
		label, state := c.Label, "-"
		if label == "" {
			label = "-"
		}
		if len(c.State) > 0 {
			state = humanize.Bytes(int64(len(c.State)))
		}
		fmt.Fprintf(s.Out, "%-12s  %6d  %-12s  %-32s  %s\n", s.Paint(styleCyan, reel.ShortID(c.ID)), c.Seq,
			clock(c.Time), truncate(label, 32), state)
	}
	return nil
}

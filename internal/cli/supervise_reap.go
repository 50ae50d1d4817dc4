package cli

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
	"github.com/spf13/cobra"
)

type reapOptions struct {
	app  *App
	json bool
}

func newReapCmd(app *App) *cobra.Command {
	opts := &reapOptions{app: app}
	cmd := &cobra.Command{
		Use:   "reap",
		Short: "Forget sessions whose tmux session is gone; mark stopped those whose agent exited",
		Long: `Reap compares the supervised sessions with tmux: a session whose tmux session
is gone is removed from the list, one whose agent's process exited is kept as
stopped. When tmux cannot be asked, nothing changes. The daemon reaps by itself.`,
		Example: `  reel reap
  reel reap --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runReap(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print what changed as JSON")
	return cmd
}

func runReap(ctx context.Context, opts *reapOptions) error {
	sup, err := opts.app.Supervisor(ctx)
	if err != nil {
		return err
	}
	rep, err := sup.Reap(ctx)
	if err != nil {
		return err
	}
	s := opts.app.Streams
	if opts.json {
		return writeJSON(s.Out, rep)
	}
	for _, a := range rep.Removed {
		fmt.Fprintf(s.Out, "removed %s (%s): its tmux session %s is gone\n", a.Name, reel.ShortID(a.ID), a.Tmux)
	}
	for _, a := range rep.Stopped {
		fmt.Fprintf(s.Out, "stopped %s (%s): its agent exited\n", a.Name, reel.ShortID(a.ID))
	}
	if len(rep.Removed)+len(rep.Stopped) == 0 {
		fmt.Fprintln(s.Err, "Nothing to reap.")
	}
	return nil
}

type adoptOptions struct {
	app  *App
	name string
	json bool
}

func newAdoptCmd(app *App) *cobra.Command {
	opts := &adoptOptions{app: app}
	cmd := &cobra.Command{
		Use:   "adopt TMUXSESSION [-n NAME]",
		Short: "Supervise a tmux session that reel did not start",
		Example: `  reel adopt work
  reel adopt 3 -n api`,
		Args: exactArgs(1, "a tmux session's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sup, err := opts.app.Supervisor(cmd.Context())
			if err != nil {
				return err
			}
			a, err := sup.Adopt(cmd.Context(), args[0], opts.name)
			if err != nil {
				return err
			}
			s := opts.app.Streams
			if opts.json {
				return writeJSON(s.Out, a)
			}
			fmt.Fprintf(s.Out, "adopted tmux session %s as %s (%s)\n", a.Tmux, s.Paint(styleBold, a.Name), reel.ShortID(a.ID))
			return nil
		},
	}
	cmd.Flags().StringVarP(&opts.name, "name", "n", "", "the session's name (default: the tmux session's)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the session as JSON")
	return cmd
}

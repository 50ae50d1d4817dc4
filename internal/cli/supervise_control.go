package cli

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
	"github.com/spf13/cobra"
)

// agentOptions are the options of the commands that change one session
// and print it.
type agentOptions struct {
	app  *App
	note string
	json bool
}

func newPauseCmd(app *App) *cobra.Command {
	opts := &agentOptions{app: app}
	cmd := &cobra.Command{
		Use:   "pause KEY [--note TEXT]",
		Short: "Mark a supervised session paused, with a note or a summary of its screen",
		Long: `Pause marks the session paused and keeps why: your note, or, without one, a
summary of the pane's last 50 lines. KEY is the session's name, id or id
prefix. The agent keeps running; reel resume ends the pause.`,
		Example: `  reel pause api --note "waiting for the schema review"
  reel pause api && reel ps --json | jq -r '.[] | select(.name == "api") | .pause.summary'`,
		Args: exactArgs(1, "a session (name, id or id prefix)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAgentChange(cmd.Context(), opts, func(ctx context.Context, sup reel.Supervisor) (reel.AgentSession, error) {
				return sup.Pause(ctx, args[0], opts.note)
			})
		},
	}
	cmd.Flags().StringVar(&opts.note, "note", "", "why it is paused (default: a summary of its last output)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the session as JSON")
	return cmd
}

func newResumeCmd(app *App) *cobra.Command {
	opts := &agentOptions{app: app}
	cmd := &cobra.Command{
		Use:     "resume KEY",
		Short:   "End a supervised session's pause",
		Example: `  reel resume api`,
		Args:    exactArgs(1, "a session (name, id or id prefix)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAgentChange(cmd.Context(), opts, func(ctx context.Context, sup reel.Supervisor) (reel.AgentSession, error) {
				return sup.Resume(ctx, args[0])
			})
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the session as JSON")
	return cmd
}

func newStopCmd(app *App) *cobra.Command {
	opts := &agentOptions{app: app}
	cmd := &cobra.Command{
		Use:   "stop KEY",
		Short: "End a supervised session's tmux session, keeping its record",
		Long: `Stop kills the session's tmux session, and the agent with it. The record stays,
stopped (reel ps --all); a new session may take its name.`,
		Example: `  reel stop api`,
		Args:    exactArgs(1, "a session (name, id or id prefix)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAgentChange(cmd.Context(), opts, func(ctx context.Context, sup reel.Supervisor) (reel.AgentSession, error) {
				return sup.Stop(ctx, args[0])
			})
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the session as JSON")
	return cmd
}

// runAgentChange makes one change through the supervisor and prints the
// session it leaves.
func runAgentChange(ctx context.Context, opts *agentOptions, change func(context.Context, reel.Supervisor) (reel.AgentSession, error)) error {
	sup, err := opts.app.Supervisor(ctx)
	if err != nil {
		return err
	}
	a, err := change(ctx, sup)
	if err != nil {
		return err
	}
	s := opts.app.Streams
	if opts.json {
		return writeJSON(s.Out, a)
	}
	fmt.Fprintf(s.Out, "%s is %s\n", s.Paint(styleBold, a.Name), s.Paint(statusStyle(a.Status), a.Status))
	if a.Status == reel.AgentPaused && a.Pause != nil && a.Pause.Summary != "" {
		what := "note"
		if a.Pause.Auto {
			what = "last output"
		}
		fmt.Fprintf(s.Out, "%s:\n%s\n", what, a.Pause.Summary)
	}
	return nil
}

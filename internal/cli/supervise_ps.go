package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/spf13/cobra"
)

type psOptions struct {
	app  *App
	all  bool
	json bool
}

func newPsCmd(app *App) *cobra.Command {
	opts := &psOptions{app: app}
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "List the agent sessions reel supervises, newest first",
		Long: `Ps lists the supervised sessions with their status: starting (the agent's
process is not found yet), running, waiting (for your input, as the agent's
hooks said), idle (quiet for two minutes), paused, or stopped (only with --all).`,
		Example: `  reel ps
  reel ps --all
  reel ps --json | jq -r '.[] | select(.status == "waiting") | .name'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runPs(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.all, "all", false, "include stopped sessions")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the sessions as JSON")
	return cmd
}

func runPs(ctx context.Context, opts *psOptions) error {
	sup, err := opts.app.Supervisor(ctx)
	if err != nil {
		return err
	}
	list, err := sup.Agents(ctx)
	if err != nil {
		return err
	}
	shown := []reel.AgentSession{}
	for _, a := range list {
		if opts.all || a.Status != reel.AgentStopped {
			shown = append(shown, a)
		}
	}
	s := opts.app.Streams
	if opts.json {
		return writeJSON(s.Out, shown)
	}
	if len(shown) == 0 {
		msg := "No supervised sessions. Start one with: reel run -- COMMAND"
		if len(list) > 0 {
			msg = fmt.Sprintf("No running sessions (%d stopped: reel ps --all).", len(list))
		}
		fmt.Fprintln(s.Err, msg)
		return nil
	}
	home := opts.app.Getenv("HOME")
	now := time.Now()
	fmt.Fprintf(s.Out, "%-12s  %-16s  %-8s  %-12s  %7s  %-24s  %-8s  %s\n",
		"ID", "NAME", "STATUS", "AGENT", "PID", "DIR", "AGE", "LAST ACTIVE")
	for _, a := range shown {
		pid := "-"
		if a.PID > 0 {
			pid = strconv.Itoa(a.PID)
		}
		fmt.Fprintf(s.Out, "%-12s  %-16s  %s  %-12s  %7s  %-24s  %-8s  %s\n",
			s.Paint(styleCyan, reel.ShortID(a.ID)), truncate(a.Name, 16),
			s.Paint(statusStyle(a.Status), fmt.Sprintf("%-8s", a.Status)), truncate(a.Agent, 12), pid,
			truncate(shortDir(a.Dir, home), 24), strings.TrimSuffix(humanize.Ago(now.Sub(a.CreatedAt)), " ago"),
			humanize.Ago(now.Sub(a.LastActivity)))
	}
	return nil
}

// statusStyle colours a supervised session's status.
func statusStyle(status string) string {
	switch status {
	case reel.AgentRunning:
		return styleGreen
	case reel.AgentWaiting:
		return styleYellow
	case reel.AgentPaused:
		return styleBlue
	case reel.AgentStopped:
		return styleRed
	case reel.AgentIdle, reel.AgentStarting:
		return styleDim
	}
	return styleBold
}

// shortDir writes dir with the home folder as ~.
func shortDir(dir, home string) string {
	if home != "" && (dir == home || strings.HasPrefix(dir, home+string(filepath.Separator))) {
		return "~" + dir[len(home):]
	}
	return dir
}

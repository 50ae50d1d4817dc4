package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/spf13/cobra"
)

// Main runs reel with args and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &App{Streams: NewStreams(stdin, stdout, stderr, os.Getenv)}
	defer app.Close()
	root := newRootCmd(app)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil && ctx.Err() != nil && !app.stopped {
		err = ctx.Err()
	}
	if err != nil {
		printError(app.Streams, err)
	}
	return exitCode(err)
}

func printError(s *Streams, err error) {
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(s.Err, "reel: interrupted")
		return
	}
	fmt.Fprintln(s.Err, s.Paint(styleRed, "reel: ")+err.Error())
	if hint := reel.ErrorHint(err); hint != "" {
		fmt.Fprintln(s.Err, "hint: "+hint)
	}
}

func newRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "reel",
		Short: "A flight recorder for terminal and AI-coding-agent sessions",
		Long: `reel is a flight recorder and control tower for AI-coding-agent sessions. It
keeps every session you run (Claude Code, Codex, Gemini CLI, opencode, Cursor,
aider and more, and the shell commands you record) in one searchable store,
losslessly and incrementally; it marks checkpoints and answers what happened
between them; and its daemon runs agents in tmux, watches them through their
hooks, and serves an HTTP API and an MCP server.

Files: config in $XDG_CONFIG_HOME/reel/config.toml, data in $XDG_DATA_HOME/reel,
state in $XDG_STATE_HOME/reel. REEL_HOME puts everything under one folder.
Set NO_COLOR to turn colours off.`,
		Example: `  reel sync
  reel search "flaky migration" --since 7d
  reel sessions --source claude-code --project myapp
  reel show 3f2a9c
  reel checkpoint -l before-refactor --session 3f2a9c
  reel events 3f2a9c --from-checkpoint before-refactor --kind tool_call
  reel run -n api -- claude && reel ps     # supervise an agent in tmux
  reel export 3f2a9c --format markdown > session.md`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(app.Streams.Out)
	root.SetErr(app.Streams.Err)
	root.SetIn(app.Streams.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%w\nrun '%s --help' for usage", err, c.CommandPath())}
	})
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitCodesHelp + "\n")
	root.AddCommand(
		newSyncCmd(app),
		newEmbedCmd(app),
		newAdaptersCmd(app),
		newImportCmd(app),
		newRecCmd(app),
		newInitCmd(app),
		newRecoverCmd(app),
		newReplayCmd(app),
		newStatusCmd(app),
		newSessionsCmd(app),
		newSearchCmd(app),
		newShowCmd(app),
		newEventsCmd(app),
		newDiffCmd(app),
		newExportCmd(app),
		newMCPCmd(app),
		newCheckpointCmd(app),
		newCheckpointsCmd(app),
		newDemoCmd(app),
		newBenchCmd(app),
		newVersionCmd(app),
		newDaemonCmd(app),
		newHookCmd(app),
		newHooksCmd(app),
		newRunCmd(app), newPsCmd(app), newPauseCmd(app), newResumeCmd(app), newSendCmd(app),
		newOutputCmd(app), newStopCmd(app), newAttachCmd(app), newReapCmd(app), newAdoptCmd(app),
		newModelsCmd(app),
	)
	return root
}

// exactArgs is cobra.ExactArgs reporting a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &usageError{fmt.Errorf("%s takes %s\nrun '%s --help' for usage", cmd.CommandPath(), what, cmd.CommandPath())}
		}
		return nil
	}
}

// minimumArgs is cobra.MinimumNArgs reporting a usage error.
func minimumArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return &usageError{fmt.Errorf("%s takes %s\nrun '%s --help' for usage", cmd.CommandPath(), what, cmd.CommandPath())}
		}
		return nil
	}
}

// splitList accepts repeated and comma-separated flag values.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

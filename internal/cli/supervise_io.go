package cli

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/tmux"
	"github.com/spf13/cobra"
)

type sendOptions struct {
	app     *App
	noEnter bool
}

func newSendCmd(app *App) *cobra.Command {
	opts := &sendOptions{app: app}
	cmd := &cobra.Command{
		Use:   "send KEY TEXT... [--no-enter]",
		Short: "Type text into a supervised session, then press Enter",
		Long: `Send types TEXT (several words are joined with spaces) into the session's
pane exactly as written, then presses Enter unless --no-enter.`,
		Example: `  reel send api "run the tests again"
  reel send api --no-enter "/compact"`,
		Args: minimumArgs(2, "a session and the text to type"),
		RunE: func(cmd *cobra.Command, args []string) error {
			sup, err := opts.app.Supervisor(cmd.Context())
			if err != nil {
				return err
			}
			return sup.Send(cmd.Context(), args[0], strings.Join(args[1:], " "), !opts.noEnter)
		},
	}
	cmd.Flags().BoolVar(&opts.noEnter, "no-enter", false, "type the text without pressing Enter")
	return cmd
}

type outputOptions struct {
	app   *App
	lines int
	json  bool
}

// outputReport is reel output --json.
type outputReport struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Lines  int    `json:"lines"`
	Output string `json:"output"`
}

func newOutputCmd(app *App) *cobra.Command {
	opts := &outputOptions{app: app}
	cmd := &cobra.Command{
		Use:   "output KEY [--lines N]",
		Short: "Print a supervised session's screen and history",
		Example: `  reel output api
  reel output api --lines 0 > api.log`,
		Args: exactArgs(1, "a session (name, id or id prefix)"),
		RunE: func(cmd *cobra.Command, args []string) error { return runOutput(cmd.Context(), opts, args[0]) },
	}
	cmd.Flags().IntVar(&opts.lines, "lines", 50, "the last N lines (0 for all of the history)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return cmd
}

func runOutput(ctx context.Context, opts *outputOptions, key string) error {
	if opts.lines < 0 {
		return reel.Errorf(reel.EINVALID, "--lines must be 0 or more")
	}
	sup, err := opts.app.Supervisor(ctx)
	if err != nil {
		return err
	}
	a, err := sup.Agent(ctx, key)
	if err != nil {
		return err
	}
	out, err := sup.Output(ctx, a.ID, opts.lines)
	if err != nil {
		return err
	}
	s := opts.app.Streams
	if opts.json {
		return writeJSON(s.Out, outputReport{ID: a.ID, Name: a.Name, Lines: strings.Count(out, "\n"), Output: out})
	}
	_, err = fmt.Fprint(s.Out, out)
	return err
}

type attachOptions struct {
	app   *App
	print bool
}

// attacher is a supervisor that knows the command attaching a terminal
// to a session (the tmux one does).
type attacher interface {
	Attach(ctx context.Context, key string) ([]string, error)
}

func newAttachCmd(app *App) *cobra.Command {
	opts := &attachOptions{app: app}
	cmd := &cobra.Command{
		Use:   "attach KEY",
		Short: "Attach this terminal to a supervised session's tmux session",
		Long: `Attach runs tmux attach-session on the session (switch-client inside tmux).
Detach with tmux's prefix key and d (Ctrl-b d by default): the agent keeps running.`,
		Example: `  reel attach api
  reel attach api --print`,
		Args: exactArgs(1, "a session (name, id or id prefix)"),
		RunE: func(cmd *cobra.Command, args []string) error { return runAttach(cmd.Context(), opts, args[0]) },
	}
	cmd.Flags().BoolVar(&opts.print, "print", false, "print the tmux command instead of running it")
	return cmd
}

func runAttach(ctx context.Context, opts *attachOptions, key string) error {
	sup, err := opts.app.Supervisor(ctx)
	if err != nil {
		return err
	}
	var args []string
	if at, ok := sup.(attacher); ok {
		if args, err = at.Attach(ctx, key); err != nil {
			return err
		}
	} else {
		a, err := sup.Agent(ctx, key)
		if err != nil {
			return err
		}
		args = tmux.AttachArgs(a.Socket, a.Tmux)
	}
	if opts.app.Getenv("TMUX") != "" {
		// Inside tmux, attaching would nest; switch this client instead.
		for i, a := range args {
			if a == "attach-session" {
				args[i] = "switch-client"
			}
		}
	}
	s := opts.app.Streams
	if opts.print {
		fmt.Fprintln(s.Out, strings.Join(args, " "))
		return nil
	}
	c := exec.CommandContext(ctx, args[0], args[1:]...)
	c.Stdin, c.Stdout, c.Stderr = s.In, s.Out, s.Err
	if err := c.Run(); err != nil {
		return &reel.Error{Code: reel.EINTERNAL, Message: "attach: " + strings.Join(args, " "), Err: err,
			Hint: "attach needs a terminal; reel output " + key + " prints the screen"}
	}
	return nil
}

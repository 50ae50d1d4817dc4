package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/spf13/cobra"
)

type runOptions struct {
	app  *App
	name string
	dir  string
	env  []string
	json bool
}

func newRunCmd(app *App) *cobra.Command {
	opts := &runOptions{app: app}
	cmd := &cobra.Command{
		Use:   "run [-n NAME] [--dir DIR] [-e KEY=VALUE]... -- COMMAND [ARG...]",
		Short: "Start an agent (or any command) in a tmux session that reel supervises",
		Long: `Run starts COMMAND through your shell in a new detached tmux session named
reel-NAME and registers it. NAME defaults to the folder's name, made unique
with -2, -3, ... The session keeps running when you close the terminal: see it
with reel ps, look in with reel attach, type into it with reel send.

The command gets this shell's PATH (unless -e PATH=... says otherwise) and the
variables given with -e; the rest of its environment is the tmux server's.
REEL_TMUX_SOCKET names the tmux server to use (tmux -L); tmux's default
server if unset.`,
		Example: `  reel run -- claude
  reel run -n api --dir ~/src/api -- codex --full-auto
  reel run -e ANTHROPIC_MODEL=opus -- claude --resume`,
		Args: minimumArgs(1, "a command (after --)"),
		RunE: func(cmd *cobra.Command, args []string) error { return runRun(cmd.Context(), opts, args) },
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.StringVarP(&opts.name, "name", "n", "", "the session's name (default: the folder's name)")
	f.StringVar(&opts.dir, "dir", "", "the folder to run in (default: this one)")
	f.StringArrayVarP(&opts.env, "env", "e", nil, "set an environment variable, KEY=VALUE (repeatable)")
	f.BoolVar(&opts.json, "json", false, "print the session as JSON")
	return cmd
}

func runRun(ctx context.Context, opts *runOptions, command []string) error {
	env := map[string]string{}
	for _, kv := range opts.env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return reel.Errorf(reel.EINVALID, "--env %q: want KEY=VALUE", kv)
		}
		env[k] = v
	}
	// The command finds programs as this shell would: a tmux server
	// started earlier (or the daemon's) has its own, older PATH.
	if _, ok := env["PATH"]; !ok && opts.app.Getenv("PATH") != "" {
		env["PATH"] = opts.app.Getenv("PATH")
	}
	// A relative folder is this process's, not the supervisor's (the
	// daemon runs elsewhere).
	dir := opts.dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return reel.Errorf(reel.EINVALID, "--dir %q: %v", opts.dir, err)
	}
	sup, err := opts.app.Supervisor(ctx)
	if err != nil {
		return err
	}
	a, err := sup.Start(ctx, reel.StartRequest{Name: opts.name, Dir: dir, Command: command, Env: env})
	if err != nil {
		return err
	}
	s := opts.app.Streams
	if opts.json {
		return writeJSON(s.Out, a)
	}
	fmt.Fprintf(s.Out, "started %s (%s) in tmux session %s\n", s.Paint(styleBold, a.Name), reel.ShortID(a.ID), a.Tmux)
	fmt.Fprintf(s.Err, "look in: reel attach %s   type: reel send %s TEXT   list: reel ps\n", a.Name, a.Name)
	return nil
}

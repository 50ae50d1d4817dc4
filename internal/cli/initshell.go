package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/reel-sh/reel/internal/shellhook"
	"github.com/spf13/cobra"
)

type initOptions struct {
	app   *App
	shell string
}

func newInitCmd(app *App) *cobra.Command {
	opts := &initOptions{app: app}
	cmd := &cobra.Command{
		Use:   "init SHELL",
		Short: "Print the shell hook that lets reel record (bash, zsh, fish)",
		Long: `Init prints the shell code that lets 'reel rec' record the shell: a 'reel'
function that runs rec start and stop on the shell's behalf, so the shell owns
its recording, and prompt hooks that append one line per command to the active
recording's journal. Until a recording starts, the hooks are one variable test
each; they never start a process and never open the database.

While bash records, commands that bash keeps out of its history (a leading space
with HISTCONTROL=ignorespace, HISTIGNORE) are not recorded; ignoredups and
erasedups are suspended so that repeated commands are. Zsh and fish likewise
skip commands typed with a leading space.`,
		Example: `  echo 'eval "$(reel init bash)"' >> ~/.bashrc
  echo 'eval "$(reel init zsh)"' >> ~/.zshrc
  echo 'reel init fish | source' >> ~/.config/fish/config.fish`,
		Args:      exactArgs(1, "one shell: bash, zsh or fish"),
		ValidArgs: shellhook.Shells(),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.shell = args[0]
			return runInit(cmd.Context(), opts)
		},
	}
	return cmd
}

func runInit(ctx context.Context, opts *initOptions) error {
	cfg, err := opts.app.Config()
	if err != nil {
		return err
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the reel binary: %w", err)
	}
	locks := cfg.Paths.RecordingState()
	script, err := shellhook.Script(opts.shell, shellhook.Params{Bin: bin, Locks: locks})
	if err != nil {
		return err
	}
	// The shell opens its lock file there itself, without a process to
	// create the folder.
	if err := os.MkdirAll(locks, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", locks, err)
	}
	_, err = fmt.Fprint(opts.app.Streams.Out, script)
	return err
}

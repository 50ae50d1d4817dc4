package cli

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/shellhook"
	"github.com/spf13/cobra"
)

func newRecCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rec",
		Short: "Record what you type in a shell: start, stop, list, show",
		Long: `Rec records the commands you run in a shell, with their folder, times and exit
status, into a crash-safe journal, and ingests the recording into the store when
it stops, where search, show and export work as for agent sessions.

It needs the shell hook: add eval "$(reel init bash)" (or zsh; fish:
reel init fish | source) to your shell's startup file. One recording is active
at a time; the shell that started it owns it. A recording keeps a crash
snapshot (written at start and at every checkpoint, removed at stop); one whose
shell died is recovered at the next start, 'reel sync' or 'reel recover', and
'reel status' shows it until then.`,
		Example: `  reel rec start -n deploy
  reel rec status
  reel rec stop
  reel rec list --json
  reel rec show deploy
  reel export deploy --format bash`,
	}
	cmd.AddCommand(
		newRecStartCmd(app), newRecStopCmd(app), newRecStatusCmd(app), newRecListCmd(app), newRecShowCmd(app),
		newRecRenameCmd(app), newRecTagCmd(app), newRecDeleteCmd(app), newRecKeepCmd(app),
	)
	return cmd
}

// recDir returns where the recordings live.
func recDir(app *App) (journal.Dir, error) {
	cfg, err := app.Config()
	if err != nil {
		return journal.Dir{}, err
	}
	return journal.DirOf(cfg), nil
}

type recStartOptions struct {
	app      *App
	name     string
	emit     string
	shellPID int
	lockFD   int
	lockPath string
	selfSync bool
}

func newRecStartCmd(app *App) *cobra.Command {
	opts := &recStartOptions{app: app}
	cmd := &cobra.Command{
		Use:   "start [-n NAME]",
		Short: "Start recording this shell",
		Long: `Start begins recording the shell it is typed in. The name defaults to
session-YYYY-MM-DD-HHMMSS; a name already taken gets -2, -3…. Names are letters,
digits, '_' and '-'.

Only one recording is active at a time: a second start says which recording is
active and in which shell. A start first recovers any recording whose shell died.
Type it in a shell with reel's hook; the hook runs the reel binary with what it
needs (the flags hidden from this help).`,
		Example: `  reel rec start
  reel rec start -n deploy-staging`,
		Args: exactArgs(0, "no arguments (the name goes in -n)"),
		RunE: func(cmd *cobra.Command, args []string) error { return runRecStart(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.StringVarP(&opts.name, "name", "n", "", "the recording's name")
	f.StringVar(&opts.emit, "emit", "", "print shell code for this shell's hook (bash, zsh, fish)")
	f.IntVar(&opts.shellPID, "shell-pid", 0, "the recording shell's pid")
	f.IntVar(&opts.lockFD, "lock-fd", -1, "the descriptor the shell opened the pending lock file on")
	f.StringVar(&opts.lockPath, "lock-path", "", "the pending lock file")
	f.BoolVar(&opts.selfSync, "self-sync", false, "the shell writes the journal through O_SYNC; no keeper")
	for _, hidden := range []string{"emit", "shell-pid", "lock-fd", "lock-path", "self-sync"} {
		f.MarkHidden(hidden)
	}
	// The hook evaluates what start prints, so with --emit help goes to
	// standard error.
	help := cmd.HelpFunc()
	cmd.SetHelpFunc(func(c *cobra.Command, args []string) {
		if opts.emit != "" {
			c.SetOut(app.Streams.Err)
		}
		help(c, args)
	})
	return cmd
}

func runRecStart(ctx context.Context, opts *recStartOptions) (err error) {
	s := opts.app.Streams
	if opts.emit == "" || opts.shellPID <= 0 {
		return reel.Errorf(reel.EUNSUPPORT, "reel rec start records the shell it is typed in, through reel's shell hook").
			WithHint(`load the hook first: eval "$(reel init bash)" (or zsh; for fish: reel init fish | source)`)
	}
	if !slices.Contains(shellhook.Shells(), opts.emit) {
		return reel.Errorf(reel.EINVALID, "--emit %q: not a shell reel hooks into", opts.emit)
	}
	d, err := recDir(opts.app)
	if err != nil {
		return err
	}
	// Bash and zsh opened the pending lock file on a descriptor they keep;
	// fish cannot, so reel opens it and hands it to the keeper.
	var lock *os.File
	if opts.emit == "fish" {
		if lock, err = d.PendingLock(); err != nil {
			return err
		}
		defer lock.Close()
	} else {
		if opts.lockFD < 0 || opts.lockPath == "" {
			return reel.Errorf(reel.EINVALID, "--lock-fd and --lock-path are needed for %s", opts.emit)
		}
		lock = os.NewFile(uintptr(opts.lockFD), opts.lockPath)
		if lock == nil {
			return reel.Errorf(reel.EINVALID, "--lock-fd %d is not open", opts.lockFD)
		}
	}
	defer func() {
		if err != nil {
			os.Remove(lock.Name()) // still pending: Start names it only on success
		}
	}()
	cwd, _ := os.Getwd()
	st, err := d.Start(ctx, journal.StartOptions{
		Name: opts.name, Kind: journal.KindShell, Shell: opts.emit, TTY: journal.TTYOf(opts.shellPID), Cwd: cwd,
		Env: selectedEnv(opts.app.Getenv), Owner: journal.OwnerOf(opts.shellPID), Lock: lock, Now: time.Now(),
	})
	if err != nil {
		return err
	}
	r := st.Recording
	// The keeper must not inherit the shell's descriptor: it would hold
	// the lock after the shell died.
	if opts.emit != "fish" {
		syscall.CloseOnExec(opts.lockFD)
	}
	if opts.emit != "zsh" || !opts.selfSync {
		hold := (*os.File)(nil)
		if opts.emit == "fish" {
			hold = lock
		}
		if err := startKeeper(r.Path, st.LockPath, hold); err != nil {
			fmt.Fprintf(s.Err, "reel: warning: no keeper for the journal (%v); lines are written but not fsynced\n", err)
		}
	}
	vars := [][2]string{
		{"__reel_id", r.Header.ID}, {"__reel_name", r.Name}, {"__reel_journal", r.Path},
		{"__reel_lock", st.LockPath}, {"__reel_cmdfile", d.CmdPath(r.Header.ID)},
	}
	code := shellhook.Assign(opts.emit, vars)
	if opts.emit == "fish" {
		code += "__reel_attach\n"
	} else {
		code += "__reel_attach " + strconv.Itoa(opts.lockFD) + "\n"
	}
	if _, err := fmt.Fprint(s.Out, code); err != nil {
		return err
	}
	reportRecovered(ctx, opts.app, st.Recovered)
	fmt.Fprintf(s.Err, "reel: recording %s (%s); stop with 'reel rec stop'\n", s.Paint(styleBold, r.Name), reel.ShortID(r.Header.ID))
	return nil
}

// selectedEnv is the part of the environment a recording keeps: what
// tells where and how commands ran, never tokens or keys.
func selectedEnv(getenv func(string) string) map[string]string {
	env := map[string]string{}
	for _, k := range []string{"USER", "LOGNAME", "HOME", "SHELL", "TERM", "TERM_PROGRAM", "LANG", "LC_ALL", "TZ",
		"PATH", "VIRTUAL_ENV", "CONDA_DEFAULT_ENV", "TMUX_PANE"} {
		if v := getenv(k); v != "" {
			env[k] = v
		}
	}
	return env
}

// reportRecovered tells what a start or stop recovered and ingests it.
func reportRecovered(ctx context.Context, app *App, rcs []journal.Recovered) {
	s := app.Streams
	if err := recordRecovered(app, rcs); err != nil {
		fmt.Fprintf(s.Err, "reel: warning: %v\n", err)
	}
	var paths []string
	for _, rc := range rcs {
		if rc.Discarded {
			fmt.Fprintf(s.Err, "reel: discarded %q: its %s, and it had no command\n", rc.OldName, rc.Reason)
			continue
		}
		torn := ""
		if rc.Torn != nil {
			torn = fmt.Sprintf("; a torn last line of %d bytes was cut off", rc.Torn.Bytes)
		}
		fmt.Fprintf(s.Err, "reel: recovered %q as %s: %d commands (%s%s)\n", rc.OldName, s.Paint(styleBold, rc.Name), rc.Commands, rc.Reason, torn)
		paths = append(paths, rc.Path)
	}
	if len(paths) == 0 {
		return
	}
	if _, err := ingestJournals(ctx, app, paths...); err != nil {
		fmt.Fprintf(s.Err, "reel: warning: the recovered recordings are not in the store yet: %v\nhint: run 'reel recover' to ingest them\n", err)
	}
}

type recStopOptions struct {
	app  *App
	ref  string
	json bool
}

func newRecStopCmd(app *App) *cobra.Command {
	opts := &recStopOptions{app: app}
	cmd := &cobra.Command{
		Use:   "stop [NAME]",
		Short: "Stop the active recording and ingest it",
		Long: `Stop writes the recording's footer, ends it in the shell that owns it (which
stops writing at its next command, if it is another shell), and ingests it into
the store. Without NAME it stops the active recording.`,
		Example: `  reel rec stop
  reel rec stop deploy --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.ref = args[0]
			}
			return runRecStop(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the stopped recording as JSON")
	return cmd
}

func runRecStop(ctx context.Context, opts *recStopOptions) error {
	s := opts.app.Streams
	d, err := recDir(opts.app)
	if err != nil {
		return err
	}
	r, rc, err := d.Stop(ctx, opts.ref, time.Now())
	if err != nil {
		return err
	}
	if rc != nil {
		reportRecovered(ctx, opts.app, []journal.Recovered{*rc})
		if rc.Discarded {
			return nil
		}
	}
	_, ingestErr := ingestJournals(ctx, opts.app, r.Path)
	sum := summarize(journal.Entry{Recording: r, Local: true})
	if opts.json {
		if err := writeJSON(s.Out, sum); err != nil {
			return err
		}
	} else if rc == nil {
		fmt.Fprintf(s.Out, "Stopped %s: %d commands in %s. Session %s: reel show %s\n", s.Paint(styleBold, r.Name),
			len(r.Commands), r.LastTime().Sub(r.Header.StartedAt).Round(time.Second), reel.ShortID(sum.SessionID), reel.ShortID(sum.SessionID))
	}
	if ingestErr != nil {
		return &reel.Error{Code: reel.ErrorCode(ingestErr), Message: "the recording stopped, but it is not in the store", Err: ingestErr,
			Hint: "run 'reel recover' to ingest it"}
	}
	return nil
}

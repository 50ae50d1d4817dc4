package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/replay"
	"github.com/spf13/cobra"
)

type replayOptions struct {
	app           *App
	ref           string
	dryRun        bool
	step          bool
	from          int
	skip          []string
	skipPatterns  []string
	cwd           string
	dangerPolicy  string
	dangerPreset  string
	dangerPattern []string
	keepGoing     bool
	shell         string
	json          bool
}

func newReplayCmd(app *App) *cobra.Command {
	opts := &replayOptions{app: app}
	cmd := &cobra.Command{
		Use:   "replay SESSION",
		Short: "Run a recording's commands again, skipping dangerous ones",
		Long: `Replay runs the commands of a recording (by name or id) or of any stored session
with command events (by id or prefix), in order, each in the folder it ran in;
--cwd DIR stands DIR for the folder the recording started in. Steps are numbered
as in 'reel rec show'.

Every command is checked first against a danger preset (strict, moderate,
minimal) and your own --danger-pattern regular expressions: rm -rf /, mkfs, dd to
a device, fork bombs, chmod -R 777, DROP TABLE, curl | sh, sudo and more. By
default dangerous commands are skipped; abort refuses the whole replay before
anything runs; allow runs them. A step that fails where the recording did not
stops the replay, unless --keep-going.

The replay is itself recorded, as a session named replay-NAME, with what ran,
its output, and what was skipped and why.`,
		Example: `  reel replay deploy --dry-run
  reel replay deploy --step
  reel replay deploy --from 4 --skip 6,7 --cwd ~/src/api-copy
  reel replay 3f2a9c --skip-pattern 'git push*' --danger-preset strict
  reel replay deploy --danger-policy abort --danger-pattern 'terraform\s+apply'`,
		Args: exactArgs(1, "one recording name, or session id or prefix"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return runReplay(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.dryRun, "dry-run", false, "print what would run and what would be skipped; run nothing")
	f.BoolVar(&opts.step, "step", false, "ask before each step")
	f.IntVar(&opts.from, "from", 1, "start at step N")
	f.StringSliceVar(&opts.skip, "skip", nil, "step numbers not to run (repeat or comma-separate)")
	f.StringArrayVar(&opts.skipPatterns, "skip-pattern", nil, "do not run commands matching this glob (* matches anything); repeatable")
	f.StringVar(&opts.cwd, "cwd", "", "run from DIR instead of the recorded folders (keeping subfolders)")
	f.StringVar(&opts.dangerPolicy, "danger-policy", replay.OnDangerSkip, "what to do with dangerous commands: skip, abort or allow")
	f.StringVar(&opts.dangerPreset, "danger-preset", replay.PresetModerate, "which commands are dangerous: strict, moderate or minimal")
	f.StringArrayVar(&opts.dangerPattern, "danger-pattern", nil, "also treat commands matching this regular expression as dangerous; repeatable")
	f.BoolVar(&opts.keepGoing, "keep-going", false, "go on after a step fails")
	f.StringVar(&opts.shell, "shell", "", "run commands with this shell (default: bash, else sh)")
	f.BoolVar(&opts.json, "json", false, "print what each step did as JSON")
	cmd.RegisterFlagCompletionFunc("danger-policy", cobra.FixedCompletions([]string{"skip", "abort", "allow"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("danger-preset", cobra.FixedCompletions(replay.Presets(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// replaySource is what is replayed.
type replaySource struct {
	ID    string
	Name  string
	Shell string
	Steps []replay.Step
}

func runReplay(ctx context.Context, opts *replayOptions) (err error) {
	s := opts.app.Streams
	policy, err := replay.NewPolicy(opts.dangerPreset, opts.dangerPattern)
	if err != nil {
		return err
	}
	var skip []int
	for _, v := range splitList(opts.skip) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return reel.Errorf(reel.EINVALID, "--skip %q: not a step number", v)
		}
		skip = append(skip, n)
	}
	if opts.cwd != "" {
		if opts.cwd, err = filepath.Abs(opts.cwd); err != nil {
			return err
		}
		if fi, err := os.Stat(opts.cwd); err != nil || !fi.IsDir() {
			return reel.Errorf(reel.EINVALID, "--cwd %s is not a folder", opts.cwd)
		}
	}
	src, err := loadReplaySource(ctx, opts.app, opts.ref)
	if err != nil {
		return err
	}
	shell := opts.shell
	if shell == "" {
		shell = replay.DefaultShell()
	}
	ro := replay.Options{
		Steps: src.Steps, DryRun: opts.dryRun, Confirm: opts.step, From: opts.from, Skip: skip,
		SkipPatterns: opts.skipPatterns, Cwd: opts.cwd, Policy: policy, OnDanger: opts.dangerPolicy,
		KeepGoing: opts.keepGoing, Shell: shell, In: s.In, Out: s.Out, Err: s.Err,
	}
	if opts.json {
		ro.Out = s.Err // the commands' own output must not mix with the JSON
	}
	var rec *journal.Recording
	var d journal.Dir
	if !opts.dryRun {
		d, err = recDir(opts.app)
		if err != nil {
			return err
		}
		lock, err := d.PendingLock()
		if err != nil {
			return err
		}
		defer lock.Close()
		cwd, _ := os.Getwd()
		if opts.cwd != "" {
			cwd = opts.cwd
		}
		st, err := d.Start(ctx, journal.StartOptions{
			Name: replayName(src.Name), Kind: journal.KindReplay, Shell: filepath.Base(shell), Cwd: cwd,
			Owner: journal.OwnerOf(os.Getpid()), Lock: lock, Now: time.Now(),
			Replay: &journal.ReplayOf{Session: src.ID, Name: src.Name, Policy: opts.dangerPolicy, Preset: policy.Preset},
		})
		if err != nil {
			os.Remove(lock.Name())
			return err
		}
		rec = st.Recording
		reportRecovered(ctx, opts.app, st.Recovered)
		ro.Record = replay.JournalRecorder{Path: rec.Path}
	}
	res, runErr := replay.Run(ctx, ro)
	sessionID := ""
	if rec != nil {
		// The replay is recorded whatever happened; a failed step is
		// part of it.
		stopCtx := context.WithoutCancel(ctx)
		r, _, err := d.Stop(stopCtx, rec.Header.ID, time.Now())
		if err != nil {
			return err
		}
		if _, err := ingestJournals(stopCtx, opts.app, r.Path); err != nil && runErr == nil {
			runErr = err
		}
		sessionID = journal.SessionID(r.Header.ID)
		rec = r
	}
	if res == nil {
		return runErr
	}
	if opts.json {
		doc := map[string]any{"source": src.ID, "name": src.Name, "dry_run": opts.dryRun, "result": res}
		if rec != nil {
			doc["replay"] = map[string]string{"id": rec.Header.ID, "name": rec.Name, "session_id": sessionID}
		}
		if err := writeJSON(s.Out, doc); err != nil {
			return err
		}
		return runErr
	}
	printReplay(s, res, opts.dryRun)
	if rec != nil {
		fmt.Fprintf(s.Err, "reel: replay recorded as %s; reel show %s\n", s.Paint(styleBold, rec.Name), reel.ShortID(sessionID))
	}
	return runErr
}

// replayName names the replay of a recording: replay-NAME, within the
// length a name may have.
func replayName(name string) string {
	n := "replay-" + strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '-'
	}, name)
	if len(n) > journal.MaxNameLen-4 {
		n = n[:journal.MaxNameLen-4]
	}
	return n
}

func printReplay(s *Streams, res *replay.Result, dryRun bool) {
	for _, o := range res.Outcomes {
		cmd := strings.ReplaceAll(o.Command, "\n", "\n        ")
		switch o.Action {
		case "would-run":
			fmt.Fprintf(s.Err, "%4d  %s  %s %s\n", o.N, s.Paint(styleGreen, "run "), cmd, s.Paint(styleDim, "(in "+o.Dir+")"))
		case "skip":
			fmt.Fprintf(s.Err, "%4d  %s  %s %s\n", o.N, s.Paint(styleYellow, "skip"), cmd, s.Paint(styleDim, "("+o.Reason+")"))
		}
	}
	if dryRun {
		fmt.Fprintf(s.Err, "Dry run: %d would run, %d skipped.\n", len(res.Outcomes)-res.Skipped, res.Skipped)
		return
	}
	fmt.Fprintf(s.Err, "Replayed: %d run, %d skipped, %d failed.\n", res.Ran, res.Skipped, res.Failed)
}

// loadReplaySource finds what to replay: a recording by name or id, else
// a stored session's command events.
func loadReplaySource(ctx context.Context, app *App, ref string) (replaySource, error) {
	d, err := recDir(app)
	if err != nil {
		return replaySource{}, err
	}
	if e, err := d.Find(ref); err == nil {
		src := replaySource{ID: journal.SessionID(e.Header.ID), Name: e.Name, Shell: e.Header.Shell}
		for _, c := range e.Commands {
			exit := c.Exit
			src.Steps = append(src.Steps, replay.Step{N: c.N, Command: c.Cmd, Cwd: c.Cwd, ExitCode: &exit})
		}
		return src, nil
	} else if reel.ErrorCode(err) == reel.EAMBIGUOUS {
		return replaySource{}, err
	}
	sess, events, err := loadSession(ctx, app, ref, reel.Filter{Kinds: []string{reel.KindCommand}})
	if err != nil {
		return replaySource{}, err
	}
	src := replaySource{ID: sess.ID, Name: sess.Title}
	for i, e := range events {
		var in struct {
			Cwd string `json:"cwd"`
			N   int    `json:"n"`
		}
		json.Unmarshal(e.Input, &in)
		if in.Cwd == "" {
			in.Cwd = sess.Project
		}
		if in.N == 0 {
			in.N = i + 1
		}
		src.Steps = append(src.Steps, replay.Step{N: in.N, Command: e.Text, Cwd: in.Cwd, ExitCode: e.ExitCode})
	}
	if len(src.Steps) == 0 {
		return src, reel.Errorf(reel.ENOTFOUND, "session %s ran no shell command to replay", reel.ShortID(sess.ID))
	}
	if src.Name == "" {
		src.Name = reel.ShortID(sess.ID)
	}
	return src, nil
}

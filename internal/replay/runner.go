package replay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
)

// Dangerous-command actions.
const (
	OnDangerSkip  = "skip"  // leave the command out and go on (the default)
	OnDangerAbort = "abort" // refuse to replay anything
	OnDangerAllow = "allow" // run it anyway
)

// Step is one command to replay.
type Step struct {
	// N is the command's number in the recording, from 1; --from and
	// --skip refer to it.
	N       int
	Command string
	Cwd     string
	// ExitCode is how the command exited in the recording, if known.
	ExitCode *int
}

// Recorder keeps what a replay does, as a journal does.
type Recorder interface {
	Command(journal.Command) error
	Output(journal.Output) error
	Skip(journal.Skip) error
}

// Options configure a replay.
type Options struct {
	Steps []Step
	// DryRun prints what would run and runs nothing.
	DryRun bool
	// Confirm asks before each step (--step).
	Confirm bool
	// From skips the steps before number From.
	From int
	// Skip lists step numbers not to run.
	Skip []int
	// SkipPatterns are globs (* and ? match any characters, / included)
	// matched against the whole command; a match is not run.
	SkipPatterns []string
	// Cwd, if set, stands for the folder the recording started in: each
	// step runs in the same place relative to it.
	Cwd    string
	Policy *Policy
	// OnDanger is what to do with a dangerous step: skip, abort or allow.
	OnDanger string
	// KeepGoing carries on after a step fails; by default a failure the
	// recording did not have stops the replay.
	KeepGoing bool
	// Shell runs each command as Shell -c COMMAND.
	Shell string
	In    io.Reader
	Out   io.Writer
	Err   io.Writer
	// Record, if set, is told every step run or skipped.
	Record Recorder
	// OutputLimit bounds the output kept per command; 64 KiB when 0.
	OutputLimit int
}

// Outcome is what happened to one step.
type Outcome struct {
	Step
	// Action is "run", "skip" or, in a dry run, "would-run".
	Action string `json:"action"`
	Reason string `json:"reason,omitempty"`
	Rule   string `json:"rule,omitempty"`
	Dir    string `json:"dir"`
	Exit   *int   `json:"exit,omitempty"`
	// Duration is in nanoseconds.
	Duration time.Duration `json:"duration_ns,omitempty"`
}

// Result is what a replay did.
type Result struct {
	Outcomes []Outcome `json:"steps"`
	Ran      int       `json:"ran"`
	Skipped  int       `json:"skipped"`
	Failed   int       `json:"failed"`
	// Stopped says why the replay ended early, if it did.
	Stopped string `json:"stopped,omitempty"`
}

// Run replays the steps. Dangerous steps are checked first: with
// OnDanger abort, Run refuses (ECONFLICT) before anything runs. A step
// that fails where the recording did not stops the replay (ECONFLICT)
// unless KeepGoing.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if opt.Policy == nil {
		p, err := NewPolicy("", nil)
		if err != nil {
			return nil, err
		}
		opt.Policy = p
	}
	if opt.OnDanger == "" {
		opt.OnDanger = OnDangerSkip
	}
	switch opt.OnDanger {
	case OnDangerSkip, OnDangerAbort, OnDangerAllow:
	default:
		return nil, reel.Errorf(reel.EINVALID, "unknown danger policy %q", opt.OnDanger).WithHint("use skip, abort or allow")
	}
	if opt.Shell == "" {
		opt.Shell = DefaultShell()
	}
	if opt.OutputLimit <= 0 {
		opt.OutputLimit = 64 << 10
	}
	plan, err := makePlan(opt)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	in := bufio.NewReader(orReader(opt.In))
	all := false
	for i, o := range plan {
		if err := ctx.Err(); err != nil {
			res.Stopped = "interrupted"
			return res, err
		}
		if o.Action == "skip" {
			res.Skipped++
			res.Outcomes = append(res.Outcomes, o)
			if err := opt.record(o); err != nil {
				return res, err
			}
			continue
		}
		if opt.DryRun {
			o.Action = "would-run"
			res.Outcomes = append(res.Outcomes, o)
			continue
		}
		if opt.Confirm && !all {
			answer := ask(in, opt.Err, o, i+1, len(plan))
			switch answer {
			case 'q':
				res.Stopped = "quit at step " + fmt.Sprint(o.N)
				return res, nil
			case 'n':
				o.Action, o.Reason = "skip", "declined at the prompt"
				res.Skipped++
				res.Outcomes = append(res.Outcomes, o)
				if err := opt.record(o); err != nil {
					return res, err
				}
				continue
			case 'a':
				all = true
			}
		}
		o, err := opt.run(ctx, o)
		res.Outcomes = append(res.Outcomes, o)
		if err != nil {
			return res, err
		}
		res.Ran++
		if *o.Exit == 0 {
			continue
		}
		res.Failed++
		expected := o.ExitCode != nil && *o.ExitCode == *o.Exit
		if !expected && !opt.KeepGoing {
			res.Stopped = fmt.Sprintf("step %d failed", o.N)
			return res, reel.Errorf(reel.ECONFLICT, "step %d exited %d (in the recording: %s): %s", o.N, *o.Exit, recordedExit(o.ExitCode), firstLine(o.Command)).
				WithHint(fmt.Sprintf("fix it and resume with --from %d, or replay with --keep-going", o.N))
		}
	}
	return res, nil
}

func recordedExit(code *int) string {
	if code == nil {
		return "unknown"
	}
	return fmt.Sprint(*code)
}

// makePlan decides, before anything runs, which steps run and where.
func makePlan(opt Options) ([]Outcome, error) {
	skip := map[int]bool{}
	for _, n := range opt.Skip {
		skip[n] = true
	}
	root := ""
	if len(opt.Steps) > 0 {
		root = opt.Steps[0].Cwd
	}
	var plan []Outcome
	var dangerous []string
	for _, st := range opt.Steps {
		if st.N < opt.From {
			continue
		}
		o := Outcome{Step: st, Action: "run", Dir: stepDir(root, st.Cwd, opt.Cwd)}
		if f := opt.Policy.Check(st.Command); f != nil {
			switch opt.OnDanger {
			case OnDangerAbort:
				dangerous = append(dangerous, fmt.Sprintf("step %d %s: %s", st.N, f.Why, firstLine(st.Command)))
			case OnDangerSkip:
				o.Action, o.Reason, o.Rule = "skip", "dangerous: "+f.Why, f.Rule
			case OnDangerAllow:
				o.Reason, o.Rule = "dangerous, allowed: "+f.Why, f.Rule
			}
		}
		if o.Action == "run" {
			if isReelRec(st.Command) {
				o.Action, o.Reason = "skip", "reel's own rec command"
			} else if skip[st.N] {
				o.Action, o.Reason = "skip", "--skip"
			} else if g := matchGlob(opt.SkipPatterns, st.Command); g != "" {
				o.Action, o.Reason = "skip", "--skip-pattern "+g
			}
		}
		plan = append(plan, o)
	}
	if len(dangerous) > 0 {
		return nil, reel.Errorf(reel.ECONFLICT, "replay refused: %d dangerous step(s) under the %s preset:\n  %s",
			len(dangerous), opt.Policy.Preset, strings.Join(dangerous, "\n  ")).
			WithHint("skip them with --danger-policy skip (the default) or --skip N, or run them with --danger-policy allow")
	}
	return plan, nil
}

// isReelRec reports reel's own recording commands, which belong to the
// recording, not to what it recorded.
func isReelRec(cmd string) bool {
	f := strings.Fields(cmd)
	return len(f) >= 2 && base(f[0]) == "reel" && f[1] == "rec"
}

// stepDir is where a step runs: its recorded folder, or with cwd the same
// place relative to cwd as it was to the recording's first folder.
func stepDir(root, recorded, cwd string) string {
	if cwd == "" {
		return recorded
	}
	if root == "" || recorded == "" {
		return cwd
	}
	rel, err := filepath.Rel(root, recorded)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return cwd
	}
	return filepath.Join(cwd, rel)
}

// matchGlob returns the first glob that matches cmd whole, or "".
func matchGlob(globs []string, cmd string) string {
	for _, g := range globs {
		// path.Match's * stops at '/', which commands are full of.
		if ok, _ := path.Match(strings.ReplaceAll(g, "/", "\x00"), strings.ReplaceAll(cmd, "/", "\x00")); ok {
			return g
		}
	}
	return ""
}

// run runs one step with the shell, its output going to the terminal and,
// up to the limit, to the record.
func (opt *Options) run(ctx context.Context, o Outcome) (Outcome, error) {
	fmt.Fprintf(opt.Err, "reel: step %d: %s\n", o.N, firstLine(o.Command))
	if o.Reason != "" {
		fmt.Fprintf(opt.Err, "reel: warning: step %d is %s\n", o.N, o.Reason)
	}
	capture := &limitBuffer{limit: opt.OutputLimit}
	cmd := exec.CommandContext(ctx, opt.Shell, "-c", o.Command)
	cmd.Dir = o.Dir
	cmd.Stdin = opt.In
	cmd.Stdout = io.MultiWriter(orWriter(opt.Out), capture)
	cmd.Stderr = io.MultiWriter(orWriter(opt.Err), capture)
	start := time.Now()
	err := cmd.Run()
	end := time.Now()
	exit := 0
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		exit = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			exit = 128 + int(ws.Signal())
		}
	case ctx.Err() != nil:
		return o, ctx.Err()
	default:
		// The shell could not start: the folder is gone, or no shell.
		exit = 127
		fmt.Fprintf(orWriter(opt.Err), "reel: step %d could not start: %v\n", o.N, err)
		capture.WriteString(err.Error())
	}
	o.Exit, o.Duration = &exit, end.Sub(start)
	if opt.Record != nil {
		c := journal.Command{T: journal.TypeCmd, N: o.N, Step: o.N, Cmd: o.Command, Cwd: o.Dir,
			StartUS: start.UnixMicro(), EndUS: end.UnixMicro(), Exit: exit}
		if err := opt.Record.Command(c); err != nil {
			return o, err
		}
		if capture.Len() > 0 || capture.dropped > 0 {
			if err := opt.Record.Output(journal.Output{T: journal.TypeOut, N: o.N, Text: capture.String(), Dropped: capture.dropped}); err != nil {
				return o, err
			}
		}
	}
	return o, nil
}

func (opt *Options) record(o Outcome) error {
	if opt.Record == nil || opt.DryRun {
		return nil
	}
	return opt.Record.Skip(journal.Skip{T: journal.TypeSkip, Step: o.N, Cmd: o.Command, Cwd: o.Dir, At: time.Now().UTC(),
		Reason: o.Reason, Rule: o.Rule})
}

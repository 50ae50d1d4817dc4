package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/hookinstall"
	"github.com/reel-sh/reel/internal/hookspool"
	"github.com/spf13/cobra"
)

type hooksOptions struct {
	app      *App
	client   string
	settings string
	bin      string
	dryRun   bool
	json     bool
}

// hooksResult is one client's line of reel hooks install/uninstall --json.
type hooksResult struct {
	Client string `json:"client"`
	File   string `json:"file"`
	hookinstall.Change
	Backup  string `json:"backup,omitempty"`
	DryRun  bool   `json:"dry_run,omitempty"`
	Skipped string `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
	after   []byte
}

// hooksClientStatus is one client of reel hooks status --json.
type hooksClientStatus struct {
	Client string `json:"client"`
	File   string `json:"file"`
	Found  bool   `json:"found"`
	// Installed is true when every event has reel's entry; Current when
	// every entry runs this binary.
	Installed bool `json:"installed"`
	Current   bool `json:"current"`
	hookinstall.State
	Error string `json:"error,omitempty"`
}

// hooksStatus is reel hooks status --json.
type hooksStatus struct {
	Binary  string              `json:"binary"`
	Clients []hooksClientStatus `json:"clients"`
	Spool   hookspool.Stats     `json:"spool"`
}

func newHooksCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hooks",
		Short: "Install reel's hook into Claude Code, Codex and Gemini CLI, or remove it",
		Long: `Hooks puts reel's hook into each agent client's settings, so that the client
runs 'reel hook' on its events (prompts, tool calls and results, notifications,
stops) and reel's daemon sees a session live:

  claude-code  ~/.claude/settings.json  hooks: SessionStart, UserPromptSubmit,
               PreToolUse, PostToolUse, Notification, Stop, SubagentStop,
               PreCompact, SessionEnd
  gemini       ~/.gemini/settings.json  hooks: SessionStart, BeforeAgent,
               BeforeTool, AfterTool, AfterAgent, Notification, PreCompress,
               SessionEnd
  codex        ~/.codex/config.toml     notify (one program, run when a turn
               completes)

The rest of each file is kept: your own hooks, unknown keys, comments in
config.toml. Before a file changes it is copied to FILE.reel-backup-TIME;
installing twice changes nothing. reel's entries are the ones whose command
runs a program named reel with the argument hook; uninstall removes exactly
those. A settings file that does not parse (JSON with comments) is refused,
never rewritten.`,
		Example: `  reel hooks install
  reel hooks install --client claude-code --dry-run
  reel hooks status --json
  reel hooks uninstall --client all`,
	}
	for _, verb := range []string{"install", "uninstall", "status"} {
		opts := &hooksOptions{app: app}
		sub := &cobra.Command{
			Use:   verb,
			Short: map[string]string{"install": "Add reel's hook entries to the clients' settings", "uninstall": "Remove reel's hook entries, and nothing else", "status": "Show where reel's hook is installed, and what the spool holds"}[verb],
			Example: map[string]string{
				"install":   "  reel hooks install\n  reel hooks install --client codex --settings ~/work/codex/config.toml\n  reel hooks install --dry-run",
				"uninstall": "  reel hooks uninstall\n  reel hooks uninstall --client gemini --dry-run",
				"status":    "  reel hooks status\n  reel hooks status --json | jq '.clients[] | select(.installed | not)'",
			}[verb],
			Args: exactArgs(0, "no arguments"),
			RunE: func(cmd *cobra.Command, args []string) error {
				if verb == "status" {
					return runHooksStatus(opts)
				}
				return runHooksEdit(opts, verb)
			},
		}
		f := sub.Flags()
		f.StringVar(&opts.client, "client", "all", "claude-code, codex, gemini or all")
		f.StringVar(&opts.settings, "settings", "", "the settings file to use instead of the client's own (one --client only)")
		f.BoolVar(&opts.json, "json", false, "print as JSON")
		if verb != "status" {
			f.BoolVar(&opts.dryRun, "dry-run", false, "say what would change and print the new file; write nothing")
		}
		if verb != "uninstall" {
			f.StringVar(&opts.bin, "bin", "", "the reel binary the hooks run (default: this one)")
		}
		cmd.AddCommand(sub)
	}
	return cmd
}

// hooksTarget is one client and its settings file.
type hooksTarget struct {
	client   hookinstall.Client
	file     string
	explicit bool // named by --client, not by all
}

func (o *hooksOptions) targets() ([]hooksTarget, error) {
	paths, err := config.ResolvePaths(o.app.Getenv)
	if err != nil {
		return nil, err
	}
	var out []hooksTarget
	if o.client == "all" {
		if o.settings != "" {
			return nil, reel.Errorf(reel.EINVALID, "--settings names one client's file").
				WithHint("add --client claude-code, codex or gemini")
		}
		for _, c := range hookinstall.Clients() {
			out = append(out, hooksTarget{client: c, file: hookinstall.DefaultSettings(c, paths.Home, o.app.Getenv)})
		}
		return out, nil
	}
	c, err := hookinstall.Lookup(o.client)
	if err != nil {
		return nil, err
	}
	file := o.settings
	if file == "" {
		file = hookinstall.DefaultSettings(c, paths.Home, o.app.Getenv)
	} else if file, err = filepath.Abs(file); err != nil {
		return nil, err
	}
	return append(out, hooksTarget{client: c, file: file, explicit: true}), nil
}

// hookBinary returns the absolute path of the reel binary the hooks run:
// --bin, else this process's executable. Its name must be reel, since
// reel tells its entries apart by the program's name.
func (o *hooksOptions) hookBinary() (string, error) {
	bin := o.bin
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find the reel binary: %w", err)
		}
		bin = exe
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	if filepath.Base(bin) != "reel" {
		return "", reel.Errorf(reel.EINVALID, "the hook binary %s is not named reel: reel finds its hook entries by that name", bin).
			WithHint("install reel as 'reel' (go install puts it in ~/go/bin/reel), or pass --bin /path/to/reel")
	}
	return bin, nil
}

func runHooksEdit(opts *hooksOptions, verb string) error {
	s := opts.app.Streams
	targets, err := opts.targets()
	if err != nil {
		return err
	}
	bin := ""
	if verb == "install" {
		if bin, err = opts.hookBinary(); err != nil {
			return err
		}
	}
	var results []hooksResult
	var firstErr error
	now := time.Now()
	for _, t := range targets {
		r := hooksResult{Client: t.client.Name, File: t.file, DryRun: opts.dryRun}
		if why := skipTarget(t, verb); why != "" {
			r.Skipped = why
			results = append(results, r)
			continue
		}
		c := t.client
		edit := func(data []byte) ([]byte, hookinstall.Change, error) {
			if verb == "install" {
				return hookinstall.Install(c, t.file, data, bin)
			}
			return hookinstall.Uninstall(c, t.file, data)
		}
		a, err := hookinstall.Apply(t.file, edit, opts.dryRun, now)
		if err != nil {
			r.Error = err.Error()
			if firstErr == nil {
				firstErr = err
			}
		}
		r.Change, r.Backup, r.after = a.Change, a.Backup, a.After
		results = append(results, r)
	}
	if opts.json {
		if err := writeJSON(s.Out, results); err != nil {
			return err
		}
		return firstErr
	}
	for _, r := range results {
		printHooksResult(s, r, verb)
	}
	return firstErr
}

// skipTarget says why a client of --client all is left alone: its
// folder does not exist (the client is not installed here), or, to
// uninstall, its file does not.
func skipTarget(t hooksTarget, verb string) string {
	if t.explicit && verb == "install" {
		return ""
	}
	check, what := filepath.Dir(t.file), "not installed here (no "+filepath.Dir(t.file)+")"
	if verb == "uninstall" {
		check, what = t.file, "no settings file"
	}
	if _, err := os.Stat(check); errors.Is(err, fs.ErrNotExist) {
		return what
	}
	return ""
}

func printHooksResult(s *Streams, r hooksResult, verb string) {
	head := fmt.Sprintf("%-12s %s: ", r.Client, r.File)
	would := ""
	if r.DryRun {
		would = "would be "
	}
	switch {
	case r.Skipped != "":
		fmt.Fprintln(s.Out, head+s.Paint(styleDim, "skipped, "+r.Skipped))
		return
	case r.Error != "":
		fmt.Fprintln(s.Out, head+s.Paint(styleRed, "not changed: "+r.Error))
		return
	case r.Empty():
		word := "already installed"
		if verb == "uninstall" {
			word = "no reel entries"
		}
		fmt.Fprintln(s.Out, head+word)
		return
	}
	var parts []string
	for _, p := range []struct {
		word   string
		events []string
	}{{"added", r.Added}, {"updated", r.Updated}, {"removed", r.Removed}} {
		if len(p.events) > 0 {
			parts = append(parts, fmt.Sprintf("%s%s for %s", would, p.word, strings.Join(p.events, ", ")))
		}
	}
	line := head + s.Paint(styleGreen, strings.Join(parts, "; "))
	if r.Backup != "" {
		line += s.Paint(styleDim, " (backup: "+r.Backup+")")
	}
	fmt.Fprintln(s.Out, line)
	if r.DryRun {
		fmt.Fprintf(s.Out, "%s\n%s", s.Paint(styleDim, "--- "+r.File+" would read:"), r.after)
	}
}

func runHooksStatus(opts *hooksOptions) error {
	s := opts.app.Streams
	targets, err := opts.targets()
	if err != nil {
		return err
	}
	paths, err := config.ResolvePaths(opts.app.Getenv)
	if err != nil {
		return err
	}
	bin, binErr := opts.hookBinary()
	st := hooksStatus{Binary: bin}
	for _, t := range targets {
		cs := hooksClientStatus{Client: t.client.Name, File: t.file}
		data, err := os.ReadFile(t.file)
		cs.Found = err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			cs.Error = err.Error()
		}
		state, err := hookinstall.Inspect(t.client, t.file, data)
		if err != nil {
			cs.Error = err.Error()
		}
		cs.State = state
		cs.Installed = err == nil && len(state.Missing) == 0
		cs.Current = cs.Installed && binErr == nil && len(state.Commands) == 1 &&
			hookinstall.IsReelCommand(state.Commands[0]) && state.Commands[0] == expectedCommand(t.client, bin)
		st.Clients = append(st.Clients, cs)
	}
	if st.Spool, err = hookspool.Stat(paths.HookSpool()); err != nil {
		return err
	}
	if opts.json {
		return writeJSON(s.Out, st)
	}
	for _, c := range st.Clients {
		head := fmt.Sprintf("%-12s %s: ", c.Client, c.File)
		switch {
		case c.Error != "":
			fmt.Fprintln(s.Out, head+s.Paint(styleRed, c.Error))
		case c.Installed && c.Current:
			fmt.Fprintln(s.Out, head+s.Paint(styleGreen, "installed ("+plural(len(c.Events), "event")+")"))
		case c.Installed:
			fmt.Fprintln(s.Out, head+s.Paint(styleYellow, "installed, running "+strings.Join(c.Commands, " and "))+
				s.Paint(styleDim, " (reel hooks install points it at this binary)"))
		case len(c.Events) > 0:
			fmt.Fprintln(s.Out, head+s.Paint(styleYellow, "partly installed, missing "+strings.Join(c.Missing, ", ")))
		case !c.Found:
			fmt.Fprintln(s.Out, head+s.Paint(styleDim, "not installed (no file)"))
		default:
			fmt.Fprintln(s.Out, head+s.Paint(styleDim, "not installed"))
		}
	}
	sp := st.Spool
	fmt.Fprintf(s.Out, "%-12s %s: %d waiting for the daemon, %d rejected", "spool", sp.Dir, sp.Pending, sp.Rejected)
	if sp.ErrorLog != "" {
		fmt.Fprintf(s.Out, ", errors in %s", sp.ErrorLog)
	}
	fmt.Fprintln(s.Out)
	return nil
}

// expectedCommand is how reel's entry for c reads when it runs bin.
func expectedCommand(c hookinstall.Client, bin string) string {
	if c.Format == hookinstall.FormatCodexNotify {
		return strings.Join(hookinstall.Argv(c, bin), " ")
	}
	return hookinstall.Command(c, bin)
}

// plural writes n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

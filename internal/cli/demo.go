package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/spf13/cobra"
)

type demoOptions struct {
	app    *App
	events int
	keep   bool
}

func newDemoCmd(app *App) *cobra.Command {
	opts := &demoOptions{app: app}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Sync a generated sample of agent sessions into a temporary home and search it",
		Long: `Demo shows reel end to end without touching your own sessions or store. It
writes realistic Claude Code and Codex session files into a temporary home,
runs a real sync into a temporary store, and then runs status, sessions,
search and show against it.`,
		Example: `  reel demo
  reel demo --keep      # keep the temporary home to explore it afterwards`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(cmd.Context(), opts) },
	}
	cmd.Flags().IntVar(&opts.events, "events", 3000, "size of the sample, in events")
	cmd.Flags().BoolVar(&opts.keep, "keep", false, "keep the temporary home and store")
	return cmd
}

func runDemo(ctx context.Context, opts *demoOptions) error {
	s := opts.app.Streams
	dir, err := os.MkdirTemp("", "reel-demo-")
	if err != nil {
		return err
	}
	if !opts.keep {
		defer os.RemoveAll(dir)
	}
	home, reelHome := filepath.Join(dir, "home"), filepath.Join(dir, "reel")
	step := func(title string) { fmt.Fprintf(s.Out, "\n%s\n", s.Paint(styleBold, "━━ "+title)) }

	step("Writing sample Claude Code and Codex sessions into " + home)
	m, err := corpus.GenerateContext(ctx, home, corpus.Options{Events: opts.events, Seed: 1, End: time.Now().UTC()})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "%d session files, %s records, %s\n", m.Files, humanize.Count(m.Records), humanize.Bytes(m.Bytes))

	app := &App{Streams: s, env: map[string]string{
		"HOME": home, "REEL_HOME": reelHome, "REEL_CONFIG": filepath.Join(reelHome, "config.toml"),
		"CLAUDE_CONFIG_DIR": "", "CODEX_HOME": "", "REEL_STORE": "",
	}}
	defer app.Close()

	step("reel sync")
	if err := runSync(ctx, &syncOptions{app: app}); err != nil {
		return err
	}
	step("reel sync   (again: unchanged files are only stat'ed)")
	if err := runSync(ctx, &syncOptions{app: app}); err != nil {
		return err
	}
	step("reel status")
	if err := runStatus(ctx, &statusOptions{app: app}); err != nil {
		return err
	}
	step("reel sessions --limit 5")
	if err := runSessions(ctx, &sessionsOptions{app: app, limit: 5}); err != nil {
		return err
	}
	var needle corpus.Needle
	for _, n := range m.Needles {
		if n.Kind == corpus.TermNeedle && n.Count >= 2 && n.Count <= 5 {
			needle = n
			break
		}
	}
	queries := []string{}
	if needle.Query != "" {
		queries = append(queries, needle.Query)
	}
	if len(m.CommonPhrases) > 0 {
		queries = append(queries, `"`+m.CommonPhrases[0].Text+`"`)
	}
	var top string
	for _, q := range queries {
		step(fmt.Sprintf("reel search %s --limit 5", shellQuote(q)))
		hits, err := runSearch(ctx, &searchOptions{app: app, query: q, limit: 5})
		if err != nil {
			return err
		}
		if top == "" && len(hits) > 0 {
			top = hits[0].SessionID
		}
	}
	if needle.Query != "" {
		fmt.Fprintf(s.Out, "(the sample planted %q in exactly %d messages)\n", needle.Term, needle.Count)
	}
	if top != "" {
		step(fmt.Sprintf("reel show %s --kind message", reel.ShortID(top)))
		if err := runShow(ctx, &showOptions{app: app, ref: reel.ShortID(top), kinds: []string{reel.KindMessage}}); err != nil {
			return err
		}
	}
	fmt.Fprintln(s.Out)
	if opts.keep {
		fmt.Fprintf(s.Out, "Kept. Explore with:\n  export HOME=%s REEL_HOME=%s\n  reel search <words>\n", home, reelHome)
	} else {
		fmt.Fprintln(s.Out, "Done; the temporary home was removed (--keep keeps it). Run 'reel sync' to ingest your own sessions.")
	}
	return nil
}

func shellQuote(s string) string {
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '*' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "'" + s + "'"
		}
	}
	return s
}

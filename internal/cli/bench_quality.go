package cli

import (
	"context"
	"os"
	"path/filepath"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/evalset"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/spf13/cobra"
)

type benchQualityOptions struct {
	app   *App
	seed  int64
	dir   string
	limit int
	json  bool
}

func newBenchQualityCmd(app *App) *cobra.Command {
	opts := &benchQualityOptions{app: app}
	cmd := &cobra.Command{
		Use:   "search-quality",
		Short: "Measure how well search finds the sessions people mean",
		Long: `Search-quality generates a labelled evaluation corpus of Claude Code and Codex
sessions, each about one problem (a flaky migration, a CORS error, a slow SQL
query, ...) among distractor sessions on the same subjects, syncs it into a
fresh store, and runs every labelled query in every search mode. It reports
Success@1, Success@3 and mean reciprocal rank per mode and per query class
(paraphrase, identifier, error, command, description), counted by session: a
query succeeds at k when a session it wants is among the first k distinct
sessions of the hits. A different --seed gives a corpus with other names,
numbers and wording. It never touches your own store.`,
		Example: `  reel bench search-quality
  reel bench search-quality --seed 2 --json | jq '.modes[0].overall'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runBenchQuality(cmd.Context(), opts) },
	}
	cmd.Flags().Int64Var(&opts.seed, "seed", 1, "corpus seed")
	cmd.Flags().StringVar(&opts.dir, "dir", "", "folder for the corpus and store (default: a temporary folder, removed after)")
	cmd.Flags().IntVar(&opts.limit, "limit", evalset.DefaultLimit, "hits per search")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	return cmd
}

func runBenchQuality(ctx context.Context, opts *benchQualityOptions) error {
	s := opts.app.Streams
	if opts.limit <= 0 {
		return reel.Errorf(reel.EINVALID, "--limit must be at least 1")
	}
	dir, store, done, err := openBenchRun(ctx, opts.dir, "reel-quality-")
	if err != nil {
		return err
	}
	defer done()
	home := filepath.Join(dir, "home")
	if err := os.RemoveAll(home); err != nil {
		return err
	}
	set, err := evalset.Generate(home, evalset.Options{Seed: opts.seed})
	if err != nil {
		return err
	}
	if _, err := syncer.Run(ctx, syncer.Options{Store: store, Sources: generatedSources(home)}); err != nil {
		return err
	}
	// Every mode runs through the searcher reel search uses, after the
	// whole corpus is embedded with the configured model; without one,
	// vector and hybrid are reported unavailable, with why.
	run := evalset.RunOptions{Modes: evalset.Modes, Limit: opts.limit, PerSession: defaultPerSession}
	sr, why := opts.app.searcher(ctx, store, "")
	run.Searcher = sr
	if why == nil {
		e, _ := opts.app.Embedder(ctx, "")
		if _, err := embedWithProgress(ctx, s, store, e, !opts.json); err != nil {
			return err
		}
	} else {
		run.Modes = []string{reel.ModeFTS}
		run.Unavailable = map[string]string{reel.ModeVector: why.Error(), reel.ModeHybrid: why.Error()}
	}
	rep, err := evalset.Run(ctx, set, run)
	if err != nil {
		return err
	}
	if opts.json {
		return writeJSON(s.Out, rep)
	}
	return rep.WriteText(s.Out)
}

// generatedSources are the importers and roots of a generated corpus's
// home folder.
func generatedSources(home string) []syncer.Source {
	return []syncer.Source{
		{Importer: ingest.NewClaude(), Root: filepath.Join(home, ".claude", "projects")},
		{Importer: ingest.NewCodex(), Root: filepath.Join(home, ".codex", "sessions")},
	}
}

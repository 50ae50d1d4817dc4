package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/search"
)

type embedOptions struct {
	app   *App
	model string
	json  bool
}

// embedReport is reel embed --json.
type embedReport struct {
	Model string `json:"model"`
	Dim   int    `json:"dim"`
	// Embedded counts the events this run embedded.
	Embedded int64 `json:"embedded"`
	// Vectors is the coverage after the run.
	Vectors  *vectorStatus `json:"vectors"`
	Duration float64       `json:"duration_seconds"`
}

func newEmbedCmd(app *App) *cobra.Command {
	opts := &embedOptions{app: app}
	cmd := &cobra.Command{
		Use:   "embed",
		Short: "Embed the events that have no vector yet, for semantic search",
		Long: `Embed computes a vector for every event that has text and no vector of
the embedding model yet, in batches, each committed as it is done: stop it
at any time (Ctrl-C, or a crash) and the next run goes on from there.
Search works meanwhile and says how much is embedded.`,
		Example: `  reel embed
  reel embed --model builtin:reel-static-v1
  reel embed --json | jq .vectors.coverage`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runEmbed(cmd.Context(), opts) },
	}
	cmd.Flags().StringVar(&opts.model, "model", "", "embedding model id (default: the configured one)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print what was embedded as JSON")
	return cmd
}

func runEmbed(ctx context.Context, opts *embedOptions) error {
	app, s := opts.app, opts.app.Streams
	e, err := app.Embedder(ctx, opts.model)
	if err != nil {
		return err
	}
	store, err := app.Store(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	embedded, err := embedWithProgress(ctx, s, store, e, !opts.json)
	if err != nil {
		return err
	}
	m := e.Model()
	vs, err := readVectorStatusOf(ctx, store, m.ID, m.Dim)
	if err != nil {
		return err
	}
	rep := embedReport{Model: m.ID, Dim: m.Dim, Embedded: embedded, Vectors: vs, Duration: time.Since(start).Seconds()}
	if opts.json {
		return writeJSON(s.Out, rep)
	}
	fmt.Fprintf(s.Out, "Embedded %d events with %s in %s; %s\n", embedded, m.ID,
		time.Since(start).Round(time.Millisecond), vs.describe())
	return nil
}

// embedWithProgress embeds what the store holds without vectors of e's
// model, with a progress bar on a terminal when bar is true, and returns
// how many events it embedded.
func embedWithProgress(ctx context.Context, s *Streams, store reel.Store, e reel.Embedder, bar bool) (int64, error) {
	var pb *progressbar.ProgressBar
	var embedded int64
	progress := func(done, total int64) {
		embedded = done
		if !s.IsStderrTTY() || !bar || total == 0 {
			return
		}
		if pb == nil {
			pb = progressbar.NewOptions64(total, progressbar.OptionSetWriter(s.Err),
				progressbar.OptionSetDescription("embedding"), progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		pb.Set64(min(done, total))
	}
	err := search.EmbedPending(ctx, store, e, progress)
	if pb != nil {
		pb.Finish()
	}
	return embedded, err
}

// embedAfterSync embeds what a sync brought, as reel sync and the daemon
// do after each sync. Semantic search being off is not an error; a model
// that fails is reported on stderr, since the sync itself succeeded and
// search stays full-text for what was not embedded.
func embedAfterSync(ctx context.Context, app *App, store reel.Store, bar bool) {
	e, err := app.Embedder(ctx, "")
	if err != nil {
		return
	}
	if _, err := embedWithProgress(ctx, app.Streams, store, e, bar); err != nil && ctx.Err() == nil {
		fmt.Fprintf(app.Streams.Err, "reel: embed with %s: %v\nhint: search stays full-text for what is not embedded; 'reel embed' tries again\n", e.Model().ID, err)
	}
}

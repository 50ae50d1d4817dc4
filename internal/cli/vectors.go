package cli

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/search"
	"github.com/reel-sh/reel/internal/vecstore"
)

// vectorStatus is what reel status and reel search say about vectors.
type vectorStatus struct {
	// Model is the embedding model in use, "" when none is configured.
	Model string `json:"model"`
	Dim   int    `json:"dim,omitempty"`
	// Embedded and Total count the events with text, and those of them
	// with a vector of Model.
	Embedded int64 `json:"embedded"`
	Total    int64 `json:"total"`
	// Coverage is Embedded/Total.
	Coverage float64 `json:"coverage"`
	// Unavailable says why there is no model, when there is none.
	Unavailable string `json:"unavailable,omitempty"`
}

// searcher returns a searcher over store with the configured embedder,
// and why there is none (nil when there is).
func (a *App) searcher(ctx context.Context, store reel.Store, model string) (*search.Searcher, error) {
	e, err := a.Embedder(ctx, model)
	if err != nil {
		return search.New(store, search.Options{}), err
	}
	return search.New(store, search.Options{Embedder: e}), nil
}

// readVectorStatus describes the vectors of the configured model.
func readVectorStatus(ctx context.Context, app *App, store reel.Store) (*vectorStatus, error) {
	sr, why := app.searcher(ctx, store, "")
	st := &vectorStatus{}
	if why != nil {
		st.Unavailable = why.Error()
		if h := reel.ErrorHint(why); h != "" {
			st.Unavailable += " (" + h + ")"
		}
	}
	m := sr.Model()
	if m.ID == "" {
		return st, nil
	}
	return readVectorStatusOf(ctx, store, m.ID, m.Dim)
}

// readVectorStatusOf describes the vectors of one model.
func readVectorStatusOf(ctx context.Context, store reel.Store, model string, dim int) (*vectorStatus, error) {
	st := &vectorStatus{Model: model, Dim: dim}
	vs, ok := store.(vecstore.Store)
	if !ok {
		return st, nil
	}
	cov, err := vs.VectorCoverage(ctx, model)
	if err != nil {
		return nil, err
	}
	st.Embedded, st.Total, st.Coverage = cov.Embedded, cov.Total, cov.Fraction()
	return st, nil
}

// describe is the one line reel status prints about vectors.
func (v *vectorStatus) describe() string {
	if v.Model == "" {
		return "none: " + v.Unavailable
	}
	return fmt.Sprintf("%s (%d dims), vectors cover %s of events (%d of %d)", v.Model, v.Dim, percent(v.Coverage), v.Embedded, v.Total)
}

// percent formats a fraction as a whole percentage, never rounding a
// partial coverage up to 100%.
func percent(f float64) string {
	p := int(f * 100)
	return fmt.Sprintf("%d%%", p)
}

// searchNotices tells, on stderr, why a search was full-text when the
// user did not choose, and how much the vectors cover when they are
// partial.
func searchNotices(ctx context.Context, s *Streams, sr *search.Searcher, res search.Result) {
	if res.Notice != "" {
		fmt.Fprintf(s.Err, "reel: %s\n", res.Notice)
	}
	if res.Mode == reel.ModeFTS {
		return
	}
	cov, err := sr.Coverage(ctx)
	if err == nil && cov.Embedded < cov.Total {
		fmt.Fprintf(s.Err, "reel: vectors cover %s of events (%d of %d); run 'reel embed' for the rest\n",
			percent(cov.Fraction()), cov.Embedded, cov.Total)
	}
}

// explainLine says how a hit was ranked.
func explainLine(x *reel.HitExplain, score float64) string {
	line := fmt.Sprintf("%s score %.4f", x.Mode, score)
	if x.Model != "" {
		line += " · model " + x.Model
	}
	rank := func(name string, r int, sc float64) string {
		if r == 0 {
			return " · " + name + " -"
		}
		return fmt.Sprintf(" · %s #%d (%.4f)", name, r, sc)
	}
	if x.Mode != reel.ModeVector {
		line += rank("fts", x.FTSRank, x.FTSScore)
	}
	if x.Mode != reel.ModeFTS {
		line += rank("vector", x.VectorRank, x.VectorScore)
	}
	return line
}

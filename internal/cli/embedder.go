package cli

import (
	"context"

	"github.com/reel-sh/reel"
)

// Embedder returns the embedding model that search and reel embed use:
// model names one by id, "" the configured default. EUNSUPPORT, with a
// hint, when no model is configured or it cannot run here; search then
// stays full-text.
//
// This is the one place the embedding providers plug in.
func (a *App) Embedder(ctx context.Context, model string) (reel.Embedder, error) {
	msg := "no embedding model configured"
	if model != "" {
		msg = "embedding model " + model + " is not available"
	}
	return nil, &reel.Error{Code: reel.EUNSUPPORT, Message: msg,
		Hint: "semantic search is off until a model is configured; full-text search works without one"}
}

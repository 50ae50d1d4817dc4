package cli

import (
	"context"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/embed"
)

// Embedder returns the embedding model that search and reel embed use:
// model names one by id, "" the configured default ([embed] in
// config.toml; the built-in model unless configured otherwise).
// EUNSUPPORT, with a hint, when semantic search is off, or the model
// named is not the configured one; search then stays full-text.
//
// This is the one place the embedding providers plug in.
func (a *App) Embedder(ctx context.Context, model string) (reel.Embedder, error) {
	if a.embedder == nil && a.embedderErr == nil {
		cfg, err := a.Config()
		if err != nil {
			return nil, err
		}
		a.embedder, a.embedderErr = embed.FromConfigEnv(cfg, a.Getenv)
		if a.embedder == nil && a.embedderErr == nil {
			a.embedderErr = &reel.Error{Code: reel.EUNSUPPORT, Message: "no embedding model configured: semantic search is off ([embed] provider = \"off\")",
				Hint: "full-text search works without it; 'reel models use builtin' turns the built-in model on"}
		}
	}
	if a.embedderErr != nil {
		return nil, a.embedderErr
	}
	if model != "" && model != a.embedder.Model().ID {
		return nil, &reel.Error{Code: reel.EUNSUPPORT, Message: "embedding model " + model + " is not the one configured (" + a.embedder.Model().ID + ")",
			Hint: "'reel models use NAME' selects another model; 'reel models list' shows them"}
	}
	return a.embedder, nil
}

package embed

import (
	"os"
	"path/filepath"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
)

// FromConfig returns the embedder that the [embed] section of cfg names:
// provider "builtin" (the default when unset), "model2vec" (model = the
// name of a folder under the models folder, or an absolute path),
// "openai" (url, model, api_key_env, dim, batch_size, timeout) or "off".
// For "off" it returns (nil, nil): search stays full-text. EINVALID for an
// unknown provider or missing settings, ENOTFOUND for a model that was
// not pulled. The key is read from the process environment.
func FromConfig(cfg *config.Config) (reel.Embedder, error) {
	return FromConfigEnv(cfg, os.Getenv)
}

// FromConfigEnv is FromConfig reading the variable api_key_env names with
// getenv (the CLI passes App.Getenv).
func FromConfigEnv(cfg *config.Config, getenv func(string) string) (reel.Embedder, error) {
	e := cfg.Embed
	switch e.Provider {
	case "", config.EmbedBuiltin:
		return Builtin()
	case config.EmbedOff:
		return nil, nil
	case config.EmbedModel2Vec:
		if e.Model == "" {
			return nil, reel.Errorf(reel.EINVALID, "[embed] provider = \"model2vec\" needs model = \"NAME\"").
				WithHint("pull one with: reel models pull NAME, then reel models use NAME")
		}
		dir, name := e.Model, e.Model
		if filepath.IsAbs(dir) {
			name = filepath.Base(dir)
		} else {
			if err := CheckModelName(name); err != nil {
				return nil, err
			}
			dir = filepath.Join(cfg.Paths.Models(), name)
		}
		m, err := LoadModel2Vec(dir, name)
		if reel.ErrorCode(err) == reel.ENOTFOUND {
			return nil, (&reel.Error{Code: reel.ENOTFOUND, Message: "model2vec model " + name + " is not installed", Err: err}).
				WithHint("run: reel models pull " + name)
		}
		return m, err
	case config.EmbedOpenAI:
		key := ""
		if e.APIKeyEnv != "" {
			if getenv != nil {
				key = getenv(e.APIKeyEnv)
			}
			if key == "" {
				return nil, reel.Errorf(reel.EINVALID, "[embed] api_key_env names %s, which is not set", e.APIKeyEnv).
					WithHint("export " + e.APIKeyEnv + " with the endpoint's key, or remove api_key_env for an endpoint without one")
			}
		}
		return NewOpenAI(OpenAIOptions{URL: e.URL, Model: e.Model, APIKey: key, Dim: e.Dim, BatchSize: e.BatchSize, Timeout: e.Timeout.Duration})
	}
	return nil, reel.Errorf(reel.EINVALID, "[embed] provider %q: use builtin, model2vec, openai or off", e.Provider)
}

package embed

import (
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/embed/embedtest"
)

func TestFromConfig(t *testing.T) {
	data := t.TempDir()
	cfg := func(e config.EmbedConfig) *config.Config {
		return &config.Config{Paths: config.Paths{Data: data}, Embed: e}
	}
	env := func(k string) string { return map[string]string{"EMBED_KEY": "k"}[k] }
	if e, err := FromConfigEnv(cfg(config.EmbedConfig{}), env); err != nil || e.Model().ID != BuiltinID {
		t.Fatalf("default: %v %v", e, err)
	}
	if e, err := FromConfigEnv(cfg(config.EmbedConfig{Provider: "off"}), env); err != nil || e != nil {
		t.Fatalf("off: %v %v", e, err)
	}
	if _, err := FromConfigEnv(cfg(config.EmbedConfig{Provider: "model2vec", Model: "tiny"}), env); reel.ErrorCode(err) != reel.ENOTFOUND || reel.ErrorHint(err) != "run: reel models pull tiny" {
		t.Fatalf("not pulled: %v (%s)", err, reel.ErrorHint(err))
	}
	if err := embedtest.Write(filepath.Join(data, "models", "tiny"), "F32"); err != nil {
		t.Fatal(err)
	}
	if e, err := FromConfigEnv(cfg(config.EmbedConfig{Provider: "model2vec", Model: "tiny"}), env); err != nil || e.Model().ID != "model2vec:tiny" {
		t.Fatalf("model2vec: %v %v", e, err)
	}
	if _, err := FromConfigEnv(cfg(config.EmbedConfig{Provider: "model2vec", Model: "../etc"}), env); reel.ErrorCode(err) != reel.EINVALID {
		t.Fatalf("bad name: %v", err)
	}
	o, err := FromConfigEnv(cfg(config.EmbedConfig{Provider: "openai", URL: "http://127.0.0.1:1/v1", Model: "m", APIKeyEnv: "EMBED_KEY", Dim: 8}), env)
	if err != nil || o.Model() != (reel.ModelInfo{ID: "openai:m", Dim: 8}) || o.(*OpenAI).opts.APIKey != "k" {
		t.Fatalf("openai: %v %v", o, err)
	}
	if _, err := FromConfigEnv(cfg(config.EmbedConfig{Provider: "openai", URL: "http://x/v1", Model: "m", APIKeyEnv: "UNSET"}), env); reel.ErrorCode(err) != reel.EINVALID {
		t.Fatalf("unset key: %v", err)
	}
	if _, err := FromConfigEnv(cfg(config.EmbedConfig{Provider: "bert"}), env); reel.ErrorCode(err) != reel.EINVALID {
		t.Fatalf("unknown: %v", err)
	}
}

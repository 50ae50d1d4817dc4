package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
)

// Embedding providers ([embed] provider).
const (
	EmbedBuiltin   = "builtin"   // the static model compiled into reel
	EmbedModel2Vec = "model2vec" // a model2vec folder pulled with reel models pull
	EmbedOpenAI    = "openai"    // an OpenAI-compatible /v1/embeddings endpoint
	EmbedOff       = "off"       // no vectors: search is full-text only
)

// EmbedConfig chooses how event text becomes vectors ([embed] in
// config.toml).
type EmbedConfig struct {
	// Provider is builtin (the default), model2vec, openai or off.
	Provider string `toml:"provider" json:"provider"`
	// Model names the model: for model2vec a folder under
	// <data>/models (or an absolute path), for openai the model the
	// endpoint serves.
	Model string `toml:"model" json:"model,omitempty"`
	// URL is the openai endpoint's base URL, e.g.
	// http://127.0.0.1:11434/v1 (/embeddings is appended when missing).
	URL string `toml:"url" json:"url,omitempty"`
	// APIKeyEnv is the NAME of the environment variable that holds the
	// endpoint's key; the key itself never goes in the file.
	APIKeyEnv string `toml:"api_key_env" json:"api_key_env,omitempty"`
	// Dim, when set, is the dimension the endpoint must return; it is
	// sent as "dimensions" for models that can shorten their vectors.
	Dim int `toml:"dim" json:"dim,omitempty"`
	// BatchSize is how many texts go in one request. Default 64.
	BatchSize int `toml:"batch_size" json:"batch_size,omitempty"`
	// Timeout bounds one request. Default 30s.
	Timeout Duration `toml:"timeout" json:"timeout,omitempty"`
}

// Models returns the folder that holds pulled models, one sub-folder each.
func (p Paths) Models() string { return filepath.Join(p.Data, "models") }

// SetEmbedModel sets provider and model in the [embed] table of the config
// file at path, creating the file or the table as needed and keeping the
// rest of the file as it was.
func SetEmbedModel(path, provider, model string) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &reel.Error{Code: reel.EINVALID, Message: "read config " + path, Err: err}
	}
	out := setTableKeys(data, "embed", [][2]string{{"provider", strconv.Quote(provider)}, {"model", strconv.Quote(model)}})
	var probe Config
	if _, err := toml.Decode(string(out), &probe); err != nil {
		return &reel.Error{Code: reel.EINVALID, Message: "config " + path + " would not parse after the edit; left unchanged", Err: err}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return &reel.Error{Code: reel.EINTERNAL, Message: "create config folder", Err: err}
	}
	return atomicfile.WriteFile(path, out, 0o600)
}

// setTableKeys returns data with [table] holding each key = value, older
// settings of those keys in the table removed.
func setTableKeys(data []byte, table string, kv [][2]string) []byte {
	header := regexp.MustCompile(`^\s*\[\s*` + regexp.QuoteMeta(table) + `\s*\]\s*(#.*)?$`)
	var settings []byte
	keys := make([]string, len(kv))
	for i, p := range kv {
		settings = append(settings, p[0]+" = "+p[1]+"\n"...)
		keys[i] = regexp.QuoteMeta(p[0])
	}
	keyLine := regexp.MustCompile(`^\s*(` + strings.Join(keys, "|") + `)\s*=`)
	return setInTable(data, header, "["+table+"]", keyLine, settings)
}

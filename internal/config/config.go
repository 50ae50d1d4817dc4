package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/BurntSushi/toml"
	"github.com/reel-sh/reel"
)

// DefaultMaxLineBytes is the longest record reel parses. Longer lines are
// kept raw, so export stays byte-identical, but yield no events.
const DefaultMaxLineBytes = 32 << 20

// Config is reel's resolved configuration.
type Config struct {
	Paths Paths `toml:"-" json:"paths"`
	// File is the config.toml that was read, or "" when there was none.
	File string `toml:"-" json:"file,omitempty"`
	// Host names this machine on the sessions it syncs: REEL_HOST, else
	// the host name. Machines sharing a team store need distinct names.
	Host    string            `toml:"-" json:"host"`
	Store   StoreConfig       `toml:"store" json:"store"`
	Sync    SyncConfig        `toml:"sync" json:"sync"`
	Sources map[string]Source `toml:"sources" json:"sources"`
	Daemon  DaemonConfig      `toml:"daemon" json:"daemon"`
	MCP     MCPConfig         `toml:"mcp" json:"mcp"`
	Live    LiveConfig        `toml:"live" json:"live"`
	Embed   EmbedConfig       `toml:"embed" json:"embed"`
}

// StoreConfig selects the store.
type StoreConfig struct {
	// URL is a SQLite file path (or sqlite:// URL); empty means the default
	// database under the data folder.
	URL string `toml:"url" json:"url"`
}

// SyncConfig tunes sync.
type SyncConfig struct {
	MaxLineBytes int64 `toml:"max_line_bytes" json:"max_line_bytes"`
}

// Source configures one session source.
type Source struct {
	// Path replaces the folders (or files) where the source's sessions
	// are found by default.
	Path string `toml:"path" json:"path,omitempty"`
	// Paths are more folders or files to read, beside the default ones or
	// Path: the repositories aider ran in, say.
	Paths []string `toml:"paths" json:"paths,omitempty"`
	// Enabled, when set, says whether sync reads the source; unset means
	// the source's default (see DefaultEnabled).
	Enabled *bool `toml:"enabled" json:"enabled,omitempty"`
	// Disabled is the older way to say enabled = false.
	Disabled bool `toml:"disabled" json:"disabled,omitempty"`
}

// Load resolves paths, reads config.toml if it exists, and applies REEL_*
// environment overrides.
func Load(env Env) (*Config, error) {
	paths, err := ResolvePaths(env)
	if err != nil {
		return nil, err
	}
	c := &Config{Paths: paths, Sources: map[string]Source{}}
	file := paths.ConfigFile()
	if v := env("REEL_CONFIG"); v != "" {
		file = v
	}
	md, err := toml.DecodeFile(file, c)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, &reel.Error{Code: reel.EINVALID, Message: "read config " + file, Err: err}
	default:
		c.File = file
		if undec := md.Undecoded(); len(undec) > 0 {
			return nil, reel.Errorf(reel.EINVALID, "config %s: unknown key %q", file, undec[0].String())
		}
	}
	c.Host = env("REEL_HOST")
	if c.Host == "" {
		c.Host, _ = os.Hostname()
	}
	if v := env("REEL_STORE"); v != "" {
		c.Store.URL = v
	}
	if v := env("REEL_MAX_LINE_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, reel.Errorf(reel.EINVALID, "REEL_MAX_LINE_BYTES=%q is not a positive number", v)
		}
		c.Sync.MaxLineBytes = n
	}
	if c.Sync.MaxLineBytes <= 0 {
		c.Sync.MaxLineBytes = DefaultMaxLineBytes
	}
	c.applyDaemonDefaults()
	return c, nil
}

// DatabasePath returns the SQLite file the store URL names, or the default.
func (c *Config) DatabasePath() string {
	u := c.Store.URL
	switch {
	case u == "":
		return c.Paths.Database()
	case len(u) > len("sqlite://") && u[:len("sqlite://")] == "sqlite://":
		return u[len("sqlite://"):]
	}
	return u
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if len(p) > 1 && p[:2] == "~/" {
		return filepath.Join(home, p[2:])
	}
	return p
}

// Describe is a one-line summary for logs and errors.
func (c *Config) Describe() string {
	return fmt.Sprintf("config=%s data=%s state=%s", c.Paths.ConfigFile(), c.Paths.Data, c.Paths.State)
}

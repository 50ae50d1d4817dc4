package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// Env looks up an environment variable; tests pass a map's lookup.
type Env func(string) string

// Paths are the folders reel uses, each resolved once.
type Paths struct {
	Home    string `json:"home"`    // the user's home folder
	Config  string `json:"config"`  // config.toml lives here
	Data    string `json:"data"`    // the database and journals
	State   string `json:"state"`   // locks, the last-sync record, logs
	Runtime string `json:"runtime"` // the daemon's socket
}

// ResolvePaths resolves reel's folders from env. An empty or relative XDG
// value counts as unset, as the spec says.
func ResolvePaths(env Env) (Paths, error) {
	home := env("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return Paths{}, fmt.Errorf("find home folder: %w", err)
		}
		home = h
	}
	if root := env("REEL_HOME"); root != "" {
		root, err := filepath.Abs(root)
		if err != nil {
			return Paths{}, fmt.Errorf("resolve REEL_HOME: %w", err)
		}
		return Paths{
			Home:    home,
			Config:  root,
			Data:    filepath.Join(root, "data"),
			State:   filepath.Join(root, "state"),
			Runtime: filepath.Join(root, "run"),
		}, nil
	}
	runtime := xdg(env, "XDG_RUNTIME_DIR", "")
	if runtime == "" {
		runtime = filepath.Join(os.TempDir(), fmt.Sprintf("reel-%d", os.Getuid()))
	}
	return Paths{
		Home:    home,
		Config:  filepath.Join(xdg(env, "XDG_CONFIG_HOME", filepath.Join(home, ".config")), "reel"),
		Data:    filepath.Join(xdg(env, "XDG_DATA_HOME", filepath.Join(home, ".local", "share")), "reel"),
		State:   filepath.Join(xdg(env, "XDG_STATE_HOME", filepath.Join(home, ".local", "state")), "reel"),
		Runtime: runtime,
	}, nil
}

func xdg(env Env, name, fallback string) string {
	if v := env(name); v != "" && filepath.IsAbs(v) {
		return v
	}
	return fallback
}

// ConfigFile returns the path of config.toml.
func (p Paths) ConfigFile() string { return filepath.Join(p.Config, "config.toml") }

// Database returns the path of the embedded SQLite store.
func (p Paths) Database() string { return filepath.Join(p.Data, "reel.db") }

// SyncLock returns the path of the single-flight sync lock file.
func (p Paths) SyncLock() string { return filepath.Join(p.State, "sync.lock") }

// LastSync returns the path of the last-sync record.
func (p Paths) LastSync() string { return filepath.Join(p.State, "last-sync.json") }

// SourceSyncs returns the path of the per-source record of when each
// source was last synced.
func (p Paths) SourceSyncs() string { return filepath.Join(p.State, "source-syncs.json") }

// EnsureDirs creates the data and state folders, private to the user.
func (p Paths) EnsureDirs() error {
	for _, d := range []string{p.Data, p.State} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	return nil
}

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DaemonConfig tunes `reel daemon` ([daemon] in config.toml).
type DaemonConfig struct {
	// SyncInterval is how often the daemon syncs every source, besides
	// syncing when a source folder changes. Default 5m.
	SyncInterval Duration `toml:"sync_interval" json:"sync_interval"`
	// SyncDebounce is how long the daemon waits after a change in a source
	// folder before it syncs. Default 2s.
	SyncDebounce Duration `toml:"sync_debounce" json:"sync_debounce"`
	// ReapInterval is how often the reaper runs. Default 30s.
	ReapInterval Duration `toml:"reap_interval" json:"reap_interval"`
	// Listen is a TCP address (host:port) to serve the API on besides the
	// unix socket; empty for none. A TCP listener needs a token.
	Listen string `toml:"listen" json:"listen,omitempty"`
	// TokenFile holds the bearer token that TCP clients must send; default
	// token in the state folder, created (mode 0600) when Listen is set.
	TokenFile string `toml:"token_file" json:"token_file,omitempty"`
	// RateLimit is the requests per second one TCP client may make
	// (bursts of twice as many). Default 200; the unix socket is not
	// limited.
	RateLimit float64 `toml:"rate_limit" json:"rate_limit"`
	// AllowedHosts are Host header values accepted on TCP besides
	// localhost, 127.0.0.1, [::1] and the listen address.
	AllowedHosts []string `toml:"allowed_hosts" json:"allowed_hosts,omitempty"`
}

// MCPConfig tunes the MCP server ([mcp] in config.toml).
type MCPConfig struct {
	// Control enables the tools that change supervised sessions (pause,
	// resume, send). Off by default: an MCP client is another agent.
	Control bool `toml:"control" json:"control"`
}

// LiveConfig bounds live sessions ([live] in config.toml): sessions being
// recorded, or watched through hooks in the daemon.
type LiveConfig struct {
	// WindowEvents and WindowCheckpoints bound what a live session keeps
	// in memory; older entries are evicted (they stay in the journal and
	// the store). Defaults 50,000 and 1,000.
	WindowEvents      int `toml:"window_events" json:"window_events"`
	WindowCheckpoints int `toml:"window_checkpoints" json:"window_checkpoints"`
	// SnapshotInterval is how often a live session's snapshot is
	// rewritten. Default 10s.
	SnapshotInterval Duration `toml:"snapshot_interval" json:"snapshot_interval"`
	// SnapshotMaxAge is how old a snapshot may grow before it is removed,
	// recovered or not. Default 7 days (168h).
	SnapshotMaxAge Duration `toml:"snapshot_max_age" json:"snapshot_max_age"`
	// SnapshotResults is how many of the last tool results a snapshot
	// keeps, each cut to a preview. Default 10.
	SnapshotResults int `toml:"snapshot_results" json:"snapshot_results"`
}

// Duration is a time.Duration written in config.toml as a string ("5m").
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as Go does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// applyDaemonDefaults fills what config.toml left unset.
func (c *Config) applyDaemonDefaults() {
	def := func(d *Duration, v time.Duration) {
		if d.Duration <= 0 {
			d.Duration = v
		}
	}
	def(&c.Daemon.SyncInterval, 5*time.Minute)
	def(&c.Daemon.SyncDebounce, 2*time.Second)
	def(&c.Daemon.ReapInterval, 30*time.Second)
	if c.Daemon.RateLimit <= 0 {
		c.Daemon.RateLimit = 200
	}
	if c.Live.WindowEvents <= 0 {
		c.Live.WindowEvents = 50_000
	}
	if c.Live.WindowCheckpoints <= 0 {
		c.Live.WindowCheckpoints = 1_000
	}
	def(&c.Live.SnapshotInterval, 10*time.Second)
	def(&c.Live.SnapshotMaxAge, 7*24*time.Hour)
	if c.Live.SnapshotResults <= 0 {
		c.Live.SnapshotResults = 10
	}
}

// Socket returns the daemon's unix socket: $XDG_RUNTIME_DIR/reel.sock,
// else /tmp/reel-$UID/reel.sock (REEL_HOME: run/reel.sock).
func (p Paths) Socket() string { return filepath.Join(p.Runtime, "reel.sock") }

// EnsureRuntime creates the socket's folder, private to the user.
func (p Paths) EnsureRuntime() error {
	if err := os.MkdirAll(p.Runtime, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", p.Runtime, err)
	}
	return nil
}

// DaemonLock returns the lock file the one daemon of this user holds.
func (p Paths) DaemonLock() string { return filepath.Join(p.State, "daemon.lock") }

// DaemonLog returns the daemon's log file.
func (p Paths) DaemonLog() string { return filepath.Join(p.State, "daemon.log") }

// Token returns the default file of the TCP API's bearer token.
func (p Paths) Token() string { return filepath.Join(p.State, "token") }

// HookSpool returns the folder where `reel hook` appends events while the
// daemon is down; the daemon drains it when it starts.
func (p Paths) HookSpool() string { return filepath.Join(p.State, "hook-spool") }

// Live returns the folder of live sessions' journals: one append-only
// NDJSON file per session (see internal/live).
func (p Paths) Live() string { return filepath.Join(p.Data, "live") }

// Snapshots returns the folder of live sessions' crash snapshots.
func (p Paths) Snapshots() string { return filepath.Join(p.State, "snapshots") }

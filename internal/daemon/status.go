package daemon

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/reel-sh/reel/internal/config"
)

// Status is what the daemon is doing, for `reel daemon status` and the
// API.
type Status struct {
	PID       int       `json:"pid"`
	StartedAt time.Time `json:"started_at"`
	Version   string    `json:"version"`
	Socket    string    `json:"socket"`
	// Listen is the TCP address served, or "".
	Listen string `json:"listen,omitempty"`
	// The timings in force (they change on reload).
	SyncInterval config.Duration `json:"sync_interval"`
	SyncDebounce config.Duration `json:"sync_debounce"`
	ReapInterval config.Duration `json:"reap_interval"`
	// Syncs counts the syncs run, SyncsSkipped those skipped because
	// another sync held the lock, SyncErrors those that failed.
	Syncs        int `json:"syncs"`
	SyncsSkipped int `json:"syncs_skipped"`
	SyncErrors   int `json:"sync_errors"`
	// LastSync is when the last sync ended, LastSyncError its error.
	LastSync      time.Time `json:"last_sync,omitzero"`
	LastSyncError string    `json:"last_sync_error,omitempty"`
	// Reaps counts the reaper's runs, ReapErrors those that failed.
	Reaps      int `json:"reaps"`
	ReapErrors int `json:"reap_errors"`
	// WatchedFolders is how many folders are watched for changes.
	WatchedFolders int `json:"watched_folders"`
	Reloads        int `json:"reloads"`
}

// Status returns what the daemon is doing now.
func (d *Daemon) Status() Status {
	d.mu.Lock()
	st := d.status
	cfg := d.cfg
	d.mu.Unlock()
	st.SyncInterval, st.SyncDebounce, st.ReapInterval = cfg.Daemon.SyncInterval, cfg.Daemon.SyncDebounce, cfg.Daemon.ReapInterval
	if d.watch != nil {
		st.WatchedFolders = d.watch.count()
	}
	return st
}

// StatusPath is where the unix socket serves the daemon's Status as JSON
// (GET), whatever Options.Handler serves besides.
const StatusPath = "/v1/daemon"

// socketHandler serves Status at StatusPath and everything else with h
// (404 when h is nil).
func (d *Daemon) socketHandler(h http.Handler) http.Handler {
	if h == nil {
		h = http.NotFoundHandler()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+StatusPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(d.Status())
	})
	mux.Handle("/", h)
	return mux
}

package daemon

import (
	"encoding/json"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/lockfile"
)

// Info describes the running daemon, as its lock's record says.
type Info struct {
	PID       int       `json:"pid"`
	Host      string    `json:"host"`
	StartedAt time.Time `json:"started_at"`
	// Socket is the unix socket it serves the API on.
	Socket string `json:"socket"`
	// Listen is the TCP address it was configured to serve on, or "".
	Listen  string `json:"listen,omitempty"`
	Version string `json:"version"`
}

// holderDetail is what the daemon adds to its lock's record.
type holderDetail struct {
	Socket  string `json:"socket"`
	Listen  string `json:"listen,omitempty"`
	Version string `json:"version"`
}

func infoFrom(h lockfile.Holder) Info {
	var det holderDetail
	if len(h.Detail) > 0 {
		json.Unmarshal(h.Detail, &det)
	}
	return Info{PID: h.PID, Host: h.Host, StartedAt: h.StartedAt, Socket: det.Socket, Listen: det.Listen, Version: det.Version}
}

// Holder returns the daemon that holds the lock of paths, read without
// disturbing it. ENOTFOUND when no daemon runs.
func Holder(paths config.Paths) (Info, error) {
	held, h, err := lockfile.Probe(paths.DaemonLock())
	if err != nil {
		return Info{}, err
	}
	if !held {
		return Info{}, reel.Errorf(reel.ENOTFOUND, "no reel daemon is running").
			WithHint("start one with: reel daemon (or reel daemon install, to start it at login)")
	}
	return infoFrom(h), nil
}

package daemon

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// maxLogBytes is the size past which OpenLog starts a new log, keeping
// the previous one as daemon.log.1.
const maxLogBytes = 10 << 20

// OpenLog opens the daemon's log at path (mode 0600, appended to): JSON
// lines to the file and, when stderr is not nil (in the foreground), text
// to stderr as well. A log over 10 MiB is moved to path.1 first. Close the
// returned closer when the daemon stops. The daemon logs no tokens and no
// session text.
func OpenLog(path string, stderr io.Writer, level slog.Level) (*slog.Logger, io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("open daemon log: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogBytes {
		os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open daemon log: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open daemon log: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(f, opts)
	if stderr != nil {
		h = slog.NewMultiHandler(h, slog.NewTextHandler(stderr, opts))
	}
	return slog.New(h), f, nil
}

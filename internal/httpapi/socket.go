package httpapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
)

// probeTimeout bounds the check for a server on an existing socket.
const probeTimeout = time.Second

// ListenUnix listens on a unix socket at path, mode 0600, creating its
// folder with mode 0700 if need be. An existing socket is removed only
// when nothing answers on it (a server that died left it); EBUSY when a
// server answers. A file at path that is not a socket is never removed:
// EINVALID names it. EINVALID also for a folder that others may enter
// (group or other permission bits), since the folder is what keeps other
// users from the socket in the moment before its mode is set.
//
// Two processes removing the same stale socket at once could race; the
// daemon holds its lock before it listens.
func ListenUnix(path string) (net.Listener, error) {
	if path == "" {
		return nil, reel.Errorf(reel.EINVALID, "listen: empty socket path")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, reel.Errorf(reel.EINVALID, "listen on %s: folder %s has mode %04o; others could reach the socket", path, dir, fi.Mode().Perm()).
			WithHint("chmod 700 " + dir + ", or put the socket in a private folder")
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return l, nil
}

// removeStale makes way for a new socket at path: nothing there is fine,
// a socket nobody answers on is removed, anything else is refused.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listen on %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return reel.Errorf(reel.EINVALID, "listen on %s: a file that is not a socket is there", path).
			WithHint("reel will not remove it; move it away or choose another socket path")
	}
	c, err := net.DialTimeout("unix", path, probeTimeout)
	if err == nil {
		c.Close()
		return reel.Errorf(reel.EBUSY, "listen on %s: a server already answers there", path).
			WithHint("another reel daemon runs; stop it first")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("listen on %s: probe the existing socket: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("listen on %s: remove stale socket: %w", path, err)
	}
	return nil
}

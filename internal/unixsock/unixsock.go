package unixsock

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
)

// Listener is a listening unix socket and the file it created.
type Listener struct {
	*net.UnixListener
	path string
	fi   os.FileInfo // the socket file as created, to remove only it
	mu   sync.Mutex
	gone bool // Remove ran
}

// Listen listens on the unix socket at path, mode 0600 in a folder
// that is the user's own and mode 0700. An existing socket is replaced only
// when nothing answers on it; any other file at path is never removed.
func Listen(path string) (*Listener, error) {
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	// Close must not unlink a socket another process may have put there
	// since: Remove checks that the file is still this one.
	ln.SetUnlinkOnClose(false)
	// The folder is private, so nobody can reach the socket before this.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		os.Remove(path)
		return nil, fmt.Errorf("chmod %s: %w", path, err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	return &Listener{UnixListener: ln, path: path, fi: fi}, nil
}

// Remove closes the listener (if still open) and removes the socket file
// if it is still the one Listen created: a socket another process put
// there since is left alone.
func (s *Listener) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.UnixListener.Close()
	if s.gone {
		return nil
	}
	s.gone = true
	fi, err := os.Lstat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove socket: %w", err)
	}
	// An inode number is reused once its file is gone, so the time tells
	// a new socket from this one as well.
	if !os.SameFile(fi, s.fi) || !fi.ModTime().Equal(s.fi.ModTime()) {
		return nil
	}
	if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove socket: %w", err)
	}
	return nil
}

// privateDir creates dir (0700) or checks that it is the user's own, and
// makes it 0700 if it is looser.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("stat %s: %w", dir, err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return reel.Errorf(reel.EINVALID, "socket folder %s belongs to uid %d, not to you", dir, st.Uid).
			WithHint("set XDG_RUNTIME_DIR to a folder of your own")
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("chmod %s: %w", dir, err)
		}
	}
	return nil
}

// removeStale removes a socket at path that nothing answers on. A socket
// that answers is EBUSY; a file that is not a socket is EINVALID and stays.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return reel.Errorf(reel.EINVALID, "%s exists and is not a socket; reel does not remove it", path).
			WithHint("move that file away, or set XDG_RUNTIME_DIR to another folder")
	}
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		conn.Close()
		return reel.Errorf(reel.EBUSY, "another process answers on %s", path).
			WithHint("another reel daemon with a different state folder may be using it")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("probe socket %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	return nil
}

package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/config"
)

// unixSocket is a listening unix socket and the file it created.
type unixSocket struct {
	ln   *net.UnixListener
	path string
	fi   os.FileInfo // the socket file as created, to remove only it
}

// listenUnix listens on the unix socket at path, mode 0600 in a folder
// that is the user's own and mode 0700. An existing socket is replaced only
// when nothing answers on it; any other file at path is never removed.
func listenUnix(path string) (*unixSocket, error) {
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
	// Close must not unlink a socket another daemon may have put there
	// since: remove checks that the file is still this one.
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
	return &unixSocket{ln: ln, path: path, fi: fi}, nil
}

// remove closes the listener (if still open) and removes the socket file
// if it is still the one listenUnix created.
func (s *unixSocket) remove() error {
	s.ln.Close()
	fi, err := os.Lstat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove socket: %w", err)
	}
	if !os.SameFile(fi, s.fi) {
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

// tcpAddress completes a listen value: a bare port ("8080" or ":8080")
// listens on 127.0.0.1. Empty stays empty.
func tcpAddress(listen string) string {
	switch {
	case listen == "":
		return ""
	case !strings.Contains(listen, ":"):
		return "127.0.0.1:" + listen
	case strings.HasPrefix(listen, ":"):
		return "127.0.0.1" + listen
	}
	return listen
}

// listenTCP listens on Config.Daemon.Listen, for the API wrapped by
// Options.TCPHandler with the token.
func (d *Daemon) listenTCP(cfg *config.Config) (net.Listener, error) {
	if d.opts.TCPHandler == nil {
		return nil, reel.Errorf(reel.EUNSUPPORT, "daemon.listen = %q, but this reel has no authenticated TCP API", cfg.Daemon.Listen).
			WithHint("remove listen from [daemon] in " + cfg.Paths.ConfigFile() + "; the unix socket serves this user")
	}
	addr := tcpAddress(cfg.Daemon.Listen)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, reel.Errorf(reel.EINVALID, "daemon.listen = %q: %v", cfg.Daemon.Listen, err).
			WithHint("a host:port, or a port for 127.0.0.1")
	}
	tokenFile := cfg.Daemon.TokenFile
	switch {
	case tokenFile == "":
		tokenFile = cfg.Paths.Token()
	case strings.HasPrefix(tokenFile, "~/"):
		tokenFile = filepath.Join(cfg.Paths.Home, tokenFile[2:])
	}
	token, err := EnsureToken(tokenFile)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, reel.Errorf(reel.EBUSY, "listen on %s: %v", addr, err).
			WithHint("change listen in [daemon] of " + cfg.Paths.ConfigFile())
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		d.log.Warn("the API listens beyond this machine; clients need the token", "addr", ln.Addr().String())
	}
	d.tcpAddr = ln.Addr().String()
	d.mu.Lock()
	d.status.Listen = d.tcpAddr
	d.mu.Unlock()
	d.tcpHandler = d.opts.TCPHandler(token)
	return ln, nil
}

// EnsureToken returns the bearer token in path, creating the file with 32
// random bytes in hex (mode 0600) when it does not exist. A token file
// that others can read, or an empty one, is EINVALID.
func EnsureToken(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b := make([]byte, 32)
		rand.Read(b)
		tok := hex.EncodeToString(b)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return "", fmt.Errorf("create token: %w", err)
		}
		if err := atomicfile.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("create token: %w", err)
		}
		return tok, nil
	}
	if err != nil {
		return "", fmt.Errorf("read token: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("read token: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", reel.Errorf(reel.EINVALID, "token file %s is readable by others (mode %04o)", path, fi.Mode().Perm()).
			WithHint("chmod 600 " + path)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", reel.Errorf(reel.EINVALID, "token file %s is empty", path).
			WithHint("remove it, and the daemon writes a new token")
	}
	return tok, nil
}

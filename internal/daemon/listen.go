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

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/config"
)

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

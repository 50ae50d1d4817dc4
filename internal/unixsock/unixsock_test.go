package unixsock_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/unixsock"
)

// shortDir is a temporary folder with a path short enough for a socket.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "reelsock")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func wantCode(t *testing.T, err error, code, part string) {
	t.Helper()
	var re *reel.Error
	if !errors.As(err, &re) || re.Code != code || !strings.Contains(re.Message, part) {
		t.Fatalf("err = %v, want %s containing %q", err, code, part)
	}
}

func TestListen_Modes(t *testing.T) {
	dir := filepath.Join(shortDir(t), "run")
	path := filepath.Join(dir, "reel.sock")
	l, err := unixsock.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Remove()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode = %v, want a socket of 0600", fi.Mode())
	}
	di, err := os.Stat(dir)
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode = %v (%v), want 0700", di.Mode(), err)
	}
}

func TestListen_LooseFolderMadePrivate(t *testing.T) {
	dir := shortDir(t)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := unixsock.Listen(filepath.Join(dir, "reel.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Remove()
	if di, err := os.Stat(dir); err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode = %v (%v), want 0700", di.Mode(), err)
	}
}

func TestListen_ErrNotSocket(t *testing.T) {
	path := filepath.Join(shortDir(t), "reel.sock")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := unixsock.Listen(path)
	wantCode(t, err, reel.EINVALID, path)
	if b, err := os.ReadFile(path); err != nil || string(b) != "precious" {
		t.Fatalf("the file is now %q (%v)", b, err)
	}
	// Nor a folder, nor a symlink to the file.
	sub := filepath.Join(shortDir(t), "d")
	os.Mkdir(sub, 0o700)
	link := filepath.Join(filepath.Dir(sub), "link.sock")
	os.Symlink(path, link)
	for _, p := range []string{sub, link} {
		_, err := unixsock.Listen(p)
		wantCode(t, err, reel.EINVALID, "not a socket")
	}
	if _, err := os.Lstat(link); err != nil {
		t.Fatalf("the symlink is gone: %v", err)
	}
}

func TestListen_StaleAndBusy(t *testing.T) {
	path := filepath.Join(shortDir(t), "reel.sock")
	// A server that died leaves its socket behind.
	old, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close()
	l, err := unixsock.Listen(path)
	if err != nil {
		t.Fatalf("Listen over a stale socket = %v", err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, err = unixsock.Listen(path)
	wantCode(t, err, reel.EBUSY, "answers")
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("the live socket was removed: %v", err)
	}
	// Remove leaves a socket that is no longer its own.
	if err := l.Remove(); err != nil {
		t.Fatal(err)
	}
	other, err := unixsock.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Remove()
	if err := l.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("a second Remove took another listener's socket: %v", err)
	}
}

package httpapi

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
)

func TestListenUnix_Modes(t *testing.T) {
	dir := filepath.Join(shortDir(t), "run")
	path := filepath.Join(dir, "reel.sock")
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
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

func TestListenUnix_ErrRegularFile(t *testing.T) {
	path := filepath.Join(shortDir(t), "reel.sock")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ListenUnix(path)
	wantCode(t, err, reel.EINVALID, path)
	if b, err := os.ReadFile(path); err != nil || string(b) != "precious" {
		t.Fatalf("the file is now %q (%v)", b, err)
	}
	// Nor a folder, nor a symlink to one.
	sub := filepath.Join(shortDir(t), "d")
	os.Mkdir(sub, 0o700)
	link := filepath.Join(filepath.Dir(sub), "link.sock")
	os.Symlink(path, link)
	for _, p := range []string{sub, link} {
		_, err := ListenUnix(p)
		wantCode(t, err, reel.EINVALID, "not a socket")
	}
	if _, err := os.Lstat(link); err != nil {
		t.Fatalf("the symlink is gone: %v", err)
	}
}

func TestListenUnix_ErrOpenFolder(t *testing.T) {
	dir := shortDir(t)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := ListenUnix(filepath.Join(dir, "reel.sock"))
	wantCode(t, err, reel.EINVALID, "mode 0755")
}

func TestListenUnix_Stale(t *testing.T) {
	path := filepath.Join(shortDir(t), "reel.sock")
	// A server that died leaves its socket behind.
	old, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("no stale socket: %v", err)
	}
	t.Run("ClientUnavailable", func(t *testing.T) {
		_, err := Dial(path)
		if !IsUnavailable(err) {
			t.Fatalf("Dial of a stale socket = %v, want unavailable", err)
		}
	})
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatalf("ListenUnix over a stale socket = %v", err)
	}
	serve(t, NewServer(Services{}, Options{}), l)
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Run("ErrBusy", func(t *testing.T) {
		_, err := ListenUnix(path)
		wantCode(t, err, reel.EBUSY, "already answers")
		if err := c.Health(context.Background()); err != nil {
			t.Fatalf("the live server's socket was disturbed: %v", err)
		}
	})
}

//go:build unix

package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpen_FileModes(t *testing.T) {
	old := syscall.Umask(0) // the modes must not depend on the user's umask
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data", "reel")
	path := filepath.Join(dir, "reel.db")
	s := openTest(t, path)
	if err := s.Apply(context.Background(), message("codex", "modes", 0, "hello")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode = %o, want 600", filepath.Base(p), got)
		}
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o700 {
			t.Errorf("%s mode = %o, want 700", d, got)
		}
	}
}

package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// ReelBinary returns a reel binary for tests that start the real program:
// $REEL_TEST_BIN, else one built from this repository (with the
// sqlite_fts5 tag) once per test process.
func ReelBinary(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("REEL_TEST_BIN"); b != "" {
		return b
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "reel-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "reel")
		cmd := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", builtBin, "./cmd/reel")
		cmd.Dir = RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build reel: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

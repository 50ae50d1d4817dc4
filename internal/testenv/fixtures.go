package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// FixturesDir returns the shared fixtures folder ($REEL_FIXTURES, or
// ../shared/fixtures beside the repository). The test is skipped when the
// folder is absent, unless CI=true, where it fails: CI always has it.
func FixturesDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("REEL_FIXTURES")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared", "fixtures")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared fixtures not found at %s (set REEL_FIXTURES): %v", dir, err)
		}
		t.Skipf("shared fixtures not found at %s; set REEL_FIXTURES to run this test", dir)
	}
	return dir
}

// RepoRoot returns the folder holding go.mod, searching up from the
// working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

//go:build !sqlite_fts5

package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
)

// TestOpen_ErrNoFTS5 runs only in a build without the sqlite_fts5 tag
// (.ci/run runs it): such a binary must say how to rebuild, not fail on
// the first full-text statement.
func TestOpen_ErrNoFTS5(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "reel.db"))
	if reel.ErrorCode(err) != reel.EUNSUPPORT {
		t.Fatalf("Open without FTS5: err = %v, want EUNSUPPORT", err)
	}
	if hint := reel.ErrorHint(err); hint == "" {
		t.Error("no hint naming the build tag")
	}
}

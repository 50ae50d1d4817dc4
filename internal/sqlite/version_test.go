package sqlite

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// versionOf returns s's DataVersion, failing t on an error.
func versionOf(t *testing.T, s *Store) uint64 {
	t.Helper()
	v, err := s.DataVersion(context.Background())
	if err != nil {
		t.Fatalf("DataVersion = %v", err)
	}
	return v
}

func TestStore_DataVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reel.db")
	s := openTest(t, path)
	v := versionOf(t, s)
	if again := versionOf(t, s); again != v {
		t.Fatalf("DataVersion with no write = %d, then %d", v, again)
	}
	// Each of this Store's writes, through its own writer connection.
	writes := []struct {
		name  string
		write func() error
	}{
		{"Apply", func() error { return s.Apply(ctx, message("codex", "dv", 0, "one", "two")) }},
		{"PutCheckpoint", func() error {
			return s.PutCheckpoint(ctx, reel.Checkpoint{ID: "cp-dv", SessionID: reel.SessionID("codex", "dv"),
				Label: "dv", Seq: 0, Time: time.Unix(1700000001, 0)})
		}},
		{"PutAgent", func() error {
			return s.PutAgent(ctx, reel.AgentSession{ID: "agent-dv", Name: "dv", CreatedAt: time.Unix(1700000000, 0)})
		}},
		{"DeleteAgent", func() error { return s.DeleteAgent(ctx, "agent-dv") }},
	}
	for _, w := range writes {
		if err := w.write(); err != nil {
			t.Fatalf("%s = %v", w.name, err)
		}
		got := versionOf(t, s)
		if got == v {
			t.Errorf("DataVersion after %s = %d, unchanged", w.name, got)
		}
		v = got
	}
	// Another Store on the file: other connections, as another process
	// has.
	other := openTest(t, path)
	if err := other.Apply(ctx, message("codex", "dv-other", 0, "three")); err != nil {
		t.Fatal(err)
	}
	if got := versionOf(t, s); got == v {
		t.Errorf("DataVersion after another Store's Apply = %d, unchanged", got)
	}
}

// TestStore_DataVersionOtherProcess has a child process (this test
// binary again) write to the database, as a reel sync run from the
// command line does beside the daemon, and checks that the parent's
// DataVersion changes and a read after it sees the write.
func TestStore_DataVersionOtherProcess(t *testing.T) {
	if path := os.Getenv("REEL_SQLITE_DV_CHILD"); path != "" {
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Apply(context.Background(), message("claude-code", "from-child", 0, "child")); err != nil {
			t.Fatal(err)
		}
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reel.db")
	s := openTest(t, path)
	if err := s.Apply(ctx, message("codex", "parent", 0, "parent")); err != nil {
		t.Fatal(err)
	}
	v := versionOf(t, s)
	cmd := exec.Command(os.Args[0], "-test.run=^TestStore_DataVersionOtherProcess$")
	cmd.Env = append(os.Environ(), "REEL_SQLITE_DV_CHILD="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if got := versionOf(t, s); got == v {
		t.Fatalf("DataVersion after another process's Apply = %d, unchanged", got)
	}
	ss, err := s.Sessions(ctx, reel.Filter{})
	if err != nil || len(ss) != 2 {
		t.Fatalf("Sessions after the child's write = %d sessions, %v; want 2", len(ss), err)
	}
}

// BenchmarkStore_DataVersion is the cost of the check a cache makes on
// every request.
func BenchmarkStore_DataVersion(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "reel.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.DataVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

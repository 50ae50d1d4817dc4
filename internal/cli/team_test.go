package cli_test

import (
	"bytes"
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/postgres"
	"github.com/reel-sh/reel/internal/postgres/pgtest"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
)

// teamHost is one simulated machine: its own home with session files, its
// own reel folder and host name, syncing into the shared store.
type teamHost struct {
	name, home, reelHome string
}

// reelCmd returns a real reel process (this test binary, run as reel) for
// host h, syncing into the store at storeURL.
func (h teamHost) reelCmd(storeURL string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asReel+"=1", "HOME="+h.home, "REEL_HOME="+h.reelHome,
		"REEL_STORE="+storeURL, "REEL_HOST="+h.name, "NO_COLOR=1")
	return cmd
}

// sessionFiles lists the session files under home, relative to it.
func sessionFiles(t *testing.T, home string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl") {
			return err
		}
		rel, err := filepath.Rel(home, path)
		files = append(files, rel)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// copyTree copies the files rels from one home to another.
func copyTree(t *testing.T, from, to string, rels []string) {
	t.Helper()
	for _, rel := range rels {
		data, err := os.ReadFile(filepath.Join(from, rel))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// reference syncs the union of every host's files into a fresh SQLite
// store: what the team store must converge to.
func reference(t *testing.T, union string) reel.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ref.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	_, err = syncer.Run(context.Background(), syncer.Options{Store: st, Host: "ref", Sources: []syncer.Source{
		{Importer: ingest.NewClaude(), Root: filepath.Join(union, ".claude", "projects")},
		{Importer: ingest.NewCodex(), Root: filepath.Join(union, ".codex", "sessions")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkConverged checks that team holds exactly ref's sessions and events,
// and that every session's raw records give back its file.
func checkConverged(t *testing.T, team, ref reel.Store) {
	t.Helper()
	ctx := context.Background()
	want, err := ref.Sessions(ctx, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := team.Sessions(ctx, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("team store has %d sessions, want the %d unique ones", len(got), len(want))
	}
	var teamEvents, refEvents int64
	for _, w := range want {
		g, err := team.Session(ctx, w.ID)
		if err != nil {
			t.Fatalf("session %s (%s): %v", w.ID, w.NativeID, err)
		}
		evs, err := team.Events(ctx, w.ID, reel.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if g.EventCount != w.EventCount || int64(len(evs)) != w.EventCount {
			t.Errorf("session %s: %d events (row says %d), want %d", w.NativeID, len(evs), g.EventCount, w.EventCount)
		}
		teamEvents += int64(len(evs))
		refEvents += w.EventCount
		var raw []byte
		if err := team.RawRecords(ctx, w.ID, func(r reel.RawRecord) error { raw = append(raw, r.Data...); return nil }); err != nil {
			t.Fatal(err)
		}
		file, err := os.ReadFile(w.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(raw, file) {
			t.Errorf("session %s: export gives %d bytes, the file has %d", w.NativeID, len(raw), len(file))
		}
	}
	if teamEvents != refEvents {
		t.Errorf("team store has %d events, want %d", teamEvents, refEvents)
	}
}

// TestSync_TeamStore runs four real reel sync processes, as four hosts
// with overlapping sessions, into one PostgreSQL database at once, then
// kills a fifth mid-sync and runs it again: the store ends with every
// unique session once, each exporting byte for byte.
func TestSync_TeamStore(t *testing.T) {
	storeURL := pgtest.Schema(t, pgtest.URL(t))
	root := t.TempDir()
	union := filepath.Join(root, "union")
	if _, err := corpus.Generate(union, corpus.Options{Events: 4000, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	files := sessionFiles(t, union)
	hosts := make([]teamHost, 4)
	for i := range hosts {
		hosts[i] = teamHost{name: "host" + string(rune('a'+i)), home: filepath.Join(root, "home"+string(rune('a'+i))), reelHome: filepath.Join(root, "reel"+string(rune('a'+i)))}
	}
	// Every file is on two hosts: each pair of neighbours shares sessions.
	for i, f := range files {
		copyTree(t, union, hosts[i%4].home, []string{f})
		copyTree(t, union, hosts[(i+1)%4].home, []string{f})
	}

	cmds := make([]*exec.Cmd, len(hosts))
	outs := make([]*bytes.Buffer, len(hosts))
	for i, h := range hosts {
		cmds[i] = h.reelCmd(storeURL, "sync", "--json")
		outs[i] = &bytes.Buffer{}
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("%s: reel sync: %v\n%s", hosts[i].name, err, outs[i])
		}
	}

	team, err := postgres.Open(context.Background(), storeURL)
	if err != nil {
		t.Fatal(err)
	}
	defer team.Close()
	ref := reference(t, union)
	checkConverged(t, team, ref)

	// A fifth host with every file and some new ones is killed mid-sync,
	// at a random moment, and run again.
	more := filepath.Join(root, "more")
	if _, err := corpus.Generate(more, corpus.Options{Events: 3000, Seed: 12}); err != nil {
		t.Fatal(err)
	}
	fifth := teamHost{name: "hoste", home: filepath.Join(root, "homee"), reelHome: filepath.Join(root, "reele")}
	copyTree(t, union, fifth.home, files)
	copyTree(t, more, fifth.home, sessionFiles(t, more))
	copyTree(t, more, union, sessionFiles(t, more))
	killed := fifth.reelCmd(storeURL, "sync")
	if err := killed.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
	killed.Process.Signal(syscall.SIGKILL)
	killed.Wait()
	if out, err := fifth.reelCmd(storeURL, "sync").CombinedOutput(); err != nil {
		t.Fatalf("re-run after kill: %v\n%s", err, out)
	}
	checkConverged(t, team, reference(t, union))
}

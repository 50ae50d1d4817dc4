package syncer_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
)

// helperEnv carries a helperSpec to the helper process.
const helperEnv = "REEL_SYNCER_TEST_HELPER"

// helperSpec tells the helper process what to sync into which database.
type helperSpec struct {
	Home string `json:"home"`
	DB   string `json:"db"`
}

// killBatch is the batch size of the killed syncs: small, so that a sync
// commits often and a kill lands between commits of one file.
const killBatch = 200

// TestHelperSync is not a test: it is the process TestRun_Kill starts and
// kills. It syncs a home folder into a database and prints a line after
// each file.
func TestHelperSync(t *testing.T) {
	raw := os.Getenv(helperEnv)
	if raw == "" {
		t.Skip("runs only as TestRun_Kill's helper process")
	}
	var spec helperSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		t.Fatal(err)
	}
	opt := options(openStoreAt(t, spec.DB), spec.Home)
	opt.BatchEvents = killBatch
	opt.Progress = func(p syncer.Progress) { fmt.Printf("synced %d/%d\n", p.FilesDone, p.FilesTotal) }
	runSync(t, opt)
}

// TestRun_Kill kills a sync with SIGKILL part way into a file, then syncs
// again: the store ends as a clean sync leaves it, everything the killed
// sync committed is kept, and the second sync reads only what the killed
// one had not committed.
func TestRun_Kill(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a large corpus")
	}
	size, pauses := 40000, []time.Duration{0, 25 * time.Millisecond, 80 * time.Millisecond}
	if raceEnabled {
		// The race detector slows the writes several times over.
		size, pauses = 30000, []time.Duration{0, 80 * time.Millisecond}
	}
	home, m := genCorpus(t, size, 3)
	clean := openStore(t)
	opt := options(clean, home)
	opt.BatchEvents = killBatch
	runSync(t, opt)
	want := takeSnapshot(t, clean)
	if len(want) != m.Files {
		t.Fatalf("clean sync: %d sessions, corpus has %d files", len(want), m.Files)
	}

	midFile := 0 // files the kills left part way
	for _, pause := range pauses {
		t.Run(fmt.Sprintf("Pause%s", pause), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "reel.db")
			store, ok := killHelper(t, helperSpec{Home: home, DB: db}, m.SessionFiles, pause)
			if !ok {
				t.Skip("the helper finished before it could be killed")
			}
			killed := takeSnapshot(t, store)
			checkPrefixes(t, killed, want)
			committed, partial := committedBytes(t, store, home, m.SessionFiles)
			if committed == 0 {
				t.Fatal("the killed sync committed nothing")
			}
			midFile += partial

			opt := options(store, home)
			opt.BatchEvents = killBatch
			rec := runSync(t, opt)
			if rec.Outcome != syncer.OutcomeOK {
				t.Errorf("resumed sync: outcome %q, issues %v", rec.Outcome, rec.Issues)
			}
			if rec.BytesRead != m.Bytes-committed {
				t.Errorf("resumed sync read %d bytes; %d of %d were committed, so want %d",
					rec.BytesRead, committed, m.Bytes, m.Bytes-committed)
			}
			if rec.FilesAppended < partial {
				t.Errorf("resumed sync appended to %d files; %d were committed part way", rec.FilesAppended, partial)
			}
			after := takeSnapshot(t, store)
			compareSnapshots(t, after, want)
			// What the killed sync committed is still there, unchanged.
			checkPrefixes(t, killed, after)
			t.Logf("killed with %d of %d bytes committed in %d sessions, %d of them part way",
				committed, m.Bytes, len(killed), partial)
		})
	}
	if midFile == 0 && !t.Failed() {
		t.Error("no kill left a file part way, so no sync resumed one")
	}
}

// killHelper starts the helper process and, once it has finished a file
// and committed part of another with much of it left to read, pauses and
// kills it with SIGKILL. It
// returns a store on the database the helper wrote, and false if the
// helper finished before it could be killed.
func killHelper(t *testing.T, spec helperSpec, files []corpus.SessionFile, pause time.Duration) (*sqlite.Store, bool) {
	t.Helper()
	arg, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSync$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(arg))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// One goroutine reads the helper's reports, then reaps it.
	synced := make(chan struct{}, 1)
	exited := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "synced ") {
				select {
				case synced <- struct{}{}:
				default:
				}
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	helperFailed := func(err error) {
		if err != nil && strings.Contains(stderr.String(), "FAIL") {
			t.Fatalf("helper failed: %v\n%s", err, stderr.String())
		}
	}

	// A finished file means the schema exists and something is committed.
	select {
	case <-synced:
	case err := <-exited:
		helperFailed(err)
		return nil, false
	}
	store := openStoreAt(t, spec.DB)
	for !midway(t, store, spec.Home, files) {
		select {
		case err := <-exited:
			helperFailed(err)
			return store, false
		case <-time.After(2 * time.Millisecond):
		}
	}
	time.Sleep(pause)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on unix
		t.Fatal(err)
	}
	err = <-exited
	helperFailed(err)
	return store, err != nil // nil: it finished before the signal
}

// checkPrefixes fails the test unless every session in part holds a
// prefix of the same session in whole: the first events equal, the raw
// bytes a prefix.
func checkPrefixes(t *testing.T, part, whole snapshot) {
	t.Helper()
	for path, p := range part {
		w, ok := whole[path]
		if !ok {
			t.Errorf("%s: session not in the complete store", path)
			continue
		}
		if p.Session.ID != w.Session.ID {
			t.Errorf("%s: session id %s, complete store has %s", path, p.Session.ID, w.Session.ID)
		}
		if !bytes.HasPrefix(w.Raw, p.Raw) {
			t.Errorf("%s: %d raw bytes are not a prefix of the file", path, len(p.Raw))
		}
		if len(p.Events) > len(w.Events) || !reflect.DeepEqual(p.Events, w.Events[:len(p.Events)]) {
			t.Errorf("%s: the %d events are not the first of the complete store's %d", path, len(p.Events), len(w.Events))
		}
	}
}

// committedBytes sums the offsets of the corpus files' cursors, the bytes
// a sync has committed for good, and counts the files committed part way.
func committedBytes(t *testing.T, store reel.Store, home string, files []corpus.SessionFile) (n int64, partial int) {
	t.Helper()
	for _, f := range files {
		cur, err := store.Cursor(context.Background(), filepath.Join(home, filepath.FromSlash(f.Path)))
		switch {
		case reel.ErrorCode(err) == reel.ENOTFOUND:
		case err != nil:
			t.Fatal(err)
		default:
			n += cur.Offset
			if cur.Offset < f.Bytes {
				partial++
			}
		}
	}
	return n, partial
}

// midwayLeft is how much of a file must be left to read for a kill right
// away to land part way into it: several batches.
const midwayLeft = 256 << 10

// midway reports whether a sync has committed part of a corpus file and
// has at least midwayLeft bytes of it left to read.
func midway(t *testing.T, store reel.Store, home string, files []corpus.SessionFile) bool {
	t.Helper()
	for _, f := range files {
		cur, err := store.Cursor(context.Background(), filepath.Join(home, filepath.FromSlash(f.Path)))
		switch {
		case reel.ErrorCode(err) == reel.ENOTFOUND:
		case err != nil:
			t.Fatal(err)
		case f.Bytes-cur.Offset >= midwayLeft:
			return true
		}
	}
	return false
}

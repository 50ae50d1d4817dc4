package syncer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
)

// journalHelperEnv carries a helperSpec to TestHelperSyncJournal.
const journalHelperEnv = "REEL_SYNCER_TEST_JOURNAL_HELPER"

// TestHelperSyncJournal is not a test: it is the process
// TestRun_KillCheckpoints starts and kills. It syncs the recordings in
// spec.Home into spec.DB, 50 events a batch.
func TestHelperSyncJournal(t *testing.T) {
	raw := os.Getenv(journalHelperEnv)
	if raw == "" {
		t.Skip("runs only as TestRun_KillCheckpoints's helper process")
	}
	var spec helperSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		t.Fatal(err)
	}
	journalSync(t, openStoreAt(t, spec.DB), spec.Home, 50)
}

// TestRun_KillCheckpoints kills a sync of a journal full of checkpoint
// lines with SIGKILL part way, and checks that the checkpoints committed
// are exactly those of the lines before the committed events: none ahead
// of its events, none lost behind them. The next sync completes both.
func TestRun_KillCheckpoints(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, journalID+journal.Ext)
	const commands, every = 6000, 10
	var b strings.Builder
	b.WriteString(journalHeader())
	for n := 1; n <= commands; n++ {
		b.WriteString(cmdLine(n))
		if n%every == 0 {
			b.WriteString(`{"t":"checkpoint","label":"c` + strconv.Itoa(n) + `","at":"2026-11-23T12:00:00Z","seq":` + strconv.Itoa(n) + "}\n")
		}
	}
	writeFile(t, path, []byte(b.String()))
	db := filepath.Join(t.TempDir(), "reel.db")
	sid := journal.SessionID(journalID)

	arg, _ := json.Marshal(helperSpec{Home: root, DB: db})
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSyncJournal$", "-test.count=1")
	cmd.Env = append(os.Environ(), journalHelperEnv+"="+string(arg))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Kill it once a few batches are in, well before the end.
	var store reel.Store
	killed := false
	deadline := time.Now().Add(60 * time.Second)
	for !killed && time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Skipf("the helper finished before it could be killed (%v):\n%s", err, out.String())
		case <-time.After(2 * time.Millisecond):
		}
		if _, err := os.Stat(db); err != nil {
			continue
		}
		if store == nil {
			store = openStoreAt(t, db)
		}
		ss, err := store.Session(context.Background(), sid)
		if err == nil && ss.EventCount >= 300 && ss.EventCount < commands/2 {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-exited
			killed = true
		}
	}
	if !killed {
		t.Fatalf("the helper never committed part of the journal:\n%s", out.String())
	}

	ss, err := store.Session(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	cps, err := store.Checkpoints(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	// Batches end after their 50th event, so a checkpoint line right
	// after the last committed command is in the batch that was lost.
	want := int((ss.EventCount - 1) / every)
	if len(cps) != want {
		t.Errorf("killed at %d events with %d checkpoints; want the %d before them", ss.EventCount, len(cps), want)
	}
	for i, c := range cps {
		if c.Seq > ss.EventCount || c.Seq != int64((i+1)*every) {
			t.Errorf("checkpoint %d at seq %d, %d events committed", i, c.Seq, ss.EventCount)
			break
		}
	}
	t.Logf("killed with %d of %d events and %d checkpoints committed", ss.EventCount, commands, len(cps))

	journalSync(t, store, root, 50)
	if ss, _ = store.Session(context.Background(), sid); ss.EventCount != commands {
		t.Errorf("after the next sync: %d events, want %d", ss.EventCount, commands)
	}
	if cps, _ = store.Checkpoints(context.Background(), sid); len(cps) != commands/every {
		t.Errorf("after the next sync: %d checkpoints, want %d", len(cps), commands/every)
	}
}

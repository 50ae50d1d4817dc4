package syncer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/syncer"
)

const journalID = "0193bbbb000070008000000000000001"

func journalHeader() string {
	return `{"t":"start","v":1,"id":"` + journalID + `","name":"cp","kind":"shell","shell":"bash","os":"linux","host":"h","cwd":"/w","started_at":"2026-11-23T12:00:00Z","owner":{"pid":1,"start":1,"host":"h"}}` + "\n"
}

func cmdLine(n int) string {
	return fmt.Sprintf(`{"t":"cmd","n":%d,"cmd":"echo %d","cwd":"/w","start_us":%d,"end_us":%d,"exit":0}`+"\n",
		n, n, 1795435200000000+int64(n)*1e6, 1795435200000000+int64(n)*1e6+500)
}

func checkpointLine(seq int, label, state string) string {
	s := fmt.Sprintf(`{"t":"checkpoint","id":"","label":%q,"at":"2026-11-23T12:00:0%dZ","seq":%d`, label, seq, seq)
	if state != "" {
		s += `,"state":` + state
	}
	return s + "}\n"
}

// journalSync syncs the recordings under root with batches of batch
// events.
func journalSync(t *testing.T, store reel.Store, root string, batch int) *syncer.Record {
	t.Helper()
	return runSync(t, syncer.Options{Store: store, Host: testHost, BatchEvents: batch,
		Sources: []syncer.Source{{Importer: ingest.NewRecording(), Root: root}}})
}

func storedCheckpoints(t *testing.T, store reel.Store) []reel.Checkpoint {
	t.Helper()
	cps, err := store.Checkpoints(context.Background(), journal.SessionID(journalID))
	if err != nil {
		t.Fatal(err)
	}
	return cps
}

func TestSync_Checkpoints(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		root := t.TempDir()
		path := filepath.Join(root, journalID+journal.Ext)
		writeFile(t, path, []byte(journalHeader()+checkpointLine(0, "start", "")+cmdLine(1)+cmdLine(2)+
			checkpointLine(2, "mid", `{ "k" : [1, 2] }`)+cmdLine(3)+checkpointLine(3, "", "")))
		store := openStore(t)
		rec := journalSync(t, store, root, 1)
		if len(rec.Issues) != 0 {
			t.Fatalf("issues: %v", rec.Issues)
		}
		cps := storedCheckpoints(t, store)
		got := []string{}
		for _, c := range cps {
			got = append(got, fmt.Sprintf("%s@%d %s", c.Label, c.Seq, c.State))
			want := reel.CheckpointID(c.SessionID, c.Seq, c.Label, c.Time)
			if c.ID != want {
				t.Errorf("checkpoint %q has id %s, want the derived %s", c.Label, c.ID, want)
			}
		}
		if want := `[start@0  mid@2 { "k" : [1, 2] } @3 ]`; fmt.Sprint(got) != want {
			t.Errorf("checkpoints = %v, want %s", got, want)
		}
		// The journal reader counts the events the importer made.
		r, err := journal.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if r.Events != 3 || len(r.Checkpoints) != 3 {
			t.Errorf("journal.Read: %d events, %d checkpoints; want 3, 3", r.Events, len(r.Checkpoints))
		}
	})

	t.Run("OKWithTheEventsBeforeIt", func(t *testing.T) {
		// A checkpoint line is committed when the sync reads it, in the
		// batch with the events before it; the journal growing later
		// leaves it, and a rewrite reads it again under the same id.
		root := t.TempDir()
		path := filepath.Join(root, journalID+journal.Ext)
		writeFile(t, path, []byte(journalHeader()+cmdLine(1)))
		store := openStore(t)
		journalSync(t, store, root, 50)
		if n := len(storedCheckpoints(t, store)); n != 0 {
			t.Fatalf("%d checkpoints before any line", n)
		}
		appendFile(t, path, []byte(checkpointLine(1, "one", "")))
		journalSync(t, store, root, 50)
		first := storedCheckpoints(t, store)
		if len(first) != 1 || first[0].Seq != 1 || first[0].Label != "one" {
			t.Fatalf("after the line: %+v", first)
		}
		appendFile(t, path, []byte(cmdLine(2)+checkpointLine(2, "two", "")))
		journalSync(t, store, root, 50)
		// A rewrite (a new head) reads the journal again from the top.
		data := strings.Replace(string(readFile(t, path)), `"name":"cp"`, `"name":"cq"`, 1)
		writeFile(t, path, []byte(data))
		journalSync(t, store, root, 50)
		cps := storedCheckpoints(t, store)
		if len(cps) != 2 || cps[0].ID != first[0].ID || cps[1].Label != "two" {
			t.Errorf("after a rewrite: %+v", cps)
		}
		ss, err := store.Session(context.Background(), journal.SessionID(journalID))
		if err != nil || ss.EventCount != 2 || ss.Title != "cq" {
			t.Errorf("session = %+v, %v", ss, err)
		}
	})

	t.Run("ErrBadLines", func(t *testing.T) {
		// Checkpoint lines the store would refuse are reported with their
		// line, counted and skipped; the rest of the journal syncs.
		root := t.TempDir()
		path := filepath.Join(root, journalID+journal.Ext)
		writeFile(t, path, []byte(journalHeader()+cmdLine(1)+
			checkpointLine(5, "ahead", "")+ // line 3: past the events
			checkpointLine(1, "ok", "")+
			checkpointLine(0, "ok", `{"other":1}`)+ // line 5: the label again
			checkpointLine(1, strings.Repeat("l", reel.MaxCheckpointLabel+1), "")+ // line 6: too long
			`{"t":"checkpoint","label":"two\u0007","seq":1}`+"\n"+ // line 7: a control character
			cmdLine(2)))
		store := openStore(t)
		rec := journalSync(t, store, root, 50)
		lines := []int64{}
		for _, is := range rec.Issues {
			lines = append(lines, is.Line)
			if is.Path != path || is.Action != "skipped" {
				t.Errorf("issue %v: want path %s, skipped", is, path)
			}
		}
		if fmt.Sprint(lines) != "[3 5 6 7]" {
			t.Errorf("issues on lines %v, want [3 5 6 7]: %v", lines, rec.Issues)
		}
		cps := storedCheckpoints(t, store)
		if len(cps) != 1 || cps[0].Label != "ok" {
			t.Errorf("checkpoints = %+v, want only ok", cps)
		}
		ss, _ := store.Session(context.Background(), journal.SessionID(journalID))
		if ss.EventCount != 2 {
			t.Errorf("event count %d, want 2", ss.EventCount)
		}
	})
}

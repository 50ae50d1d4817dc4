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

	t.Run("ErrLabelTakenInStore", func(t *testing.T) {
		// A label put into the store (reel checkpoint --session) and then
		// written into the journal: the line is reported and skipped, and
		// the sync goes on, now and next time.
		root := t.TempDir()
		path := filepath.Join(root, journalID+journal.Ext)
		writeFile(t, path, []byte(journalHeader()+cmdLine(1)))
		store := openStore(t)
		journalSync(t, store, root, 50)
		sid := journal.SessionID(journalID)
		if err := store.PutCheckpoint(context.Background(), reel.Checkpoint{ID: "put", SessionID: sid, Label: "mid", Seq: 1}); err != nil {
			t.Fatal(err)
		}
		appendFile(t, path, []byte(checkpointLine(1, "mid", "")+checkpointLine(1, "other", "")+cmdLine(2)))
		for range 2 {
			rec := journalSync(t, store, root, 50)
			if len(rec.Issues) != 1 || rec.Issues[0].Line != 3 || !strings.Contains(rec.Issues[0].Reason, `"mid"`) {
				t.Errorf("issues %v, want line 3's label", rec.Issues)
			}
			// A rewrite: the next sync reads it all again.
			writeFile(t, path, []byte(strings.Replace(string(readFile(t, path)), `"name":"cp"`, `"name":"cq"`, 1)))
		}
		cps := storedCheckpoints(t, store)
		if len(cps) != 2 || cps[0].ID != "put" || cps[1].Label != "other" {
			t.Errorf("checkpoints = %+v", cps)
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

// TestPush_Checkpoints pushes a recording with checkpoints into another
// store, then checkpoints put since: each reaches the other store once,
// and one that clashes there is reported and left, not pushed over.
func TestPush_Checkpoints(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, journalID+journal.Ext), []byte(journalHeader()+cmdLine(1)+
		checkpointLine(1, "one", `{"a":1}`)+cmdLine(2)))
	local, team := openStore(t), openStore(t)
	journalSync(t, local, root, 50)
	push := func() syncer.PushResult {
		t.Helper()
		res, err := syncer.Push(ctx, syncer.PushOptions{From: local, To: team, Host: testHost})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := push(); res.Checkpoints != 1 || len(res.Refused) != 0 {
		t.Fatalf("first push: %+v, want 1 checkpoint", res)
	}
	if res := push(); res.Checkpoints != 0 || res.Unchanged != 1 {
		t.Errorf("second push: %+v, want nothing to push", res)
	}
	// Put since, with the session unchanged: the next push takes them.
	sid := journal.SessionID(journalID)
	mine := reel.Checkpoint{ID: "local-two", SessionID: sid, Label: "two", Seq: 2}
	clash := reel.Checkpoint{ID: "local-taken", SessionID: sid, Label: "taken", Seq: 0}
	for _, c := range []reel.Checkpoint{mine, clash} {
		if err := local.PutCheckpoint(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	theirs := reel.Checkpoint{ID: "team-taken", SessionID: sid, Label: "taken", Seq: 1}
	if err := team.PutCheckpoint(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	res := push()
	if res.Checkpoints != 1 || len(res.Refused) != 1 || !strings.Contains(res.Refused[0], `"taken"`) {
		t.Errorf("push after new checkpoints: %+v, want 1 pushed and the clash refused", res)
	}
	a, _ := local.Checkpoints(ctx, sid)
	b, _ := team.Checkpoints(ctx, sid)
	if len(a) != 3 || len(b) != 3 || b[0].ID != "team-taken" || b[2].ID != "local-two" || string(b[1].State) != `{"a":1}` {
		t.Errorf("local %+v\nteam %+v", a, b)
	}
}

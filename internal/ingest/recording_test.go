package ingest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
)

func TestRecording_Discover(t *testing.T) {
	files := discoverAll(t, NewRecording(), filepath.Join("testdata", "shell", "recordings"))
	if len(files) != 4 {
		t.Fatalf("found %d journals, want 4 (notes.txt is not one)", len(files))
	}
	f := files[0]
	if f.NativeID != "0193aaaa000070008000000000000001" || f.Layout != reel.LayoutLines || !filepath.IsAbs(f.Path) {
		t.Errorf("first file = %+v", f)
	}
	if got := discoverAll(t, NewRecording(), filepath.Join("testdata", "shell", "missing")); len(got) != 0 {
		t.Errorf("missing root gave %d files", len(got))
	}
}

func TestRecording_Parse(t *testing.T) {
	runs := checkSessions(t, NewRecording(), filepath.Join("testdata", "shell", "recordings"))
	byID := map[string]*sessionRun{}
	for _, r := range runs {
		byID[r.file.NativeID[len(r.file.NativeID)-1:]] = r
	}

	t.Run("Completed", func(t *testing.T) {
		r := byID["1"]
		s := r.session
		if s.Title != "deploy" || s.Status != reel.StatusCompleted || s.Project != "/home/u/app" || s.Host != "web1" {
			t.Errorf("session = %+v", s)
		}
		if !s.EndedAt.Equal(time.Date(2026, 11, 23, 12, 0, 4, 0, time.UTC)) {
			t.Errorf("ended = %v", s.EndedAt)
		}
		if len(r.events) != 2 {
			t.Fatalf("%d events, want 2 commands", len(r.events))
		}
		e := r.events[1]
		if e.Kind != reel.KindCommand || e.Text != "echo \"a\\nb\" | grep -c a" || e.ExitCode == nil || *e.ExitCode != 1 || !e.IsError {
			t.Errorf("command 2 = %+v", e)
		}
		if e.Duration != 10*time.Millisecond || e.RawIndex != 2 || e.Role != reel.RoleUser {
			t.Errorf("command 2 duration %v raw %d role %s", e.Duration, e.RawIndex, e.Role)
		}
		var in commandInput
		if err := json.Unmarshal(e.Input, &in); err != nil || in.Cwd != "/home/u/app/sub" || in.Shell != "bash" || in.TTY != "/dev/pts/3" || in.Host != "web1" || in.N != 2 {
			t.Errorf("command 2 input = %s (%v)", e.Input, err)
		}
	})
	t.Run("RenamedAndUnknown", func(t *testing.T) {
		r := byID["2"]
		if r.session.Title != "release" {
			t.Errorf("title = %q, want the last rename", r.session.Title)
		}
		last := r.raw[len(r.raw)-1]
		if last.Status != reel.RecordUnknown || last.Type != "future" {
			t.Errorf("unknown line = %+v", last)
		}
		ev := r.events[len(r.events)-1]
		if ev.Kind != reel.KindOther || !strings.Contains(ev.Text, `"future"`) {
			t.Errorf("unknown line's event = %+v", ev)
		}
	})
	t.Run("Recovered", func(t *testing.T) {
		r := byID["3"]
		if r.session.Status != reel.StatusRecovered || r.session.Title != "recovered-2026-11-23-140000" {
			t.Errorf("session = %+v", r.session)
		}
		if len(r.events) != 2 || !strings.Contains(r.events[1].Text, "\n  psql -f \"$f\"\n") {
			t.Errorf("events = %+v", r.events)
		}
	})
	t.Run("Replay", func(t *testing.T) {
		r := byID["4"]
		kinds := []string{}
		for _, e := range r.events {
			kinds = append(kinds, e.Kind)
		}
		if strings.Join(kinds, ",") != "command,output,system" {
			t.Fatalf("kinds = %v", kinds)
		}
		if r.events[0].Role != reel.RoleTool || !strings.Contains(r.events[2].Text, "sudo rm -rf /") {
			t.Errorf("events = %+v", r.events)
		}
	})
}

func TestRecording_TornTail(t *testing.T) {
	runs := readAll(t, NewRecording(), filepath.Join("testdata", "shell", "torn"))
	if len(runs) != 1 {
		t.Fatalf("%d sessions", len(runs))
	}
	r := runs[0]
	checkLossless(t, "", r)
	if len(r.events) != 2 || len(r.errs) != 1 || r.errs[3] == nil {
		t.Errorf("events %d, errs %v; want the 2 whole commands and the torn line as an error", len(r.events), r.errs)
	}
	if r.session.Status != reel.StatusActive {
		t.Errorf("status = %q, want active (no footer yet)", r.session.Status)
	}
}

func TestRecording_Resume(t *testing.T) {
	imp := NewRecording()
	f := discoverAll(t, imp, filepath.Join("testdata", "shell", "recordings"))[0]
	whole := readSession(t, imp, f)
	raw := rawRecords(t, imp, f)

	p, _ := imp.NewParser(f, nil)
	var events []reel.Event
	for _, rec := range raw[:2] {
		evs, _ := p.Parse(&rec)
		events = append(events, evs...)
	}
	state, err := p.State()
	if err != nil {
		t.Fatal(err)
	}
	p2, err := imp.NewParser(f, state)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range raw[2:] {
		evs, _ := p2.Parse(&rec)
		events = append(events, evs...)
	}
	if len(events) != len(whole.events) || p2.Session().Title != whole.session.Title || p2.Session().Status != whole.session.Status {
		t.Errorf("resumed: %d events, %+v; whole: %d, %+v", len(events), p2.Session(), len(whole.events), whole.session)
	}
	if _, err := imp.NewParser(f, []byte(`{"v":99}`)); reel.ErrorCode(err) != reel.ECORRUPT {
		t.Errorf("old state = %v, want ECORRUPT", err)
	}
}

// TestRecording_EventsCount checks that the journal reader's event count,
// which `reel checkpoint` writes as a checkpoint's seq, is the number of
// events the importer makes of the same lines, and that the importer
// hands over each checkpoint line once with the seq it names.
func TestRecording_EventsCount(t *testing.T) {
	for _, dir := range []string{"recordings", "torn"} {
		root := filepath.Join("testdata", "shell", dir)
		for _, run := range readAll(t, NewRecording(), root) {
			r, err := journal.Read(run.file.Path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := r.Events, int64(len(run.events)); got != want {
				t.Errorf("%s: journal counts %d events, the importer made %d", run.file.Path, got, want)
			}
		}
	}
	root := t.TempDir()
	id := "0193cccc000070008000000000000001"
	path := filepath.Join(root, id+journal.Ext)
	lines := `{"t":"start","v":1,"id":"` + id + `","name":"c","kind":"shell","started_at":"2026-11-23T12:00:00Z","owner":{}}
{"t":"cmd","n":1,"cmd":"a","start_us":1,"end_us":2,"exit":0}
{"t":"future","x":1}
{"t":"checkpoint","id":"given","label":"mid","at":"2026-11-23T12:00:01Z","seq":2,"state":{"a": 1}}
{"t":"cmd","n":2,"cmd":"b","start_us":3,"end_us":4,"exit":0}
{"t":"checkpoint","label":"","at":"2026-11-23T12:00:02Z","seq":1}
`
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	imp := NewRecording()
	p, err := imp.NewParser(reel.SourceFile{Path: path, Source: journal.Source, NativeID: id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []reel.Checkpoint
	events := 0
	for i, l := range strings.SplitAfter(strings.TrimSuffix(lines, "\n"), "\n") {
		evs, err := p.Parse(&reel.RawRecord{Index: int64(i), Data: []byte(l)})
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		events += len(evs)
		got = append(got, p.(reel.CheckpointParser).TakeCheckpoints()...)
	}
	sid := journal.SessionID(id)
	at := time.Date(2026, 11, 23, 12, 0, 2, 0, time.UTC)
	want := []reel.Checkpoint{
		{ID: "given", SessionID: sid, Label: "mid", Time: at.Add(-time.Second), Seq: 2, State: json.RawMessage(`{"a": 1}`)},
		{ID: reel.CheckpointID(sid, 1, "", at), SessionID: sid, Time: at, Seq: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checkpoints:\n got %+v\nwant %+v", got, want)
	}
	if r, err := journal.Read(path); err != nil || r.Events != int64(events) || len(r.Checkpoints) != 2 {
		t.Errorf("journal.Read = %d events, %d checkpoints, %v; want %d, 2", r.Events, len(r.Checkpoints), err, events)
	}
}

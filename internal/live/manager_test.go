package live_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/live"
	"github.com/reel-sh/reel/internal/proc"
	"github.com/reel-sh/reel/internal/snapshot"
)

// folders is one test's journal and snapshot folders.
type folders struct{ journals, snapshots string }

func newFolders(t *testing.T) folders {
	dir := t.TempDir()
	return folders{filepath.Join(dir, "data", "live"), filepath.Join(dir, "state", "snapshots")}
}

func (f folders) manager(t *testing.T, window, cpWindow int) *live.Manager {
	t.Helper()
	m, err := live.NewManager(live.Options{Journals: f.journals, Snapshots: f.snapshots,
		Live: config.LiveConfig{WindowEvents: window, WindowCheckpoints: cpWindow, SnapshotResults: 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

var testMeta = live.Meta{Source: reel.SourceHooks, NativeID: "claude-code:s1", Title: "fix the build", Project: "/src/app",
	ParentID: reel.SessionID(reel.SourceClaudeCode, "s1"), Model: "opus", Version: "2.0.1"}

func open(t *testing.T, m *live.Manager, meta live.Meta) *live.Session {
	t.Helper()
	s, err := m.Open(context.Background(), meta)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func msg(text string) reel.Event {
	return reel.Event{Kind: reel.KindMessage, Role: reel.RoleUser, Text: text}
}

// readJournal reads a journal's events and checkpoints back.
func readJournal(t *testing.T, path string) (*live.Journal, []reel.Event, []reel.Checkpoint) {
	t.Helper()
	var evs []reel.Event
	var cps []reel.Checkpoint
	j, err := live.Read(path, func(_ int64, l live.Line) error {
		if l.Event != nil {
			evs = append(evs, *l.Event)
		}
		if l.Checkpoint != nil {
			cps = append(cps, *l.Checkpoint)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return j, evs, cps
}

func TestManager_Open(t *testing.T) {
	f := newFolders(t)
	m := f.manager(t, 0, 0)
	t.Run("OK", func(t *testing.T) {
		s := open(t, m, testMeta)
		if s.ID() != reel.SessionID(reel.SourceHooks, "claude-code:s1") {
			t.Errorf("id %s", s.ID())
		}
		if want := filepath.Join(f.journals, "hooks", s.ID()+".ndjson"); s.Path() != want {
			t.Errorf("journal %s, want %s", s.Path(), want)
		}
		fi, err := os.Stat(s.Path())
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("journal mode %v, %v; want 0600", fi.Mode(), err)
		}
		if fi, err := os.Stat(filepath.Dir(s.Path())); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("journal folder mode %v, %v; want 0700", fi.Mode(), err)
		}
		snap, err := snapshot.Read(snapshot.Path(f.snapshots, s.ID()))
		if err != nil {
			t.Fatal(err)
		}
		if snap.Owner.PID != os.Getpid() || snap.Owner.Start == 0 || snap.Completed || snap.Journal != s.Path() || snap.Title != testMeta.Title {
			t.Errorf("snapshot %+v", snap)
		}
		j, _, _ := readJournal(t, s.Path())
		if j.Header.Meta.ParentID != testMeta.ParentID || j.Header.Model != "opus" || j.Owner.PID != os.Getpid() {
			t.Errorf("header %+v", j.Header)
		}
		if again := open(t, m, testMeta); again != s {
			t.Error("a second Open returned another session")
		}
		if got, ok := m.Session(s.ID()); !ok || got != s {
			t.Error("Session does not find the open session")
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, meta := range []live.Meta{{Source: "Hooks", NativeID: "x"}, {Source: "../x", NativeID: "x"}, {Source: "hooks"}} {
			if _, err := m.Open(context.Background(), meta); reel.ErrorCode(err) != reel.EINVALID {
				t.Errorf("Open(%+v) = %v, want EINVALID", meta, err)
			}
		}
	})
	t.Run("ErrBusy", func(t *testing.T) {
		other := f.manager(t, 0, 0)
		if _, err := other.Open(context.Background(), testMeta); reel.ErrorCode(err) != reel.EBUSY {
			t.Errorf("Open in a second manager = %v, want EBUSY", err)
		}
	})
}

func TestSession_Append(t *testing.T) {
	f := newFolders(t)
	m := f.manager(t, 3, 2)
	s := open(t, m, testMeta)
	t.Run("OK", func(t *testing.T) {
		first, err := s.Append(msg("a"), reel.Event{Kind: reel.KindToolCall, Tool: "Bash", Input: json.RawMessage(`{ "command" : "ls" }`)})
		if err != nil || first != 0 {
			t.Fatalf("Append = %d, %v", first, err)
		}
		for i := range 8 {
			if first, err = s.Append(msg(strings.Repeat("b", i))); err != nil || first != int64(2+i) {
				t.Fatalf("Append %d = %d, %v", i, first, err)
			}
		}
		win := s.Events(0)
		if len(win) != 3 || win[0].Seq != 7 || win[2].Seq != 9 || win[0].SessionID != s.ID() {
			t.Errorf("window = %+v, want seqs 7..9", win)
		}
		if got := s.Events(9); len(got) != 1 || got[0].Seq != 9 {
			t.Errorf("Events(9) = %+v", got)
		}
		st := s.Info().Stats
		if st.Events != 10 || st.ToolCalls != 1 || st.EvictedEvents != 7 || s.Info().FirstSeq != 7 {
			t.Errorf("stats %+v first %d", st, s.Info().FirstSeq)
		}
		_, evs, _ := readJournal(t, s.Path())
		if len(evs) != 10 || evs[1].Seq != 1 || string(evs[1].Input) != `{"command":"ls"}` || evs[1].Time.IsZero() {
			t.Errorf("journal holds %d events, the second %+v", len(evs), evs[1])
		}
		if fi, _ := os.Stat(s.Path()); fi.Size() != st.Bytes {
			t.Errorf("journal is %d bytes, stats say %d", fi.Size(), st.Bytes)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := s.Info().Stats.Events
		for _, e := range []reel.Event{{Text: "no kind"}, {Kind: reel.KindMessage, Input: json.RawMessage(`{`)}} {
			if _, err := s.Append(msg("fine"), e); reel.ErrorCode(err) != reel.EINVALID {
				t.Errorf("Append(%+v) = %v, want EINVALID", e, err)
			}
		}
		if after := s.Info().Stats.Events; after != before {
			t.Errorf("a refused append wrote %d events", after-before)
		}
	})
}

func TestSession_Checkpoint(t *testing.T) {
	f := newFolders(t)
	m := f.manager(t, 0, 2)
	s := open(t, m, testMeta)
	s.Append(msg("a"), msg("b"))
	c, err := s.Checkpoint("before-refactor", json.RawMessage(`{"files": ["a.go"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Seq != 2 || c.SessionID != s.ID() || c.Label != "before-refactor" || string(c.State) != `{"files":["a.go"]}` || len(c.ID) != 32 {
		t.Errorf("checkpoint %+v", c)
	}
	snap, err := snapshot.Read(snapshot.Path(f.snapshots, s.ID()))
	if err != nil || snap.Checkpoints != 1 || snap.LastCheckpoint != c.ID || snap.Events != 2 {
		t.Errorf("snapshot after the checkpoint = %+v, %v", snap, err)
	}
	t.Run("ErrConflict", func(t *testing.T) {
		_, err := s.Checkpoint("before-refactor", nil)
		if reel.ErrorCode(err) != reel.ECONFLICT || !strings.Contains(err.Error(), c.ID) {
			t.Errorf("a second label = %v, want ECONFLICT naming %s", err, c.ID)
		}
	})
	t.Run("EmptyLabels", func(t *testing.T) {
		a, err1 := s.Checkpoint("", nil)
		b, err2 := s.Checkpoint("", nil)
		if err1 != nil || err2 != nil || a.ID == b.ID {
			t.Errorf("two unlabelled checkpoints = %s %v, %s %v", a.ID, err1, b.ID, err2)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, label := range []string{"a\nb", strings.Repeat("x", live.MaxLabel+1)} {
			if _, err := s.Checkpoint(label, nil); reel.ErrorCode(err) != reel.EINVALID {
				t.Errorf("label %q = %v, want EINVALID", label, err)
			}
		}
		if _, err := s.Checkpoint("state", json.RawMessage(`nope`)); reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("bad state = %v, want EINVALID", err)
		}
	})
	t.Run("Window", func(t *testing.T) {
		cps := s.Checkpoints()
		if len(cps) != 2 || s.Info().Stats.EvictedCheckpoints != 1 || s.Info().Stats.Checkpoints != 3 {
			t.Errorf("window %d checkpoints, stats %+v", len(cps), s.Info().Stats)
		}
	})
	t.Run("SameIDsFromTheJournal", func(t *testing.T) {
		_, _, cps := readJournal(t, s.Path())
		if len(cps) != 3 || cps[0].ID != c.ID || cps[0].Seq != 2 {
			t.Errorf("journal checkpoints %+v", cps)
		}
	})
}

func TestSession_Close(t *testing.T) {
	f := newFolders(t)
	m := f.manager(t, 0, 0)
	s := open(t, m, testMeta)
	s.Append(msg("a"))
	if err := s.Close("", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(snapshot.Path(f.snapshots, s.ID())); !os.IsNotExist(err) {
		t.Errorf("snapshot still there after a clean close: %v", err)
	}
	j, _, _ := readJournal(t, s.Path())
	if j.End == nil || j.End.Status != reel.StatusCompleted || j.End.Events != 1 {
		t.Errorf("end line %+v", j.End)
	}
	if err := s.Close("", ""); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := s.Append(msg("late")); reel.ErrorCode(err) != reel.ECONFLICT {
		t.Errorf("Append after Close = %v, want ECONFLICT", err)
	}
	if err := s.Close("exploded", ""); reel.ErrorCode(err) != reel.EINVALID {
		t.Errorf("Close with a bad status = %v, want EINVALID", err)
	}
	t.Run("Reopen", func(t *testing.T) {
		r := open(t, m, testMeta)
		if r == s {
			t.Fatal("Open returned the closed session")
		}
		if first, err := r.Append(msg("b")); err != nil || first != 1 {
			t.Errorf("Append after reopening = %d, %v; want seq 1", first, err)
		}
		j, _, _ := readJournal(t, r.Path())
		if j.Ended() {
			t.Error("a resumed session still counts as ended")
		}
	})
}

func TestManager_Resume(t *testing.T) {
	f := newFolders(t)
	m1 := f.manager(t, 0, 0)
	s := open(t, m1, testMeta)
	s.Append(msg("a"), msg("b"), reel.Event{Kind: reel.KindToolResult, Tool: "Read", Text: strings.Repeat("é", 600)})
	c, _ := s.Checkpoint("a", nil)
	s.Append(msg("c"))
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(msg("after close")); reel.ErrorCode(err) != reel.ECONFLICT {
		t.Errorf("Append after Manager.Close = %v, want ECONFLICT", err)
	}
	// A torn last line, as a killed writer leaves.
	jf, _ := os.OpenFile(s.Path(), os.O_WRONLY|os.O_APPEND, 0)
	jf.WriteString(`{"t":"event","seq":4,"kind":"mess`)
	jf.Close()

	m2 := f.manager(t, 0, 0)
	r := open(t, m2, live.Meta{Source: testMeta.Source, NativeID: testMeta.NativeID, Title: "renamed"})
	in := r.Info()
	if in.Repaired == nil || in.Repaired.Line != 7 || in.Stats.Events != 4 || in.Stats.Checkpoints != 1 || in.Title != "renamed" || in.Model != "opus" {
		t.Errorf("resumed info %+v", in)
	}
	if got := r.Events(0); len(got) != 4 || got[3].Text != "c" {
		t.Errorf("window after resume %+v", got)
	}
	if _, err := r.Checkpoint("a", nil); reel.ErrorCode(err) != reel.ECONFLICT {
		t.Errorf("label of the first process = %v, want ECONFLICT", err)
	}
	if first, err := r.Append(msg("d")); err != nil || first != 4 {
		t.Errorf("Append after resume = %d, %v", first, err)
	}
	j, evs, cps := readJournal(t, r.Path())
	if j.Torn != nil || len(j.Bad) != 0 || len(evs) != 5 || len(cps) != 1 || cps[0].ID != c.ID || j.Header.Title != "renamed" {
		t.Errorf("journal after resume: torn %v bad %v, %d events, checkpoints %+v, title %q", j.Torn, j.Bad, len(evs), cps, j.Header.Title)
	}
	snap, _ := snapshot.Read(snapshot.Path(f.snapshots, r.ID()))
	if snap == nil || snap.Owner.PID != os.Getpid() || len(snap.Results) != 1 || len(snap.Results[0].Preview) > snapshot.PreviewBytes || snap.Results[0].Bytes != 1200 {
		t.Errorf("snapshot after resume %+v", snap)
	}
}

// TestManager_Concurrent appends from several goroutines while snapshots
// run: seqs stay dense and every event lands once.
func TestManager_Concurrent(t *testing.T) {
	f := newFolders(t)
	m := f.manager(t, 50, 10)
	s := open(t, m, testMeta)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 25 {
				if _, err := s.Append(msg("x"), msg("y")); err != nil {
					t.Error(err)
				}
				if i%10 == 0 {
					if _, err := s.Checkpoint("", nil); err != nil {
						t.Error(err)
					}
				}
				_ = g
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if err := m.SnapshotAll(); err != nil {
				t.Error(err)
			}
			_ = m.Sessions()
		}
	})
	wg.Wait()
	_, evs, cps := readJournal(t, s.Path())
	if len(evs) != 200 || len(cps) != 12 {
		t.Fatalf("journal holds %d events and %d checkpoints, want 200 and 12", len(evs), len(cps))
	}
	for i, e := range evs {
		if e.Seq != int64(i) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
	}
	if st := s.Info().Stats; st.Events != 200 || st.EvictedEvents != 150 {
		t.Errorf("stats %+v", st)
	}
}

// deadOwner returns the owner record of a process that has exited.
func deadOwner(t *testing.T) proc.Owner {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	o := proc.OwnerOf(os.Getpid())
	o.PID = cmd.Process.Pid
	return o
}

func TestManager_Run(t *testing.T) {
	f := newFolders(t)
	m, err := live.NewManager(live.Options{Journals: f.journals, Snapshots: f.snapshots,
		Live: config.LiveConfig{SnapshotInterval: config.Duration{Duration: 5 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := open(t, m, testMeta)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	s.Append(msg("a"), reel.Event{Kind: reel.KindToolResult, Tool: "Read", Text: "file body", Tokens: reel.Tokens{Output: 9}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		snap, err := snapshot.Read(snapshot.Path(f.snapshots, s.ID()))
		if err == nil && snap.Events == 2 {
			if len(snap.Results) != 1 || snap.Results[0].Preview != "file body" || snap.Tokens.Output != 9 {
				t.Errorf("snapshot %+v", snap)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Run never wrote the snapshot with both events: %+v, %v", snap, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after cancel, want nil", err)
	}
}

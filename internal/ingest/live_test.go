package ingest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/live"
)

// writeLive writes one live session with a real manager: three events, a
// checkpoint and one more event, and returns its journal. close ends it.
func writeLive(t *testing.T, close bool) (root string, s *live.Session) {
	t.Helper()
	dir := t.TempDir()
	m, err := live.NewManager(live.Options{Journals: filepath.Join(dir, "live"), Snapshots: filepath.Join(dir, "snapshots")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	s, err = m.Open(context.Background(), live.Meta{Source: reel.SourceHooks, NativeID: "claude-code:abc", Title: "fix it",
		Project: "/src/app", ParentID: reel.SessionID(reel.SourceClaudeCode, "abc"), Model: "opus", Version: "2.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	s.Append(reel.Event{Kind: reel.KindMessage, Role: reel.RoleUser, Text: "hello <b>"},
		reel.Event{Kind: reel.KindToolCall, Tool: "Bash", CallID: "c1", Input: json.RawMessage(`{"command":"ls"}`), Tokens: reel.Tokens{Input: 10}})
	s.Append(reel.Event{Kind: reel.KindToolResult, Tool: "Bash", CallID: "c1", Text: "a.go", Tokens: reel.Tokens{Output: 5}})
	if _, err := s.Checkpoint("after-ls", json.RawMessage(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	s.Append(reel.Event{Kind: reel.KindMessage, Role: reel.RoleAssistant, Text: "done"})
	if close {
		if err := s.Close("", ""); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "live", reel.SourceHooks), s
}

func TestLive_Parse(t *testing.T) {
	t.Run("Active", func(t *testing.T) {
		root, s := writeLive(t, false)
		runs := checkSessions(t, NewLive(reel.SourceHooks), root)
		if len(runs) != 1 {
			t.Fatalf("%d sessions", len(runs))
		}
		r := runs[0]
		ss := r.session
		if ss.NativeID != "claude-code:abc" || ss.Status != reel.StatusActive || ss.ParentID != reel.SessionID(reel.SourceClaudeCode, "abc") ||
			ss.Title != "fix it" || ss.Model != "opus" || ss.Version != "2.0.1" || ss.Tokens.Total() != 15 {
			t.Errorf("session %+v", ss)
		}
		if reel.SessionID(reel.SourceHooks, ss.NativeID) != s.ID() {
			t.Errorf("the store id would differ from the live one")
		}
		want := s.Events(0)
		if len(r.events) != len(want) {
			t.Fatalf("%d events, appended %d", len(r.events), len(want))
		}
		for i, e := range r.events {
			w := want[i]
			if e.Kind != w.Kind || e.Text != w.Text || !e.Time.Equal(w.Time) || string(e.Input) != string(w.Input) || e.Tokens != w.Tokens || e.CallID != w.CallID {
				t.Errorf("event %d = %+v, appended %+v", i, e, w)
			}
		}
		p, _ := NewLive(reel.SourceHooks).NewParser(r.file, nil)
		var cps []reel.Checkpoint
		for _, rec := range r.raw {
			p.Parse(&rec)
			cps = append(cps, p.(reel.CheckpointParser).TakeCheckpoints()...)
		}
		if len(cps) != 1 || cps[0].Label != "after-ls" || cps[0].Seq != 3 || cps[0].SessionID != s.ID() {
			t.Errorf("checkpoints %+v", cps)
		}
		if again := p.(reel.CheckpointParser).TakeCheckpoints(); len(again) != 0 {
			t.Errorf("TakeCheckpoints kept %d", len(again))
		}
	})
	t.Run("Completed", func(t *testing.T) {
		root, _ := writeLive(t, true)
		r := checkSessions(t, NewLive(reel.SourceHooks), root)[0]
		if r.session.Status != reel.StatusCompleted {
			t.Errorf("status %s", r.session.Status)
		}
	})
	t.Run("DeadOwnerIsInterrupted", func(t *testing.T) {
		root, s := writeLive(t, false)
		data, _ := os.ReadFile(s.Path())
		// The same journal, as a process that no longer exists wrote it.
		data = []byte(strings.Replace(string(data), `"pid":`, `"pid":1999999`, 1))
		os.WriteFile(s.Path(), data, 0o600)
		r := readAll(t, NewLive(reel.SourceHooks), root)[0]
		if r.session.Status != reel.StatusInterrupted {
			t.Errorf("status %s, want interrupted", r.session.Status)
		}
	})
	t.Run("LostLine", func(t *testing.T) {
		root, s := writeLive(t, true)
		data, _ := os.ReadFile(s.Path())
		lines := strings.SplitAfter(string(data), "\n")
		lines[1] = "garbage\n" // the first event line
		os.WriteFile(s.Path(), []byte(strings.Join(lines, "")), 0o600)
		r := readAll(t, NewLive(reel.SourceHooks), root)[0]
		if len(r.errs) != 1 || len(r.events) != 4 || r.events[0].Kind != reel.KindSystem || r.events[1].Kind != reel.KindToolCall {
			t.Errorf("errors %v, events %+v: want a placeholder for seq 0", r.errs, r.events)
		}
	})
	t.Run("Discover", func(t *testing.T) {
		root, _ := writeLive(t, true)
		os.WriteFile(filepath.Join(root, "empty.ndjson"), nil, 0o600)
		os.WriteFile(filepath.Join(root, "notes.txt"), []byte("x"), 0o600)
		if files := discoverAll(t, NewLive(reel.SourceHooks), root); len(files) != 1 || files[0].Layout != reel.LayoutLines || files[0].Source != reel.SourceHooks {
			t.Errorf("Discover = %+v", files)
		}
		if files := discoverAll(t, NewLive(reel.SourceHooks), filepath.Join(root, "missing")); len(files) != 0 {
			t.Errorf("missing root gave %d", len(files))
		}
	})
}

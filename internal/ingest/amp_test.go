package ingest

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// ampCase returns the threads folder of a testdata case.
func ampCase(name string) string { return filepath.Join("testdata", "amp", name) }

func TestAmp_Source(t *testing.T) {
	if got := NewAmp().Source(); got != reel.SourceAmp {
		t.Errorf("Source() = %q, want %q", got, reel.SourceAmp)
	}
}

func TestAmp_Discover(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		files := discoverAll(t, NewAmp(), ampCase("unknown"))
		var ids []string
		for _, f := range files {
			if f.Layout != reel.LayoutDocument || f.Source != reel.SourceAmp {
				t.Errorf("%+v: want an amp document", f)
			}
			ids = append(ids, f.NativeID)
		}
		want := []string{"T-1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", "T-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"}
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("ids = %v, want %v", ids, want)
		}
	})
	t.Run("OnlyThreads", func(t *testing.T) {
		root := t.TempDir()
		for _, name := range []string{"T-.json", "notes.json", "T-abc.json.tmp", "T-abc.json"} {
			droidCopyFile(t, filepath.Join(ampCase("empty"), "T-7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f.json"), filepath.Join(root, name))
		}
		files := discoverAll(t, NewAmp(), root)
		if len(files) != 1 || files[0].NativeID != "T-abc" {
			t.Errorf("found %+v, want only T-abc.json", files)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		err := NewAmp().Discover(context.Background(), filepath.Join(t.TempDir(), "none"), func(reel.SourceFile) error {
			t.Error("fn called for a missing root")
			return nil
		})
		if err != nil {
			t.Errorf("Discover(missing) = %v", err)
		}
	})
}

func TestAmp_Parse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		runs := checkSessions(t, NewAmp(), ampCase("normal"))
		run := runs[0]
		s := run.session
		want := reel.Session{
			Source: reel.SourceAmp, NativeID: "T-3f2a9c1e-5b7d-4e8f-a1b2-c3d4e5f6a7b8",
			Title: "Fix flaky cache test", Project: "/home/dev/cache lib", GitBranch: "fix/flaky",
			Model: "claude-opus-4-6", Version: "0.0.1767000000-gabcdef",
			StartedAt: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
			EndedAt:   time.Date(2026, 1, 1, 10, 2, 41, 0, time.UTC),
			Tokens:    reel.Tokens{Input: 20, Output: 200, CacheCreation: 400, CacheRead: 9000},
		}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("session\n got %+v\nwant %+v", s, want)
		}
		var kinds []string
		for _, e := range run.events {
			kinds = append(kinds, e.Kind)
		}
		wantKinds := []string{
			"message", "reasoning", "message", "tool_call", "tool_result",
			"tool_call", "tool_call", "tool_result", "tool_result",
			"tool_call", "tool_result", "message", "system",
		}
		if !reflect.DeepEqual(kinds, wantKinds) {
			t.Fatalf("kinds = %v\nwant %v", kinds, wantKinds)
		}
		droidCheckPairs(t, run)
		ev := run.events
		if ev[0].Time != time.Date(2026, 1, 1, 10, 0, 5, 0, time.UTC) || ev[0].Role != reel.RoleUser {
			t.Errorf("prompt = %+v, want the user's, at sentAt", ev[0])
		}
		if string(ev[3].Input) != `{"cmd":"go test -run TestCache -count=20 ./cache","cwd":"/home/dev/cache lib"}` {
			t.Errorf("input = %s, want it compact", ev[3].Input)
		}
		if ev[4].ExitCode == nil || *ev[4].ExitCode != 1 || !ev[4].IsError || !strings.Contains(ev[4].Text, "entry expired early") {
			t.Errorf("failed test result = %+v", ev[4])
		}
		if !strings.HasPrefix(ev[7].Text, "```diff") || ev[7].IsError {
			t.Errorf("edit result = %+v", ev[7])
		}
		if !ev[8].IsError || ev[8].Text != "command timed out after 120s" {
			t.Errorf("timed-out result = %+v", ev[8])
		}
		if ev[10].Text != "[cancelled]" || ev[10].IsError {
			t.Errorf("cancelled result = %+v", ev[10])
		}
		if !ev[12].IsError || ev[12].Text != "stream closed before the end of the answer" {
			t.Errorf("error notice = %+v", ev[12])
		}
		// Each response's usage is on its first event, once.
		if ev[1].Tokens.Output != 50 || ev[5].Tokens.Output != 80 || ev[9].Tokens.Output != 30 || ev[11].Tokens.Output != 40 {
			t.Errorf("tokens on %+v %+v %+v %+v", ev[1].Tokens, ev[5].Tokens, ev[9].Tokens, ev[11].Tokens)
		}
		var sum reel.Tokens
		for _, e := range ev {
			sum = sum.Add(e.Tokens)
		}
		if sum != s.Tokens {
			t.Errorf("event tokens %+v, session %+v", sum, s.Tokens)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		runs := checkSessions(t, NewAmp(), ampCase("empty"))
		if len(runs[0].events) != 0 || runs[0].raw[0].Status != reel.RecordOK {
			t.Errorf("empty thread: %d events, status %s", len(runs[0].events), runs[0].raw[0].Status)
		}
		if runs[0].session.Version != "0.0.1767000000-gabcdef" || runs[0].session.Title != "" {
			t.Errorf("session = %+v", runs[0].session)
		}
	})
	t.Run("ErrTruncated", func(t *testing.T) {
		runs := readAll(t, NewAmp(), ampCase("truncated"))
		if len(runs[0].errs) != 1 || len(runs[0].events) != 0 {
			t.Errorf("cut document: errors %v, %d events", runs[0].errs, len(runs[0].events))
		}
		checkLossless(t, ampCase("truncated"), runs[0])
	})
	t.Run("ErrEmptyFile", func(t *testing.T) {
		p, _ := NewAmp().NewParser(reel.SourceFile{NativeID: "T-x", Layout: reel.LayoutDocument}, nil)
		rec := reel.RawRecord{Data: []byte{}}
		if _, err := p.Parse(&rec); err == nil {
			t.Error("Parse(empty document) succeeded")
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		runs := checkSessions(t, NewAmp(), ampCase("unknown"))
		thread := runs[0]
		if thread.raw[0].Status != reel.RecordOK {
			t.Errorf("thread status = %s", thread.raw[0].Status)
		}
		var got []string
		for _, e := range thread.events {
			got = append(got, e.Kind+":"+e.Text)
		}
		want := []string{
			"message:Summarize the release notes", "message:[image]",
			"system:Thread handed off from T-0000",
			"other:https://example.com/notes\nRelease notes 2.0", "message:Version 2.0 drops the legacy API.",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("events = %q\nwant %q", got, want)
		}
		odd := runs[1]
		if odd.raw[0].Status != reel.RecordUnknown || len(odd.events) != 1 || !strings.Contains(odd.events[0].Text, "newer Amp") {
			t.Errorf("thread of an unknown shape: status %s, events %+v", odd.raw[0].Status, odd.events)
		}
	})
}

func TestAmp_Fixtures(t *testing.T) {
	root := filepath.Join(testenv.FixturesDir(t), "git-ai", "tests", "fixtures", "amp-threads")
	runs := checkSessions(t, NewAmp(), root)
	if len(runs) != 2 {
		t.Fatalf("%d threads, want 2", len(runs))
	}
	for _, run := range runs {
		s := run.session
		if s.Project != "/Users/svarlamov/projects/testing-git-amp" || s.GitBranch != "master" || s.Model != "claude-opus-4-6" {
			t.Errorf("%s: project, branch, model = %q, %q, %q", s.NativeID, s.Project, s.GitBranch, s.Model)
		}
		if s.Version != "0.0.1772237000-g924883" || s.Title == "" {
			t.Errorf("%s: version %q, title %q", s.NativeID, s.Version, s.Title)
		}
		droidCheckPairs(t, run)
		if run.events[0].Role != reel.RoleUser || run.events[len(run.events)-1].Role != reel.RoleAssistant {
			t.Errorf("%s: first and last events %+v, %+v", s.NativeID, run.events[0], run.events[len(run.events)-1])
		}
	}
	first := droidRunByID(t, runs, "T-019ca1ce-3ae2-7686-a41e-ccc078837f8a")
	if want := (reel.Tokens{Input: 5, Output: 555, CacheCreation: 7226, CacheRead: 39744}); first.session.Tokens != want {
		t.Errorf("tokens = %+v, want %+v", first.session.Tokens, want)
	}
	if r := droidEventsOf(first, reel.KindReasoning); len(r) != 1 {
		t.Errorf("%d reasoning events, want 1", len(r))
	}
	if n := len(droidEventsOf(first, reel.KindToolCall)); n != 4 {
		t.Errorf("%d tool calls, want 4", n)
	}
	if first.session.Title != "Add jokes CLI with CSV data source" {
		t.Errorf("title = %q", first.session.Title)
	}
}

package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// piTree is the hand-made ~/.pi/agent/sessions of the tests: a session
// with a branch, compaction, tools, a ! command, a label and a name; a
// session forked from it; and an old-format session kept directly in the
// root, as pi does when given a session folder.
var piTree = filepath.Join("testdata", "pi", "sessions")

const (
	piMainID = "0a1b2c3d-1111-4222-8333-444455556666"
	piForkID = "9f8e7d6c-2222-4333-8444-555566667777"
	piOldID  = "5e5e5e5e-aaaa-4bbb-8ccc-dddddddddddd"
)

// piCase returns the SourceFile of testdata/pi/<name>/session.jsonl.
func piCase(name string) reel.SourceFile {
	path := filepath.Join("testdata", "pi", name, "session.jsonl")
	return reel.SourceFile{Path: path, Source: reel.SourcePi, NativeID: piPathNativeID(path)}
}

func TestPi_Discover(t *testing.T) {
	abs, err := filepath.Abs(piTree)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range discoverAll(t, NewPi(), piTree) {
		rel, _ := filepath.Rel(abs, f.Path)
		got = append(got, filepath.ToSlash(rel)+" "+f.NativeID)
		if f.Layout != reel.LayoutLines || f.Source != reel.SourcePi {
			t.Errorf("%s: layout %d source %q", rel, f.Layout, f.Source)
		}
	}
	want := []string{
		"2026-02-03T09-00-00-000Z_" + piOldID + ".jsonl " + piOldID,
		"--home-dev-app--/2026-02-01T10-00-00-000Z_" + piMainID + ".jsonl " + piMainID,
		"--home-dev-app--/2026-02-01T12-00-00-000Z_" + piForkID + ".jsonl " + piForkID,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Discover =\n%q\nwant\n%q", got, want)
	}
	for _, root := range []string{filepath.Join(piTree, "nowhere"), filepath.Join(piTree, "--home-dev-app--", "notes.txt")} {
		if files := discoverAll(t, NewPi(), root); len(files) != 0 {
			t.Errorf("Discover(%s) found %d files", root, len(files))
		}
	}
}

func TestPi_Tree(t *testing.T) {
	runs := checkSessions(t, NewPi(), piTree)
	by := map[string]*sessionRun{}
	for _, run := range runs {
		by[run.session.NativeID] = run
	}
	t.Run("Main", func(t *testing.T) {
		run := by[piMainID]
		s := run.session
		if s.Title != "Fix health check port" || s.Project != "/home/dev/app" || s.Model != "claude-opus-4-5" {
			t.Errorf("title %q project %q model %q", s.Title, s.Project, s.Model)
		}
		if want := (reel.Tokens{Input: 1750, Output: 200, CacheRead: 16300, CacheCreation: 700}); s.Tokens != want {
			t.Errorf("tokens %+v, want %+v", s.Tokens, want)
		}
		want := []string{
			reel.KindMessage, reel.KindReasoning, reel.KindMessage, reel.KindToolCall, reel.KindToolResult, reel.KindMessage,
			reel.KindMessage, reel.KindToolCall, // the abandoned branch
			reel.KindSummary, reel.KindMessage, reel.KindToolCall, reel.KindToolResult,
			reel.KindCommand, reel.KindOutput, reel.KindSummary, reel.KindCheckpoint, reel.KindSystem, reel.KindSystem,
		}
		ev := run.events
		if got := geminiKinds(ev); !slices.Equal(got, want) {
			t.Fatalf("kinds %v, want %v", got, want)
		}
		var sum reel.Tokens
		for _, e := range ev {
			sum = sum.Add(e.Tokens)
		}
		if sum != s.Tokens || ev[2].Tokens.Input != 1200 || ev[7].Tokens.Input != 100 {
			t.Errorf("event tokens %+v, on text %+v, on a lone call %+v", sum, ev[2].Tokens, ev[7].Tokens)
		}
		if ev[3].Tool != "bash" || ev[3].CallID != "toolu_01" || ev[3].Text != "curl -s localhost:8080/health" || ev[3].MessageID != "a0000004" {
			t.Errorf("bash call %+v", ev[3])
		}
		if ev[4].CallID != "toolu_01" || ev[4].Tool != "bash" || !ev[4].IsError || ev[4].Role != reel.RoleTool {
			t.Errorf("bash result %+v", ev[4])
		}
		if ev[6].NativeID != "a0000007" || ev[8].NativeID != "a0000009" {
			t.Errorf("both branches off a0000006 keep their entry ids: %q, %q", ev[6].NativeID, ev[8].NativeID)
		}
		if ev[9].Text != "Check the port in config.yaml instead" {
			t.Errorf("prompt with an image: %q", ev[9].Text)
		}
		if ev[10].Text != "config.yaml\nport: 8080" || string(ev[10].Input) != `{"path":"config.yaml","edits":[{"oldText":"port: 8081","newText":"port: 8080"}]}` {
			t.Errorf("edit call %q input %s", ev[10].Text, ev[10].Input)
		}
		if ev[12].Text != "curl -s localhost:8080/health" || ev[13].Text != "ok" || ev[13].ExitCode == nil || *ev[13].ExitCode != 0 || ev[13].IsError {
			t.Errorf("! command %+v / %+v", ev[12], ev[13])
		}
		if !strings.HasPrefix(ev[14].Text, "The health check failed because config.yaml") || ev[15].Text != "port fix" {
			t.Errorf("compaction %q, label %q", ev[14].Text, ev[15].Text)
		}
		if ev[16].Text != "Remember to update the docs." || ev[17].Text != "529 overloaded_error: Overloaded" || !ev[17].IsError {
			t.Errorf("custom message %q, error %+v", ev[16].Text, ev[17])
		}
	})
	t.Run("Fork", func(t *testing.T) {
		run := by[piForkID]
		if run.session.ParentID != reel.SessionID(reel.SourcePi, piMainID) {
			t.Errorf("parent %q", run.session.ParentID)
		}
		for i, r := range run.raw[1:6] {
			if r.Status != reel.RecordDuplicate {
				t.Errorf("copied record %d: status %q", i+1, r.Status)
			}
		}
		if len(run.events) != 2 || run.events[0].Text != "Now add a readiness probe" {
			t.Fatalf("events %+v", run.events)
		}
		if want := (reel.Tokens{Input: 90, Output: 30, CacheCreation: 4300}); run.session.Tokens != want {
			t.Errorf("tokens %+v, want only the fork's own %+v", run.session.Tokens, want)
		}
		if run.session.Title != "Why is the health check failing?" {
			t.Errorf("title %q: the first prompt of the file, as pi lists it", run.session.Title)
		}
	})
	t.Run("Old", func(t *testing.T) {
		run := by[piOldID]
		if got := geminiKinds(run.events); !slices.Equal(got, []string{reel.KindMessage, reel.KindSystem, reel.KindMessage}) {
			t.Errorf("kinds %v", got)
		}
		if run.session.Project != "/tmp/scratch" || run.session.Model != "gpt-5" {
			t.Errorf("session %+v", run.session)
		}
	})
}

func TestPiParser_Parse(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		run := readSession(t, NewPi(), piCase("empty"))
		if len(run.raw) != 0 || len(run.events) != 0 {
			t.Errorf("%d records, %d events", len(run.raw), len(run.events))
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		run := readSession(t, NewPi(), piCase("truncated"))
		if len(run.errs) != 1 || run.errs[2] == nil || len(run.events) != 1 || run.session.NativeID != "trunc-pi" {
			t.Errorf("errors %v, %d events, session %+v", run.errs, len(run.events), run.session)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		run := readSession(t, NewPi(), piCase("unknown"))
		if len(run.errs) != 0 {
			t.Fatalf("errors %v", run.errs)
		}
		want := []struct{ typ, status, text string }{
			{"session", reel.RecordOK, ""},
			{"message", reel.RecordOK, "Deploy to staging"},
			{"deployment_gate", reel.RecordUnknown, "staging approval required"},
			{"message", reel.RecordUnknown, "reviewer\napproved by the release bot"},
			{"", reel.RecordUnknown, "a bare string"},
			{"", reel.RecordUnknown, "entry without a type"},
			{"message", reel.RecordOK, "Deployed."},
		}
		for i, w := range want {
			r := run.raw[i]
			if r.Type != w.typ || r.Status != w.status || (w.status == reel.RecordUnknown) == (r.Reason == "") {
				t.Errorf("record %d: type %q status %q reason %q, want %q %q", i, r.Type, r.Status, r.Reason, w.typ, w.status)
			}
			var text []string
			for _, e := range run.events {
				if e.RawIndex == int64(i) {
					text = append(text, e.Text)
				}
			}
			if strings.Join(text, "|") != w.text {
				t.Errorf("record %d: events %q, want %q", i, text, w.text)
			}
		}
	})
}

// TestPiParser_State cuts every session at every line and checks that a
// parser resumed from the first one's state reads the rest as one parser
// reads it all.
func TestPiParser_State(t *testing.T) {
	files := discoverAll(t, NewPi(), piTree)
	for _, name := range []string{"unknown", "truncated"} {
		files = append(files, piCase(name))
	}
	for _, f := range files {
		t.Run(filepath.Base(f.Path), func(t *testing.T) {
			data, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			lines := splitLines(data)
			whole, _ := NewPi().NewParser(f, nil)
			want := piFeed(whole, lines, 0, len(lines), nil)
			wantState, _ := whole.State()
			for cut := range len(lines) + 1 {
				first, _ := NewPi().NewParser(f, nil)
				evs := piFeed(first, lines, 0, cut, nil)
				state, err := first.State()
				if err != nil {
					t.Fatal(err)
				}
				second, err := NewPi().NewParser(f, state)
				if err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				evs = piFeed(second, lines, cut, len(lines), evs)
				if !slices.EqualFunc(evs, want, geminiSameEvent) {
					t.Fatalf("cut %d: %d events, want %d", cut, len(evs), len(want))
				}
				if second.Session() != whole.Session() {
					t.Fatalf("cut %d: session %+v, want %+v", cut, second.Session(), whole.Session())
				}
				if gotState, _ := second.State(); !bytes.Equal(gotState, wantState) {
					t.Fatalf("cut %d: state %s, want %s", cut, gotState, wantState)
				}
			}
		})
	}
	if _, err := NewPi().NewParser(piCase("unknown"), []byte(`{"v":2}`)); reel.ErrorCode(err) != reel.ECORRUPT {
		t.Errorf("NewParser with a newer state: %v, want ECORRUPT", err)
	}
}

// piFeed parses lines[from:to] with p, numbering the events.
func piFeed(p reel.Parser, lines [][]byte, from, to int, evs []reel.Event) []reel.Event {
	for i := from; i < to; i++ {
		if len(bytes.TrimSpace(lines[i])) == 0 {
			continue
		}
		rec := reel.RawRecord{Index: int64(i), Data: lines[i]}
		got, err := p.Parse(&rec)
		if err != nil {
			continue
		}
		for j := range got {
			got[j].Seq, got[j].RawIndex = int64(len(evs)+j), int64(i)
		}
		evs = append(evs, got...)
	}
	return evs
}

// piFixtureTree links the named fixture files into a session folder of a
// temporary sessions root.
func piFixtureTree(t *testing.T, paths ...string) string {
	root := t.TempDir()
	dir := filepath.Join(root, "--tmp-project--")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if err := os.Symlink(p, filepath.Join(dir, filepath.Base(p))); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestPi_Fixtures(t *testing.T) {
	fixtures := testenv.FixturesDir(t)
	paths, err := filepath.Glob(filepath.Join(fixtures, "git-ai", "tests", "fixtures", "pi-session-*.jsonl"))
	if err != nil || len(paths) != 3 {
		t.Fatalf("pi fixtures: %v, %d files", err, len(paths))
	}
	runs := checkSessions(t, NewPi(), piFixtureTree(t, paths...))
	by := map[string]*sessionRun{}
	for _, run := range runs {
		by[run.session.NativeID] = run
	}
	t.Run("Simple", func(t *testing.T) {
		run := by["pi-session-123"]
		if got := geminiKinds(run.events); !slices.Equal(got, []string{reel.KindMessage, reel.KindMessage}) {
			t.Errorf("kinds %v", got)
		}
		if s := run.session; s.Title != "Please update src/main.rs" || s.Project != "/tmp/project" || s.Model != "claude-sonnet-4-5" {
			t.Errorf("session %+v", s)
		}
	})
	t.Run("Tool", func(t *testing.T) {
		ev := by["pi-session-456"].events
		if len(ev) != 4 || ev[2].Kind != reel.KindToolCall || ev[3].Kind != reel.KindToolResult ||
			ev[2].CallID != "call_edit_1" || ev[3].CallID != ev[2].CallID || ev[3].Tool != "edit" || ev[3].IsError {
			t.Errorf("events %+v", ev)
		}
	})
	t.Run("Ignorable", func(t *testing.T) {
		run := by["pi-session-789"]
		for _, r := range run.raw {
			if r.Status != reel.RecordOK {
				t.Errorf("record %d (%s): %s %s", r.Index, r.Type, r.Status, r.Reason)
			}
		}
		want := []string{reel.KindMessage, reel.KindSummary, reel.KindSummary, reel.KindMessage}
		if got := geminiKinds(run.events); !slices.Equal(got, want) {
			t.Errorf("kinds %v, want %v", got, want)
		}
		if run.events[3].NativeID != "eeee5555" || run.session.Model != "gpt-5" {
			t.Errorf("answer after the branch: %+v, model %q", run.events[3], run.session.Model)
		}
	})
	t.Run("Agentsview", func(t *testing.T) {
		// This file has a line that is not JSON: only that line fails.
		path := filepath.Join(fixtures, "agentsview", "internal", "parser", "testdata", "pi", "session.jsonl")
		files := discoverAll(t, NewPi(), piFixtureTree(t, path))
		if len(files) != 1 {
			t.Fatalf("%d files", len(files))
		}
		run := readSession(t, NewPi(), files[0])
		checkLossless(t, "", run)
		if len(run.errs) != 1 || run.errs[9] == nil {
			t.Fatalf("errors %v, want one for line 10", run.errs)
		}
		if r := run.raw[10]; r.Status != reel.RecordUnknown || r.Type != "unknown_future_entry_type" {
			t.Errorf("last record %+v", r)
		}
		want := []string{
			reel.KindMessage, reel.KindReasoning, reel.KindMessage, reel.KindToolCall, reel.KindToolResult,
			reel.KindSummary, reel.KindMessage, reel.KindMessage,
		}
		if got := geminiKinds(run.events); !slices.Equal(got, want) {
			t.Errorf("kinds %v, want %v", got, want)
		}
		s := run.session
		if s.NativeID != "pi-test-session-uuid" || s.Project != "/Users/alice/code/my-project" || s.Title != "Fix the login bug" ||
			s.ParentID != reel.SessionID(reel.SourcePi, "parent-uuid") || s.Tokens != (reel.Tokens{Input: 300, Output: 60}) {
			t.Errorf("session %+v", s)
		}
	})
}

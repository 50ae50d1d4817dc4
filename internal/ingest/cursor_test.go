package ingest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// The transcripts of testdata/cursor/normal.
const (
	cursorSession  = "3f2b6a1e-8c4d-4e7a-9b1f-0d5c2e8a7b64"
	cursorSubagent = "a7e1c2d3-4b5f-4a6e-8d7c-9b0a1f2e3d4c"
	cursorFlat     = "0b9d8c7e-6f5a-4b3c-a2d1-e0f9a8b7c6d5"
)

func cursorCase(name string) string { return filepath.Join("testdata", "cursor", name) }

func TestCursor_Discover(t *testing.T) {
	normal := cursorCase("normal")
	tests := []struct {
		name string
		root string
		want []string // native ids, in order
	}{
		{"CursorHome", normal, []string{cursorFlat, cursorSession, cursorSubagent}},
		{"Projects", filepath.Join(normal, "projects"), []string{cursorFlat, cursorSession, cursorSubagent}},
		{"Project", filepath.Join(normal, "projects", "home-dev-projects-reel"), []string{cursorSession, cursorSubagent}},
		{"Transcripts", filepath.Join(normal, "projects", "home-dev-projects-other", "agent-transcripts"), []string{cursorFlat}},
		{"Empty", cursorCase("empty"), []string{"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"}},
		{"OneFile", filepath.Join(normal, "projects", "home-dev-projects-other", "agent-transcripts", cursorFlat+".jsonl"), []string{cursorFlat}},
		{"MissingRoot", filepath.Join(t.TempDir(), "nothing"), nil},
		{"UnrelatedFolder", t.TempDir(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range discoverAll(t, NewCursor(), tt.root) {
				got = append(got, f.NativeID)
				if f.Layout != reel.LayoutLines || !filepath.IsAbs(f.Path) || f.Key != "" {
					t.Errorf("%+v: want a lines file at an absolute path", f)
				}
				if wantParent := map[bool]string{true: cursorSession}[f.NativeID == cursorSubagent]; f.ParentNativeID != wantParent {
					t.Errorf("%s: parent %q, want %q", f.NativeID, f.ParentNativeID, wantParent)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("sessions %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCursor_Transcripts(t *testing.T) {
	runs := checkSessions(t, NewCursor(), cursorCase("normal"))
	t.Run("Events", func(t *testing.T) {
		run := foreignRun(t, runs, cursorSession)
		want := []string{
			"system:<attached_files>",
			"message:Why does a second rollout of the same session get its own id?",
			"message:Looking at how claims are decided.",
			"tool_call:/home/dev/projects/reel/internal/syncer/claim.go",
			"tool_call:nativeIDs",
			"tool_result:package syncer",
			"tool_result:claim.go:33:func nativeIDs(parsed string, f reel.SourceFile) []string {",
			"reasoning:The first file to claim keeps the id; the other gets id@path.",
			"message:The first file that claims a session keeps its id; any other file with the same id is stored as `id@path`, so the two never overwrite each other.",
		}
		if got := foreignTexts(run.events); !slices.Equal(got, want) {
			t.Errorf("events\n%q\nwant\n%q", got, want)
		}
		read, grep, readRes, grepRes := run.events[3], run.events[4], run.events[5], run.events[6]
		if read.CallID != "toolu_01CxR7mVn2Lq8Tz4Wb6Ys3Ha" || readRes.CallID != read.CallID || readRes.Tool != "Read" {
			t.Errorf("Read call %+v, result %+v", read, readRes)
		}
		// The Grep call has no id: its result, which names none, answers it.
		if grep.CallID != "line2.2" || grepRes.CallID != grep.CallID || grepRes.Tool != "Grep" {
			t.Errorf("Grep call %+v, result %+v", grep, grepRes)
		}
		if run.raw[4].Type != "turn_ended" || run.raw[4].Status != reel.RecordOK {
			t.Errorf("turn_ended line: %+v", run.raw[4])
		}
		if s := run.session; s.Title != want[1][len("message:"):] || s.NativeID != cursorSession || s.ParentID != "" {
			t.Errorf("session %+v", s)
		}
	})
	t.Run("Subagent", func(t *testing.T) {
		run := foreignRun(t, runs, cursorSubagent)
		if run.session.ParentID != reel.SessionID(reel.SourceCursor, cursorSession) {
			t.Errorf("parent %q", run.session.ParentID)
		}
	})
	t.Run("Resume", func(t *testing.T) {
		// Reading the file in two parts, through State, gives what one read
		// does: the unanswered Grep call is remembered across.
		run := foreignRun(t, runs, cursorSession)
		data, err := os.ReadFile(run.file.Path)
		if err != nil {
			t.Fatal(err)
		}
		lines := splitLines(data)
		var events []reel.Event
		var state []byte
		for _, part := range [][2]int{{0, 2}, {2, len(lines)}} {
			p, err := NewCursor().NewParser(run.file, state)
			if err != nil {
				t.Fatal(err)
			}
			for i := part[0]; i < part[1]; i++ {
				rec := reel.RawRecord{Index: int64(i), Data: lines[i]}
				evs, err := p.Parse(&rec)
				if err != nil {
					t.Fatal(err)
				}
				events = append(events, evs...)
			}
			if state, err = p.State(); err != nil {
				t.Fatal(err)
			}
		}
		if len(events) != len(run.events) || events[6].CallID != run.events[6].CallID || events[6].Tool != "Grep" {
			t.Errorf("resumed read: %q", foreignTexts(events))
		}
	})
}

func TestCursor_Cases(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		runs := checkSessions(t, NewCursor(), cursorCase("empty"))
		if len(runs) != 1 || len(runs[0].raw) != 0 || len(runs[0].events) != 0 {
			t.Errorf("%d sessions: %+v", len(runs), runs)
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		runs := readAll(t, NewCursor(), cursorCase("truncated"))
		run := runs[0]
		checkLossless(t, cursorCase("truncated"), run)
		if len(run.errs) != 1 || run.errs[1] == nil || run.raw[1].Status != reel.RecordInvalid {
			t.Errorf("errors %v: want the cut last line invalid", run.errs)
		}
		if got := foreignTexts(run.events); !slices.Equal(got, []string{"message:summarise README.md"}) {
			t.Errorf("events %q", got)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		runs := checkSessions(t, NewCursor(), cursorCase("unknown"))
		run := runs[0]
		var unknown []string
		for _, r := range run.raw {
			if r.Status == reel.RecordUnknown {
				unknown = append(unknown, r.Type+": "+r.Reason)
			}
		}
		want := []string{`system_notice: unknown line type "system_notice"`, `checkpoint: unknown line type "checkpoint"`, `: not a JSON object`}
		if !slices.Equal(unknown, want) {
			t.Errorf("unknown lines %q, want %q", unknown, want)
		}
		var other string
		for _, e := range run.events {
			if e.Kind == reel.KindOther {
				other += e.Text + "\n"
			}
		}
		for _, w := range []string{"Context window was summarised.", "the reel logo", "before refactor"} {
			if !strings.Contains(other, w) {
				t.Errorf("%q is not kept searchable: %q", w, other)
			}
		}
	})
}

func TestCursor_Fixture(t *testing.T) {
	path := filepath.Join(testenv.FixturesDir(t), "git-ai", "tests", "fixtures", "cursor-session-simple.jsonl")
	f := reel.SourceFile{Path: path, Source: reel.SourceCursor, NativeID: "cursor-session-simple", Layout: reel.LayoutLines}
	run := readSession(t, NewCursor(), f)
	checkLossless(t, filepath.Dir(path), run)
	if len(run.errs) != 0 {
		t.Fatalf("errors %v", run.errs)
	}
	var calls []string
	for _, e := range run.events {
		if e.Kind == reel.KindToolCall {
			calls = append(calls, e.Tool)
		}
		if e.Text == "[REDACTED]" {
			t.Errorf("event %d is only the redaction marker", e.Seq)
		}
	}
	want := []string{"Read", "WebSearch", "WebFetch", "Read", "Read", "WebSearch", "Grep", "WebSearch", "Write", "WebSearch"}
	if !slices.Equal(calls, want) {
		t.Errorf("tool calls %q, want %q", calls, want)
	}
	if s := run.session; s.Title != "Generate a file with all the HBO shows from the 90's in it" {
		t.Errorf("title %q", s.Title)
	}
	if first := run.events[0]; first.Kind != reel.KindMessage || first.Role != reel.RoleUser || strings.Contains(first.Text, "user_query") {
		t.Errorf("first event %+v", first)
	}
}

package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// aiderCases is the folder of hand-written history files, one repository
// per case.
var aiderCases = filepath.Join("testdata", "aider")

// newTestAider reads header times in UTC, so tests do not depend on the
// machine's zone.
func newTestAider() *Aider { return &Aider{loc: time.UTC} }

// checkCustomCover checks that the sessions read from path cover it
// exactly: their records, in offset order, follow each other with no gap
// or overlap and give back the file byte for byte.
func checkCustomCover(t *testing.T, path string, runs []*sessionRun) {
	t.Helper()
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []reel.RawRecord
	for _, r := range runs {
		if r.file.Path == path {
			recs = append(recs, r.raw...)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Offset < recs[j].Offset })
	var got []byte
	for _, r := range recs {
		if r.Offset != int64(len(got)) {
			t.Fatalf("%s: a record starts at offset %d, want %d", path, r.Offset, len(got))
		}
		got = append(got, r.Data...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: the sessions' records give %d bytes, the file has %d; they differ", path, len(got), len(want))
	}
}

// aiderRunsOf reads every run of the repository folder dir.
func aiderRunsOf(t *testing.T, dir string) []*sessionRun {
	t.Helper()
	runs := readAll(t, newTestAider(), dir)
	checkCustomCover(t, filepath.Join(mustAbs(t, dir), aiderHistoryName), runs)
	return runs
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// aiderEvent is the part of an event the tests compare.
type aiderEvent struct {
	Kind, Role, Tool, Text string
}

func aiderEvents(evs []reel.Event) []aiderEvent {
	out := make([]aiderEvent, len(evs))
	for i, e := range evs {
		out[i] = aiderEvent{e.Kind, e.Role, e.Tool, e.Text}
	}
	return out
}

func TestAider_Discover(t *testing.T) {
	abs := mustAbs(t, aiderCases)
	tests := []struct {
		name string
		root string
		want []string // path relative to aiderCases, "#", key
	}{
		{"OK", aiderCases, []string{
			"badlines#2026-11-22 07:00:00",
			"noheader#undated",
			"normal#2026-11-20 09:14:03", "normal#2026-11-20 09:14:03 #2",
			"truncated#2026-11-21 18:02:44",
		}},
		{"Repository", filepath.Join(aiderCases, "normal"), []string{
			"normal#2026-11-20 09:14:03", "normal#2026-11-20 09:14:03 #2",
		}},
		{"File", filepath.Join(aiderCases, "truncated", aiderHistoryName), []string{
			"truncated#2026-11-21 18:02:44",
		}},
		{"TooDeep", "testdata", nil},
		{"Missing", filepath.Join(aiderCases, "nowhere"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range discoverAll(t, newTestAider(), tt.root) {
				if f.Layout != reel.LayoutCustom || f.Source != reel.SourceAider {
					t.Errorf("%s: layout %d source %q", f.CursorPath(), f.Layout, f.Source)
				}
				if f.NativeID != f.Path+"#"+f.Key {
					t.Errorf("NativeID = %q, want path#key", f.NativeID)
				}
				rel, err := filepath.Rel(abs, filepath.Dir(f.Path))
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, filepath.ToSlash(rel)+"#"+f.Key)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAider_Fixture(t *testing.T) {
	root := filepath.Join(testenv.FixturesDir(t), "agentsview", "internal", "parser", "testdata", "aider")
	runs := checkSessions(t, newTestAider(), root)
	path := filepath.Join(root, "myrepo", aiderHistoryName)
	checkCustomCover(t, path, runs)
	if len(runs) != 3 {
		t.Fatalf("got %d runs, want 3", len(runs))
	}
	for i, key := range []string{"2026-06-09 14:01:00", "2026-06-09 15:30:00", "2026-06-09 16:00:00"} {
		if runs[i].file.Key != key {
			t.Errorf("run %d key = %q, want %q", i, runs[i].file.Key, key)
		}
		s := runs[i].session
		if s.Project != filepath.Join(root, "myrepo") {
			t.Errorf("run %d project = %q", i, s.Project)
		}
		want, _ := time.ParseInLocation(aiderTimeLayout, key, time.UTC)
		if !s.StartedAt.Equal(want) {
			t.Errorf("run %d started %v, want %v", i, s.StartedAt, want)
		}
	}
	// The file lost aider's trailing hard breaks, so the reply's own
	// "#### Step 1" heading is told from input by its place in the reply.
	want := []aiderEvent{
		{reel.KindMessage, reel.RoleUser, "", "add a retry to the webhook"},
		{reel.KindMessage, reel.RoleAssistant, "", "I'll add exponential backoff to the webhook handler.\n\nHere is the plan:\n\n#### Step 1\nWrap the call in a loop."},
		{reel.KindToolResult, reel.RoleTool, "edit", "Applied edit to src/webhook.py"},
		{reel.KindToolResult, reel.RoleTool, "edit", "Applied edit to src/webhook.py"},
		{reel.KindSystem, reel.RoleSystem, "", "Creating empty file src/retry.py\nDid not apply edit to src/skip.py (--dry-run)\nSkipping edits to src/other.py"},
	}
	if got := aiderEvents(runs[0].events); !slices.Equal(got, want) {
		t.Errorf("run 0 events:\n got %+v\nwant %+v", got, want)
	}
	if in := string(runs[0].events[2].Input); in != `{"path":"src/webhook.py"}` {
		t.Errorf("edit input = %s", in)
	}
	if got := runs[0].session.Title; got != "add a retry to the webhook" {
		t.Errorf("title = %q", got)
	}
	want = []aiderEvent{
		{reel.KindMessage, reel.RoleUser, "", "make the timeout configurable"},
		{reel.KindMessage, reel.RoleAssistant, "", "Done. The timeout now reads from the environment."},
		{reel.KindToolResult, reel.RoleTool, "edit", "Applied edit to src/config.py"},
	}
	if got := aiderEvents(runs[1].events); !slices.Equal(got, want) {
		t.Errorf("run 1 events:\n got %+v\nwant %+v", got, want)
	}
	if n := len(runs[2].events); n != 0 {
		t.Errorf("the empty last run has %d events", n)
	}
	if got := runs[2].session.Title; got != "aider chat 2026-06-09 16:00:00" {
		t.Errorf("empty run title = %q", got)
	}
}

func TestAider_Parse(t *testing.T) {
	runs := aiderRunsOf(t, filepath.Join(aiderCases, "normal"))
	if len(runs) != 2 {
		t.Fatalf("got %d runs, want 2", len(runs))
	}
	startup := "/usr/local/bin/aider --model sonnet\nAider v0.86.1\n" +
		"Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output\n" +
		"Weak model: anthropic/claude-3-5-haiku-20241022\nGit repo: .git with 42 files\n" +
		"Repo-map: using 4096 tokens, auto refresh"
	reply := "I'll add the flag and thread it through.\n\n#### Step 1: parse the flag\n\ncli/main.go\n```go\n" +
		"<<<<<<< SEARCH\n\tflag.Parse()\n=======\n\tverbose := flag.Bool(\"verbose\", false, \"log requests\")\n" +
		"\tflag.Parse()\n>>>>>>> REPLACE\n```"
	want := []aiderEvent{
		{reel.KindSystem, reel.RoleSystem, "", startup},
		{reel.KindMessage, reel.RoleUser, "", "add a --verbose flag to the cli\nand log every request when it is set"},
		{reel.KindMessage, reel.RoleAssistant, "", reply},
		{reel.KindSystem, reel.RoleSystem, "", "Tokens: 12k sent, 1.5k cache write, 9.8k cache hit, 345 received. Cost: $0.05 message, $0.05 session."},
		{reel.KindToolResult, reel.RoleTool, "edit", "Applied edit to cli/main.go"},
		{reel.KindSystem, reel.RoleSystem, "", "Commit 1a2b3c4 feat: add --verbose flag\nYou can use /undo to undo and discard each aider commit."},
		{reel.KindMessage, reel.RoleUser, "", "/run go test ./..."},
		{reel.KindSystem, reel.RoleSystem, "", "Add command output to the chat? (Y)es/(N)o [Yes]: y\nAdded 3 lines of output to the chat."},
		{reel.KindMessage, reel.RoleUser, "", ""},
	}
	first := runs[0]
	if got := aiderEvents(first.events); !slices.Equal(got, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got, want)
	}
	tok := reel.Tokens{Input: 10500, Output: 345, CacheRead: 9800, CacheCreation: 1500}
	if got := first.events[2].Tokens; got != tok {
		t.Errorf("reply tokens = %+v, want %+v", got, tok)
	}
	for i, e := range first.events {
		if i != 2 && !e.Tokens.IsZero() {
			t.Errorf("event %d (%s) also counts tokens %+v", i, e.Kind, e.Tokens)
		}
	}
	s := first.session
	if s.Tokens != tok || s.Model != "anthropic/claude-sonnet-4-20250514" || s.Version != "0.86.1" {
		t.Errorf("session tokens %+v model %q version %q", s.Tokens, s.Model, s.Version)
	}
	if s.Title != "add a --verbose flag to the cli and log every request when it is set" {
		t.Errorf("title = %q", s.Title)
	}
	if first.events[2].Model != s.Model {
		t.Errorf("reply model = %q", first.events[2].Model)
	}
	second := runs[1]
	if second.file.Key != "2026-11-20 09:14:03 #2" {
		t.Errorf("second run key = %q", second.file.Key)
	}
	if got := second.session.Tokens; got != (reel.Tokens{Input: 2300, Output: 120}) {
		t.Errorf("second run tokens = %+v", got)
	}
	// Each run begins with the blank line aider writes before its header,
	// so that appending a run leaves the one before it unchanged.
	if got := string(second.raw[0].Data); got != "\n" {
		t.Errorf("second run starts with %q", got)
	}
	if got := string(first.raw[len(first.raw)-1].Data); got != "#### <blank>  \n" {
		t.Errorf("first run ends with %q", got)
	}
}

func TestAider_Cases(t *testing.T) {
	tests := []struct {
		name    string
		want    []aiderEvent
		invalid int // records the parser could not read
	}{
		{"truncated", []aiderEvent{
			{reel.KindMessage, reel.RoleUser, "", "fix the flaky test"},
			{reel.KindMessage, reel.RoleAssistant, "", "Sure, the race is in the setup. Here is the cha"},
		}, 0},
		{"badlines", []aiderEvent{
			{reel.KindMessage, reel.RoleAssistant, "", "leftover text from a copy"},
			{reel.KindMessage, reel.RoleUser, "", "caf\uFFFD au lait"},
			{reel.KindMessage, reel.RoleAssistant, "", "binary follows\nstill the reply \uFFFD"},
			{reel.KindSystem, reel.RoleSystem, "", "Tokens: lots sent, few received."},
		}, 1},
		{"noheader", []aiderEvent{
			{reel.KindMessage, reel.RoleUser, "", "hello"},
			{reel.KindMessage, reel.RoleAssistant, "", "Hi! How can I help?"},
		}, 0},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(aiderCases, tt.name)
			runs := aiderRunsOf(t, dir)
			var got []aiderEvent
			invalid := 0
			for _, r := range runs {
				got = append(got, aiderEvents(r.events)...)
				invalid += len(r.errs)
				if !r.session.Tokens.IsZero() {
					t.Errorf("tokens %+v from an unreadable usage line", r.session.Tokens)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("events:\n got %+v\nwant %+v", got, tt.want)
			}
			if invalid != tt.invalid {
				t.Errorf("%d invalid records, want %d", invalid, tt.invalid)
			}
		})
	}
}

func TestAider_Stamp(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(aiderCases, "normal", aiderHistoryName))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, aiderHistoryName)
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	imp := newTestAider()
	stamps := func() map[string]reel.Stamp {
		t.Helper()
		out := map[string]reel.Stamp{}
		for _, f := range discoverAll(t, imp, dir) {
			st, err := imp.Stamp(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if !st.ModTime.IsZero() || st.Size <= 0 || st.Hash == "" {
				t.Errorf("%s: stamp %+v", f.Key, st)
			}
			out[f.Key] = st
		}
		return out
	}
	before := stamps()
	if imp.cache.reads != 1 {
		t.Errorf("discover and %d stamps read the file %d times, want once", len(before), imp.cache.reads)
	}
	appendTo := func(s string) {
		t.Helper()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	const first, last = "2026-11-20 09:14:03", "2026-11-20 09:14:03 #2"
	appendTo("\n#### and now?  \n")
	after := stamps()
	if after[first] != before[first] || after[last] == before[last] {
		t.Errorf("appending to the last run: first %v -> %v, last %v -> %v", before[first], after[first], before[last], after[last])
	}
	appendTo("\n# aider chat started at 2026-11-21 08:00:00\n\n")
	again := stamps()
	if len(again) != 3 || again[first] != after[first] || again[last] != after[last] {
		t.Errorf("a new run changed the others: %v -> %v", after, again)
	}
	if _, err := imp.Stamp(context.Background(), reel.SourceFile{Path: path, Key: "1999-01-01 00:00:00"}); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("stamp of a run not in the file: %v", err)
	}
}

func TestAider_State(t *testing.T) {
	imp := newTestAider()
	files := discoverAll(t, imp, filepath.Join(aiderCases, "normal"))
	f := files[0]
	p, err := imp.NewParser(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	recs := rawRecords(t, imp, f)
	half := len(recs) / 2
	var all []reel.Event
	for i := range recs {
		if i == half {
			// A resumed parser continues where the saved one stopped.
			state, err := p.State()
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(state) {
				t.Fatalf("state %q is not JSON", state)
			}
			if p, err = imp.NewParser(f, state); err != nil {
				t.Fatal(err)
			}
		}
		if len(bytes.TrimSpace(recs[i].Data)) == 0 {
			continue
		}
		evs, err := p.Parse(&recs[i])
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, evs...)
	}
	whole := readSession(t, imp, f)
	if got, want := aiderEvents(all), aiderEvents(whole.events); !slices.Equal(got, want) {
		t.Errorf("resumed events differ:\n got %+v\nwant %+v", got, want)
	}
	if _, err := imp.NewParser(f, []byte(`{"v":99}`)); reel.ErrorCode(err) != reel.ECORRUPT {
		t.Errorf("old state: %v", err)
	}
}

func TestAider_Tokens(t *testing.T) {
	tests := []struct {
		line string
		want reel.Tokens
		ok   bool
	}{
		{"Tokens: 345 sent, 12 received.", reel.Tokens{Input: 345, Output: 12}, true},
		{"Tokens: 1.2k sent, 345 received. Cost: $0.01 message, $0.02 session.", reel.Tokens{Input: 1200, Output: 345}, true},
		{"Tokens: 15k sent, 2.5k cache write, 11k cache hit, 1.1k received.", reel.Tokens{Input: 12500, CacheCreation: 2500, CacheRead: 11000, Output: 1100}, true},
		{"Tokens: 3k sent", reel.Tokens{}, false},
		{"Tokens: many sent, 3 received.", reel.Tokens{}, false},
		{"Applied edit to x", reel.Tokens{}, false},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.line, " ", "_"), func(t *testing.T) {
			got, ok := aiderTokens(tt.line)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %+v %v, want %+v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

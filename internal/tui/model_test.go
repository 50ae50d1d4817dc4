package tui

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type testSession struct {
	source, native, project string
	age                     time.Duration
	events                  []reel.Event // Seq, Kind, Role, Text, Tool set
}

// openStore returns a real SQLite store holding three sessions: a recent
// Claude Code one, a ten-day-old Codex one and a recent aider one.
func openStore(t *testing.T) reel.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "reel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	msg := func(role, text string) reel.Event { return reel.Event{Kind: reel.KindMessage, Role: role, Text: text} }
	sessions := []testSession{
		{reel.SourceClaudeCode, "uuid-claude-1", "/src/acme-api", time.Hour, []reel.Event{
			msg(reel.RoleUser, "set up the database for the billing service"),
			msg(reel.RoleAssistant, "reading the schema first"),
			{Kind: reel.KindToolCall, Tool: "Bash", Text: "psql -f schema.sql"},
			{Kind: reel.KindToolResult, Tool: "Bash", Text: "ERROR: could not extend file: No space left on device"},
			msg(reel.RoleAssistant, "the migration failed with ENOSPC, the disk is full"),
			msg(reel.RoleUser, "free some space and retry"),
			msg(reel.RoleAssistant, "removed old backups"),
			msg(reel.RoleAssistant, "retried: the schema is in place"),
		}},
		{reel.SourceCodex, "rollout-codex-2", "/src/web-dashboard", 10 * 24 * time.Hour, []reel.Event{
			msg(reel.RoleUser, "the dashboard migration is slow"),
			msg(reel.RoleAssistant, "the migration rewrites every row; batching it"),
		}},
		{reel.SourceAider, "aider-3", "/src/tools", 2 * time.Hour, []reel.Event{
			msg(reel.RoleUser, "write a migration helper"),
		}},
	}
	for _, s := range sessions {
		id := reel.SessionID(s.source, s.native)
		start := now.Add(-s.age)
		b := &reel.Batch{Session: reel.Session{ID: id, Source: s.source, NativeID: s.native, Project: s.project,
			Title: s.events[0].Text, StartedAt: start, EndedAt: start.Add(time.Minute), Status: reel.StatusCompleted,
			EventCount: int64(len(s.events))}}
		for i, e := range s.events {
			e.SessionID, e.Seq, e.Time = id, int64(i), start.Add(time.Duration(i)*time.Second)
			b.Events = append(b.Events, e)
		}
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func newTestModel(t *testing.T, st reel.Store, s Searcher) *Model {
	t.Helper()
	if s == nil {
		s = st
	}
	m := New(Options{Searcher: s, Store: st, Debounce: time.Millisecond, Now: func() time.Time { return now }})
	run(t, m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

// run executes cmd and feeds the model the messages it cares about,
// until no command is left; it reports whether the model quit.
func run(t testing.TB, m *Model, cmd tea.Cmd) (quit bool) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			quit = true
		case debounceMsg, resultsMsg, previewMsg, sourcesMsg, sessionMsg:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
	return quit
}

func key(s string) tea.KeyPressMsg {
	if strings.HasPrefix(s, "ctrl+") {
		return tea.KeyPressMsg{Code: rune(s[len(s)-1]), Mod: tea.ModCtrl}
	}
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// press sends a key and runs what it starts.
func press(t *testing.T, m *Model, k string) bool {
	t.Helper()
	_, cmd := m.Update(key(k))
	return run(t, m, cmd)
}

func typeText(t *testing.T, m *Model, text string) {
	t.Helper()
	for _, r := range text {
		press(t, m, string(r))
	}
}

func sources(hits []reel.Hit) map[string]int {
	out := map[string]int{}
	for _, h := range hits {
		out[h.Source]++
	}
	return out
}

func TestModel_TypeSearches(t *testing.T) {
	st := openStore(t)
	m := newTestModel(t, st, nil)
	if len(m.Hits()) != 0 {
		t.Fatalf("hits before typing: %v", m.Hits())
	}
	typeText(t, m, "migra")
	// The word being typed is a prefix: "migra" finds "migration".
	got := sources(m.Hits())
	want := map[string]int{reel.SourceClaudeCode: 1, reel.SourceCodex: 2, reel.SourceAider: 1}
	if len(got) != len(want) || got[reel.SourceCodex] != 2 || got[reel.SourceClaudeCode] != 1 || got[reel.SourceAider] != 1 {
		t.Fatalf("hits by source = %v, want %v", got, want)
	}
	typeText(t, m, "tion enospc")
	if len(m.Hits()) != 1 || m.Hits()[0].Seq != 4 {
		t.Fatalf("migration enospc: hits %+v, want the one at seq 4", m.Hits())
	}
	for range len("enospc") {
		press(t, m, "backspace")
	}
	if len(m.Hits()) != 4 {
		t.Fatalf("after erasing a word: %d hits, want 4", len(m.Hits()))
	}
	if v := viewText(m); !strings.Contains(v, "4 hits") {
		t.Fatalf("status line lacks the hit count:\n%s", v)
	}
}

// gatedSearcher is the real store, with each search held until released,
// so that a test can interleave searches.
type gatedSearcher struct {
	reel.Store
	mu    sync.Mutex
	ctxs  []context.Context
	start chan struct{}
	gate  chan struct{}
}

func (g *gatedSearcher) Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
	g.mu.Lock()
	g.ctxs = append(g.ctxs, ctx)
	g.mu.Unlock()
	g.start <- struct{}{}
	<-g.gate
	return g.Store.Search(context.WithoutCancel(ctx), q)
}

func TestModel_StaleResultsDropped(t *testing.T) {
	st := openStore(t)
	g := &gatedSearcher{Store: st, start: make(chan struct{}, 4), gate: make(chan struct{})}
	m := newTestModel(t, st, g)

	// Type "backups"; its search starts and is held.
	m.input.SetValue("backups")
	first := m.search(m.changedGen())
	firstMsg := make(chan tea.Msg)
	go func() { firstMsg <- first() }()
	<-g.start
	// Then the query changes to "dashboard" before the first returns.
	m.input.SetValue("dashboard")
	second := m.search(m.changedGen())
	if err := g.ctxs[0].Err(); err == nil {
		t.Fatal("the first search's context was not cancelled when the second started")
	}
	secondMsg := make(chan tea.Msg)
	go func() { secondMsg <- second() }()
	<-g.start
	close(g.gate)
	m.Update(<-secondMsg)
	// The first answers last, with hits of its own: they are dropped.
	stale := (<-firstMsg).(resultsMsg)
	if len(stale.hits) != 1 {
		t.Fatalf("the held search found %d hits, want 1 (the test needs a non-empty stale answer)", len(stale.hits))
	}
	m.Update(stale)
	if len(m.Hits()) != 1 || m.Hits()[0].Source != reel.SourceCodex {
		t.Fatalf("hits after a stale answer: %+v, want the codex dashboard hit", m.Hits())
	}
	if m.query != "dashboard" {
		t.Fatalf("query shown = %q, want dashboard", m.query)
	}
}

// changedGen bumps the generation as a keystroke does and returns it.
func (m *Model) changedGen() uint64 {
	m.changed(true)
	return m.gen
}

func TestModel_DebounceDropsOldTicks(t *testing.T) {
	st := openStore(t)
	m := newTestModel(t, st, nil)
	m.input.SetValue("schema")
	m.changed(false)
	old := m.gen
	m.changed(false)
	if _, cmd := m.Update(debounceMsg{old}); cmd != nil {
		t.Fatal("an old debounce tick started a search")
	}
	_, cmd := m.Update(debounceMsg{m.gen})
	if cmd == nil {
		t.Fatal("the newest debounce tick started no search")
	}
	run(t, m, cmd)
	if len(m.Hits()) != 3 {
		t.Fatalf("schema: %d hits, want 3", len(m.Hits()))
	}
}

func TestModel_Filters(t *testing.T) {
	st := openStore(t)
	m := newTestModel(t, st, nil)
	typeText(t, m, "migration ")
	if n := len(m.Hits()); n != 4 {
		t.Fatalf("%d hits before filtering, want 4", n)
	}

	t.Run("source cycles through the sources present", func(t *testing.T) {
		var seen []string
		for range 4 {
			press(t, m, "ctrl+s")
			q := m.SearchQuery()
			seen = append(seen, strings.Join(q.Filter.Sources, ","))
			for _, h := range m.Hits() {
				if len(q.Filter.Sources) > 0 && h.Source != q.Filter.Sources[0] {
					t.Fatalf("source %v: hit from %s", q.Filter.Sources, h.Source)
				}
			}
		}
		if got := strings.Join(seen, " "); got != "aider claude-code codex " {
			t.Fatalf("source cycle = %q, want aider, claude-code, codex, any", got)
		}
		if len(m.Hits()) != 4 {
			t.Fatalf("back to any source: %d hits, want 4", len(m.Hits()))
		}
	})
	t.Run("time range", func(t *testing.T) {
		press(t, m, "ctrl+t") // 24h
		if s := sources(m.Hits()); s[reel.SourceCodex] != 0 || len(m.Hits()) != 2 {
			t.Fatalf("last 24h: hits by source %v, want no codex (ten days old)", s)
		}
		if v := viewText(m); !strings.Contains(v, "time: last 1d") {
			t.Fatalf("status line lacks the time filter:\n%s", v)
		}
		for range len(TimeRanges) - 1 {
			press(t, m, "ctrl+t")
		}
		if len(m.Hits()) != 4 {
			t.Fatalf("back to any time: %d hits", len(m.Hits()))
		}
	})
	t.Run("kind", func(t *testing.T) {
		m.input.SetValue("")
		typeText(t, m, "space")
		all := len(m.Hits())
		press(t, m, "ctrl+k") // message
		for _, h := range m.Hits() {
			if h.Kind != reel.KindMessage {
				t.Fatalf("kind message: hit of kind %s", h.Kind)
			}
		}
		press(t, m, "ctrl+k")
		press(t, m, "ctrl+k")
		press(t, m, "ctrl+k") // tool_result
		if len(m.Hits()) != 1 || m.Hits()[0].Kind != reel.KindToolResult || all != 2 {
			t.Fatalf("kind tool_result: %+v (of %d unfiltered), want the one tool result", m.Hits(), all)
		}
		for range len(Kinds) - 3 {
			press(t, m, "ctrl+k")
		}
		if len(m.Hits()) != all {
			t.Fatalf("back to any kind: %d hits, want %d", len(m.Hits()), all)
		}
	})
	t.Run("project", func(t *testing.T) {
		m.input.SetValue("")
		typeText(t, m, "migration ")
		press(t, m, "ctrl+o")
		typeText(t, m, "web")
		if m.input.Value() != "migration " {
			t.Fatalf("project text went into the query: %q", m.input.Value())
		}
		if s := sources(m.Hits()); len(s) != 1 || s[reel.SourceCodex] != 2 {
			t.Fatalf("project web: hits by source %v (error %v, query %+v), want the two codex ones", s, m.err, m.SearchQuery())
		}
		if v := viewText(m); !strings.Contains(v, "project: web") {
			t.Fatalf("status line lacks the project:\n%s", v)
		}
		press(t, m, "enter") // done editing: enter does not open the pager
		if m.editingProject {
			t.Fatal("enter did not end project editing")
		}
		press(t, m, "ctrl+o")
		for range 3 {
			press(t, m, "backspace")
		}
		press(t, m, "esc")
		if m.quitting || len(m.Hits()) != 4 {
			t.Fatalf("esc while editing the project quit (%v) or hits %d != 4", m.quitting, len(m.Hits()))
		}
	})
}

func TestModel_Preview(t *testing.T) {
	st := openStore(t)
	m := newTestModel(t, st, nil)
	typeText(t, m, "enospc")
	if len(m.Hits()) != 1 {
		t.Fatalf("enospc: %d hits", len(m.Hits()))
	}
	var seqs []int64
	for _, e := range m.preview {
		seqs = append(seqs, e.Seq)
	}
	if len(seqs) != PreviewBefore+PreviewAfter+1 || seqs[0] != 1 || seqs[len(seqs)-1] != 7 {
		t.Fatalf("preview seqs = %v, want 1..7 around the hit at 4", seqs)
	}
	v := viewText(m)
	for _, want := range []string{"▶ #4", "#3", "#5", "No space left on device", "claude-code · /src/acme-api · 8 events"} {
		if !strings.Contains(v, want) {
			t.Fatalf("view lacks %q:\n%s", want, v)
		}
	}
	// A stale preview (of another hit) is dropped.
	m.Update(previewMsg{key: previewKey{"other", 9}, events: []reel.Event{{Seq: 9, Text: "stale"}}})
	if strings.Contains(viewText(m), "stale") {
		t.Fatal("a stale preview was drawn")
	}
}

func TestModel_Resume(t *testing.T) {
	st := openStore(t)
	m := newTestModel(t, st, nil)
	typeText(t, m, "dashboard")
	if !press(t, m, "ctrl+r") {
		t.Fatal("the resume key did not quit")
	}
	if r := m.Result(); r.Resume != "codex resume rollout-codex-2" {
		t.Fatalf("result = %+v", r)
	}

	m = newTestModel(t, st, nil)
	typeText(t, m, "helper")
	press(t, m, "ctrl+r")
	if r := m.Result(); r.Resume != "" || !strings.Contains(r.NoResume, "no resume command is known for aider") {
		t.Fatalf("aider result = %+v", r)
	}

	m = newTestModel(t, st, nil)
	if !press(t, m, "esc") || m.Result() != (Result{}) {
		t.Fatalf("esc: result %+v", m.Result())
	}
}

func TestModel_MoveSelection(t *testing.T) {
	st := openStore(t)
	m := newTestModel(t, st, nil)
	typeText(t, m, "migration ")
	first := m.previewKey
	press(t, m, "down")
	if m.selected != 1 || m.previewKey == first || m.previewKey.session != m.Hits()[1].SessionID {
		t.Fatalf("down: selected %d, preview %+v", m.selected, m.previewKey)
	}
	for range 10 {
		press(t, m, "down")
	}
	if m.selected != len(m.Hits())-1 {
		t.Fatalf("selection ran past the end: %d of %d", m.selected, len(m.Hits()))
	}
}

func TestModel_Layout(t *testing.T) {
	st := openStore(t)
	m := newTestModel(t, st, nil)
	typeText(t, m, "enospc")
	cases := []struct {
		w, h          int
		side, preview bool
	}{
		{120, 40, true, true},
		{80, 40, false, true},
		{80, 16, false, false},
	}
	for _, c := range cases {
		m.Update(tea.WindowSizeMsg{Width: c.w, Height: c.h})
		v := viewText(m)
		lines := strings.Split(strings.TrimRight(v, "\n"), "\n")
		if len(lines) > c.h {
			t.Errorf("%dx%d: %d lines drawn", c.w, c.h, len(lines))
		}
		if got := strings.Contains(v, "│"); got != c.side {
			t.Errorf("%dx%d: side by side = %v, want %v", c.w, c.h, got, c.side)
		}
		if got := strings.Contains(v, "▶ #4"); got != c.preview {
			t.Errorf("%dx%d: preview shown = %v, want %v", c.w, c.h, got, c.preview)
		}
	}
}

func TestModel_NoColor(t *testing.T) {
	st := openStore(t)
	for _, color := range []bool{false, true} {
		m := New(Options{Searcher: st, Store: st, Debounce: time.Millisecond, Color: color})
		run(t, m, m.Init())
		typeText(t, m, "enospc")
		v := m.View().Content
		if got := strings.Contains(v, "\x1b[3"); got != color {
			t.Errorf("color %v: foreground colour codes present = %v", color, got)
		}
	}
}

func TestResumeCommand(t *testing.T) {
	cases := []struct {
		source, native, want string
		ok                   bool
	}{
		{reel.SourceClaudeCode, "0b9c-11", "claude --resume 0b9c-11", true},
		{reel.SourceCodex, "0199a", "codex resume 0199a", true},
		{reel.SourceGemini, "g1", "gemini --resume g1", true},
		{reel.SourceOpencode, "ses_1", "opencode --session ses_1", true},
		{reel.SourceClaudeCode, "it's", `claude --resume 'it'\''s'`, true},
		{reel.SourceAider, "a", "", false},
		{reel.SourceClaudeCode, "", "", false},
	}
	for _, c := range cases {
		got, ok := ResumeCommand(reel.Session{Source: c.source, NativeID: c.native})
		if got != c.want || ok != c.ok {
			t.Errorf("%s %q: %q, %v; want %q, %v", c.source, c.native, got, ok, c.want, c.ok)
		}
	}
}

func TestAsYouType(t *testing.T) {
	cases := map[string]string{
		"":             "",
		"migr":         "migr*",
		"flaky migr":   "flaky migr*",
		"migration ":   "migration ",
		`"conn ref`:    `"conn ref`,
		`"conn ref"`:   `"conn ref"`,
		"db -rollback": "db -rollback",
		"a OR":         "a OR",
		"ENOSPC":       "ENOSPC*",
		"x.go":         "x.go",
		"db mi":        "db mi",
		"db mig":       "db mig*",
	}
	for in, want := range cases {
		if got := asYouType(in); got != want {
			t.Errorf("asYouType(%q) = %q, want %q", in, got, want)
		}
	}
}

// viewText is the view without its styles.
func viewText(m *Model) string { return ansi.Strip(m.View().Content) }

func TestModel_Trace(t *testing.T) {
	st := openStore(t)
	var samples []Sample
	m := New(Options{Searcher: st, Store: st, Debounce: 5 * time.Millisecond,
		Trace: func(s Sample) { samples = append(samples, s) }})
	run(t, m, m.Init())
	typeText(t, m, "enospc")
	if len(samples) == 0 {
		t.Fatal("no samples")
	}
	last := samples[len(samples)-1]
	if last.Query != "enospc" || last.Hits != 1 || last.Search <= 0 || last.Total < last.Search+5*time.Millisecond {
		t.Fatalf("last sample %+v: want enospc, 1 hit, total at least search + debounce", last)
	}
}

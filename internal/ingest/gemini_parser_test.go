package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

// geminiCase returns the SourceFile of testdata/gemini/<name>/session.jsonl.
func geminiCase(name string) reel.SourceFile {
	return geminiFile(filepath.Join("testdata", "gemini", name, "session.jsonl"))
}

func TestGeminiParser_Parse(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		run := readSession(t, NewGemini(), geminiCase("empty"))
		if len(run.raw) != 0 || len(run.events) != 0 || run.session.NativeID != "session" {
			t.Errorf("%d records, %d events, native id %q", len(run.raw), len(run.events), run.session.NativeID)
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		run := readSession(t, NewGemini(), geminiCase("truncated"))
		if len(run.errs) != 1 || run.errs[3] == nil {
			t.Fatalf("errors %v, want one for the cut last line", run.errs)
		}
		if got := geminiKinds(run.events); !slices.Equal(got, []string{reel.KindMessage, reel.KindMessage}) {
			t.Errorf("kinds %v", got)
		}
		if run.session.NativeID != "trunc-0001" || run.session.Title != "Explain the retry loop" {
			t.Errorf("session %+v", run.session)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		run := readSession(t, NewGemini(), geminiCase("unknown"))
		if len(run.errs) != 0 {
			t.Fatalf("errors %v", run.errs)
		}
		want := []struct{ typ, status, text string }{
			{"metadata", reel.RecordOK, ""},
			{"user", reel.RecordOK, "Plan the release"},
			{"plan", reel.RecordUnknown, "Step one: tag the release candidate\ntag\npublish"},
			{"", reel.RecordUnknown, "before publishing the release"},
			{"", reel.RecordUnknown, "not\nan\nobject"},
			{"gemini", reel.RecordOK, "Tagged v1.2.0-rc1."},
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
		for _, e := range run.events {
			if (e.RawIndex >= 2 && e.RawIndex <= 4) != (e.Kind == reel.KindOther) {
				t.Errorf("event of record %d has kind %s", e.RawIndex, e.Kind)
			}
		}
	})
	t.Run("Document", func(t *testing.T) {
		dir := t.TempDir()
		tests := []struct {
			name, data string
			status     string
			err        bool
		}{
			{"NotObject", `[{"id":"x"}]`, reel.RecordUnknown, false},
			{"NoMessages", `{"sessionId":"s","note":"a checkpoint, not a chat"}`, reel.RecordUnknown, false},
			{"Cut", "{\n  \"sessionId\": \"s\",\n  \"messages\": [\n", "", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				path := filepath.Join(dir, "session-"+tt.name+".json")
				if err := os.WriteFile(path, []byte(tt.data), 0o644); err != nil {
					t.Fatal(err)
				}
				run := readSession(t, NewGemini(), geminiFile(path))
				if (len(run.errs) > 0) != tt.err || (!tt.err && run.raw[0].Status != tt.status) {
					t.Errorf("errors %v, records %+v", run.errs, run.raw)
				}
			})
		}
	})
}

func TestGeminiParser_Rewound(t *testing.T) {
	run := readSession(t, NewGemini(), geminiCase("rewind"))
	if len(run.errs) != 0 {
		t.Fatalf("errors %v", run.errs)
	}
	if len(run.events) != 1 || run.events[0].Text != "Starting over" {
		t.Fatalf("events %+v: a rewind to an id the chat never had takes back everything", run.events)
	}
	if s := run.session; s.Title != "Starting over" || !s.Tokens.IsZero() {
		t.Errorf("title %q tokens %+v", s.Title, s.Tokens)
	}

	// Step by step, as the records come.
	p, err := NewGemini().NewParser(geminiCase("rewind"), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(geminiCase("rewind").Path)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		keep   int64 // -1: not a rewind
		events int
		input  int64
		title  string
	}{
		{-1, 0, 0, ""},
		{-1, 1, 0, "First prompt"},
		{-1, 2, 100, "First prompt"},
		{-1, 3, 100, "First prompt"},
		{-1, 4, 300, "First prompt"},
		{3, 3, 100, "First prompt"},      // back to before the second answer
		{-1, 4, 310, "First prompt"},     // the retried answer
		{0, 0, 0, ""},                    // back to before the first prompt
		{-1, 1, 0, "A new first prompt"}, // the title follows the new first prompt
		{-1, 2, 50, "A new first prompt"},
		{-1, 3, 250, "A new first prompt"}, // a rewound message written again is new again
		{0, 0, 0, ""},                      // an unknown id takes back everything
		{-1, 1, 0, "Starting over"},
	}
	var evs []reel.Event
	for i, line := range splitLines(data) {
		rec := reel.RawRecord{Index: int64(i), Data: line}
		got, err := p.Parse(&rec)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		keep, ok := p.(reel.Rewinder).Rewound()
		w := steps[i]
		if ok != (w.keep >= 0) || (ok && keep != w.keep) {
			t.Fatalf("line %d: Rewound() = %d, %v; want %d", i+1, keep, ok, w.keep)
		}
		if ok {
			evs = evs[:keep]
		}
		evs = append(evs, got...)
		s := p.Session()
		if len(evs) != w.events || s.Tokens.Input != w.input || s.Title != w.title {
			t.Fatalf("line %d: %d events, input %d, title %q; want %d, %d, %q", i+1, len(evs), s.Tokens.Input, s.Title, w.events, w.input, w.title)
		}
	}
}

// geminiFeed parses lines[from:to] with p the way the sync engine does: a
// rewind discards the events it takes back.
func geminiFeed(t testing.TB, p reel.Parser, lines [][]byte, from, to int, evs []reel.Event) []reel.Event {
	t.Helper()
	for i := from; i < to; i++ {
		if len(bytes.TrimSpace(lines[i])) == 0 {
			continue
		}
		rec := reel.RawRecord{Index: int64(i), Data: lines[i]}
		got, err := p.Parse(&rec)
		if err != nil {
			got = nil
		}
		if keep, ok := p.(reel.Rewinder).Rewound(); ok {
			if keep < 0 || keep > int64(len(evs)) {
				t.Fatalf("line %d: Rewound() = %d with %d events", i+1, keep, len(evs))
			}
			evs = evs[:keep]
		}
		for j := range got {
			got[j].Seq, got[j].RawIndex = int64(len(evs)+j), int64(i)
		}
		evs = append(evs, got...)
	}
	return evs
}

// TestGeminiParser_State cuts every chat at every line, resumes a new
// parser from the first one's state, and checks that the two together
// read the chat exactly as one parser does, rewinds that cross the cut
// included.
func TestGeminiParser_State(t *testing.T) {
	var files []reel.SourceFile
	for _, f := range discoverAll(t, NewGemini(), geminiTree) {
		if f.Layout == reel.LayoutLines {
			files = append(files, f)
		}
	}
	for _, name := range []string{"rewind", "unknown", "truncated"} {
		files = append(files, geminiCase(name))
	}
	for _, f := range files {
		t.Run(filepath.Base(f.Path), func(t *testing.T) {
			data, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			lines := splitLines(data)
			whole, err := NewGemini().NewParser(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := geminiFeed(t, whole, lines, 0, len(lines), nil)
			wantState, _ := whole.State()
			for cut := range len(lines) + 1 {
				first, _ := NewGemini().NewParser(f, nil)
				evs := geminiFeed(t, first, lines, 0, cut, nil)
				state, err := first.State()
				if err != nil {
					t.Fatal(err)
				}
				second, err := NewGemini().NewParser(f, state)
				if err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				evs = geminiFeed(t, second, lines, cut, len(lines), evs)
				if !slices.EqualFunc(evs, want, geminiSameEvent) {
					t.Fatalf("cut %d: %d events, want %d", cut, len(evs), len(want))
				}
				if got, want := second.Session(), whole.Session(); got != want {
					t.Fatalf("cut %d: session %+v, want %+v", cut, got, want)
				}
				if gotState, _ := second.State(); !bytes.Equal(gotState, wantState) {
					t.Fatalf("cut %d: state\n%s\nwant\n%s", cut, gotState, wantState)
				}
			}
		})
	}
	t.Run("Corrupt", func(t *testing.T) {
		for _, state := range []string{"{", `{"v":99}`} {
			if _, err := NewGemini().NewParser(geminiCase("rewind"), []byte(state)); reel.ErrorCode(err) != reel.ECORRUPT {
				t.Errorf("NewParser(%s): %v, want ECORRUPT", state, err)
			}
		}
	})
}

func geminiSameEvent(a, b reel.Event) bool {
	return a.Kind == b.Kind && a.Text == b.Text && a.Seq == b.Seq && a.RawIndex == b.RawIndex &&
		a.CallID == b.CallID && a.Tokens == b.Tokens && a.NativeID == b.NativeID && a.Time.Equal(b.Time)
}

// TestGeminiParser_Long checks a chat far longer than what the state
// remembers: it stays small, re-written messages still add only what is
// new, and rewinds to prompts it still knows work.
func TestGeminiParser_Long(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{"sessionId":"long","projectHash":"h","startTime":"2026-05-01T00:00:00.000Z"}` + "\n")
	const turns = 1000
	ts := func(i, s int) string { return fmt.Sprintf("2026-05-01T%02d:%02d:%02d.000Z", i/60, i%60, s) }
	for i := range turns {
		fmt.Fprintf(&sb, `{"id":"u%d","timestamp":%q,"type":"user","content":"prompt %d"}`+"\n", i, ts(i, 0), i)
		g := fmt.Sprintf(`{"id":"g%d","timestamp":%q,"type":"gemini","content":"answer %d","tokens":{"input":10,"output":1}`, i, ts(i, 1), i)
		sb.WriteString(g + "}\n")
		sb.WriteString(g + fmt.Sprintf(`,"toolCalls":[{"id":"c%d","name":"run_shell_command","args":{"command":"make %d"},"status":"success","result":[{"functionResponse":{"id":"c%d","response":{"output":"ok"}}}]}]}`, i, i, i) + "\n")
	}
	lines := splitLines([]byte(sb.String()))
	f := reel.SourceFile{Path: "/nowhere/session-long.jsonl", NativeID: "session-long"}
	p, _ := NewGemini().NewParser(f, nil)
	evs := geminiFeed(t, p, lines, 0, len(lines), nil)
	if len(evs) != turns*4 || p.Session().Tokens.Input != turns*10 {
		t.Fatalf("%d events, input %d; want %d, %d", len(evs), p.Session().Tokens.Input, turns*4, turns*10)
	}
	state, _ := p.State()
	if len(state) > 32<<10 {
		t.Errorf("state is %d bytes", len(state))
	}
	var st geminiState
	if err := json.Unmarshal(state, &st); err != nil || len(st.Marks) != geminiMarks || len(st.Open) != geminiOpen || !st.Evicted {
		t.Fatalf("state: %v, %d marks, %d open", err, len(st.Marks), len(st.Open))
	}
	tail := [][]byte{
		// An old message written again, long forgotten: a duplicate.
		[]byte(`{"id":"g3","timestamp":"2026-05-01T00:03:01.000Z","type":"gemini","content":"answer 3","tokens":{"input":10,"output":1}}` + "\n"),
		// A prompt forgotten: nothing to take back.
		[]byte(`{"$rewindTo":"u5"}` + "\n"),
		// A prompt still known: back to it.
		[]byte(`{"$rewindTo":"u990"}` + "\n"),
	}
	for i, line := range tail {
		rec := reel.RawRecord{Index: int64(len(lines) + i), Data: line}
		got, err := p.Parse(&rec)
		keep, ok := p.(reel.Rewinder).Rewound()
		switch i {
		case 0:
			if err != nil || len(got) != 0 || rec.Status != reel.RecordDuplicate {
				t.Errorf("old copy: %v, %d events, status %q", err, len(got), rec.Status)
			}
		case 1:
			if ok {
				t.Errorf("rewind to a forgotten prompt took back to %d", keep)
			}
		case 2:
			if !ok || keep != 990*4 || p.Session().Tokens.Input != 990*10 {
				t.Errorf("rewind to u990: keep %d (%v), input %d", keep, ok, p.Session().Tokens.Input)
			}
		}
	}
}

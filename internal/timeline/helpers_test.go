package timeline

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
)

// openStore opens a new SQLite store and closes it when the test ends.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "reel.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// base is the tests' clock; event i of a built session is at base + i s.
var base = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

// at returns the time of seq.
func at(seq int64) time.Time { return base.Add(time.Duration(seq) * time.Second) }

// put writes a session of events (their seqs and times set from their
// order) and returns it.
func put(t testing.TB, st reel.Store, native string, evs ...reel.Event) reel.Session {
	t.Helper()
	ss := reel.Session{ID: reel.SessionID(reel.SourceClaudeCode, native), Source: reel.SourceClaudeCode,
		NativeID: native, Title: native, StartedAt: base, EndedAt: at(int64(len(evs))), Status: reel.StatusCompleted,
		EventCount: int64(len(evs)), Path: "/logs/" + native + ".jsonl"}
	b := &reel.Batch{Session: ss, Cursor: reel.Cursor{Path: ss.Path, Source: ss.Source, SessionID: ss.ID,
		NextRaw: int64(len(evs)), NextSeq: int64(len(evs))}}
	for i, e := range evs {
		e.SessionID, e.Seq, e.RawIndex = ss.ID, int64(i), int64(i)
		if e.Time.IsZero() {
			e.Time = at(int64(i))
		}
		if e.Role == "" {
			e.Role = reel.RoleAssistant
		}
		b.Events = append(b.Events, e)
		b.Raw = append(b.Raw, reel.RawRecord{Index: int64(i), Data: []byte(fmt.Sprintf("{\"i\":%d}\n", i)), Status: reel.RecordOK})
	}
	if err := st.Apply(context.Background(), b); err != nil {
		t.Fatalf("apply %s: %v", native, err)
	}
	return ss
}

// checkpoints puts checkpoints into a session, each at its seq's time
// unless it has one.
func checkpoints(t testing.TB, st *sqlite.Store, sessionID string, cps ...reel.Checkpoint) {
	t.Helper()
	for _, c := range cps {
		c.SessionID = sessionID
		if c.Time.IsZero() {
			c.Time = at(c.Seq)
		}
		if err := st.PutCheckpoint(context.Background(), c); err != nil {
			t.Fatalf("put checkpoint %s: %v", c.ID, err)
		}
	}
}

// call, result, cmd and out build events.
func call(tool, id string, input any, tokens int64) reel.Event {
	raw, _ := json.Marshal(input)
	return reel.Event{Kind: reel.KindToolCall, Tool: tool, CallID: id, Input: raw,
		Text: tool + " " + string(raw), Tokens: reel.Tokens{Output: tokens}}
}

func result(id, text string, isErr bool) reel.Event {
	return reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, CallID: id, Text: text, IsError: isErr}
}

func cmd(line string, exit int) reel.Event {
	return reel.Event{Kind: reel.KindCommand, Role: reel.RoleUser, Text: line, ExitCode: &exit, IsError: exit != 0}
}

func out(text string) reel.Event {
	return reel.Event{Kind: reel.KindOutput, Role: reel.RoleTool, Text: text}
}

func msg(role, text string, tokens int64) reel.Event {
	return reel.Event{Kind: reel.KindMessage, Role: role, Text: text, Tokens: reel.Tokens{Input: tokens}}
}

// seqs returns the events' seqs.
func seqs(evs []reel.Event) []int64 {
	out := []int64{}
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := reel.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

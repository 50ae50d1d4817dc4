package timeline

import (
	"context"
	"testing"

	"github.com/reel-sh/reel"
)

// stepKey is what the replay tests compare of a step.
type stepKey struct {
	Seq       int64
	Kind      string
	Tool      string
	Result    string
	ResultSeq int64
	IsError   bool
	Exit      int // -1 when none
}

func stepKeys(steps []reel.Step) []stepKey {
	out := []stepKey{}
	for _, s := range steps {
		k := stepKey{s.Seq, s.Kind, s.Tool, s.Result, s.ResultSeq, s.IsError, -1}
		if s.ExitCode != nil {
			k.Exit = *s.ExitCode
		}
		out = append(out, k)
	}
	return out
}

func TestTimeline_Replay(t *testing.T) {
	ctx := context.Background()
	tl, ss := spanSession(t)
	bash := stepKey{1, reel.KindToolCall, "Bash", "ok  \texample.com/x\t0.1s", 2, false, -1}
	edit := stepKey{3, reel.KindToolCall, "Edit", "", -1, false, -1}
	read := stepKey{5, reel.KindToolCall, "Read", "package b", 8, false, -1}
	rm := stepKey{6, reel.KindCommand, "", "removed old.txt", 7, false, 0}
	tests := []struct {
		name string
		q    reel.EventQuery
		want []stepKey
	}{
		{"OKAll", reel.EventQuery{}, []stepKey{bash, edit, read, rm}},
		{"OKKindsIgnored", reel.EventQuery{Kinds: []string{reel.KindMessage}}, []stepKey{bash, edit, read, rm}},
		{"OKResultOutsideSpan", reel.EventQuery{FromCheckpoint: "mid", ToCheckpoint: "late"},
			[]stepKey{{5, reel.KindToolCall, "Read", "", -1, false, -1}, rm}},
		{"OKCallOutsideSpan", reel.EventQuery{SinceSeq: 2, ToCheckpoint: "mid"}, []stepKey{edit}},
		{"OKOutputOutsideSpan", reel.EventQuery{From: at(6), To: at(6)}, []stepKey{{6, reel.KindCommand, "", "", -1, false, 0}}},
		{"OKRoles", reel.EventQuery{Roles: []string{reel.RoleUser}}, []stepKey{rm}},
		{"OKLimit", reel.EventQuery{Limit: 2}, []stepKey{bash, edit}},
		{"OKLimitAfterRoles", reel.EventQuery{Roles: []string{reel.RoleAssistant}, Limit: 3, SinceSeq: 3}, []stepKey{edit, read}},
		{"OKEmptySpan", reel.EventQuery{FromCheckpoint: "mid", ToCheckpoint: "mid"}, []stepKey{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Session = ss.ID
			steps, err := tl.Replay(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "steps", stepKeys(steps), tt.want)
		})
	}

	t.Run("OKArguments", func(t *testing.T) {
		steps, err := tl.Replay(ctx, reel.EventQuery{Session: ss.ID, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		s := steps[0]
		if string(s.Input) != `{"command":"go test ./...","description":"run tests"}` || s.Time != at(1) ||
			s.Text != `Bash {"command":"go test ./...","description":"run tests"}` {
			t.Errorf("step = %+v", s)
		}
	})

	t.Run("ErrMissingCheckpoint", func(t *testing.T) {
		_, err := tl.Replay(ctx, reel.EventQuery{Session: ss.ID, FromCheckpoint: "nope"})
		wantCode(t, err, reel.ENOTFOUND)
	})
	t.Run("ErrNoSession", func(t *testing.T) {
		_, err := tl.Replay(ctx, reel.EventQuery{Session: "0000"})
		wantCode(t, err, reel.ENOTFOUND)
	})
}

// The pairing rules, over sessions shaped as each source writes them.
func TestTimeline_ReplayPairing(t *testing.T) {
	ctx := context.Background()
	one, two := 1, 2
	withCall := func(e reel.Event, id string) reel.Event { e.CallID = id; return e }
	withExit := func(e reel.Event, code *int, isErr bool) reel.Event { e.ExitCode, e.IsError = code, isErr; return e }
	tests := []struct {
		name string
		evs  []reel.Event
		want []stepKey
	}{
		{"OKRepeatedCallIDsInOrder", []reel.Event{
			call("shell", "dup", nil, 0), call("apply_patch", "dup", nil, 0),
			result("dup", "first", false), result("dup", "second", true),
		}, []stepKey{
			{0, reel.KindToolCall, "shell", "first", 2, false, -1},
			{1, reel.KindToolCall, "apply_patch", "second", 3, true, -1},
		}},
		{"OKResultExitCode", []reel.Event{
			call("exec_command", "c1", map[string]any{"cmd": "false"}, 0),
			withExit(result("c1", "", false), &one, true),
		}, []stepKey{{0, reel.KindToolCall, "exec_command", "", 1, true, 1}}},
		{"OKOrphanResultSkipped", []reel.Event{result("gone", "x", false), call("Read", "r", nil, 0)},
			[]stepKey{{1, reel.KindToolCall, "Read", "", -1, false, -1}}},
		{"OKCommandByCallID", []reel.Event{ // Codex's user shell: the output holds the exit code
			withExit(withCall(cmd("make", 0), "u1"), nil, false), msg(reel.RoleUser, "meanwhile", 0),
			withExit(withCall(out("make: *** Error 2"), "u1"), &two, true),
		}, []stepKey{{0, reel.KindCommand, "", "make: *** Error 2", 2, true, 2}}},
		{"OKOutputRightAfter", []reel.Event{cmd("ls", 0), out("a b"), cmd("pwd", 0), out("/tmp")},
			[]stepKey{{0, reel.KindCommand, "", "a b", 1, false, 0}, {2, reel.KindCommand, "", "/tmp", 3, false, 0}}},
		{"OKOutputNotRightAfter", []reel.Event{cmd("ls", 0), msg(reel.RoleUser, "x", 0), out("a b")},
			[]stepKey{{0, reel.KindCommand, "", "", -1, false, 0}}},
		{"OKOutputOnce", []reel.Event{cmd("ls", 3), out("a"), out("b")},
			[]stepKey{{0, reel.KindCommand, "", "a", 1, true, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			ss := put(t, st, tt.name, tt.evs...)
			steps, err := New(st).Replay(ctx, reel.EventQuery{Session: ss.ID})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "steps", stepKeys(steps), tt.want)
		})
	}
}

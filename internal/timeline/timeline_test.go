package timeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// spanSession is a session with tool calls, a result that comes late, a
// recorded command with its output, and four checkpoints: start@0,
// mid@4, late@8 and an unlabelled one at the end (10).
func spanSession(t *testing.T) (*Timeline, reel.Session) {
	st := openStore(t)
	ss := put(t, st, "span",
		msg(reel.RoleUser, "run the tests and tidy up", 10),                                              // 0
		call("Bash", "b1", map[string]any{"command": "go test ./...", "description": "run tests"}, 5),    // 1
		result("b1", "ok  \texample.com/x\t0.1s", false),                                                 // 2
		call("Edit", "e1", map[string]any{"file_path": "a.go", "old_string": "x", "new_string": "y"}, 7), // 3
		msg(reel.RoleAssistant, "now the reader", 20),                                                    // 4
		call("Read", "r1", map[string]any{"file_path": "b.go"}, 3),                                       // 5
		cmd("rm -f old.txt", 0),          // 6
		out("removed old.txt"),           // 7
		result("r1", "package b", false), // 8
		msg(reel.RoleUser, "thanks", 1),  // 9
	)
	checkpoints(t, st, ss.ID,
		reel.Checkpoint{ID: "c1aaaa", Label: "start", Seq: 0},
		reel.Checkpoint{ID: "c2bbbb", Label: "mid", Seq: 4},
		reel.Checkpoint{ID: "c3cccc", Label: "late", Seq: 8},
		reel.Checkpoint{ID: "c4dddd", Seq: 10},
	)
	return New(st), ss
}

func TestTimeline_Events(t *testing.T) {
	ctx := context.Background()
	tl, ss := spanSession(t)
	q := func(q reel.EventQuery) reel.EventQuery {
		if q.Session == "" {
			q.Session = ss.ID
		}
		return q
	}
	tests := []struct {
		name string
		q    reel.EventQuery
		want []int64
	}{
		{"OKAll", q(reel.EventQuery{}), []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"OKSessionPrefix", reel.EventQuery{Session: ss.ID[:6], Limit: 1}, []int64{0}},
		{"OKBetweenLabels", q(reel.EventQuery{FromCheckpoint: "start", ToCheckpoint: "late"}), []int64{0, 1, 2, 3, 4, 5, 6, 7}},
		{"OKBetweenReversed", q(reel.EventQuery{FromCheckpoint: "late", ToCheckpoint: "start"}), []int64{0, 1, 2, 3, 4, 5, 6, 7}},
		{"OKBetweenIDs", q(reel.EventQuery{FromCheckpoint: "c2bbbb", ToCheckpoint: "c3cccc"}), []int64{4, 5, 6, 7}},
		{"OKBetweenPrefixes", q(reel.EventQuery{FromCheckpoint: "c2b", ToCheckpoint: "c3"}), []int64{4, 5, 6, 7}},
		{"OKSameCheckpoint", q(reel.EventQuery{FromCheckpoint: "mid", ToCheckpoint: "c2bbbb"}), []int64{}},
		{"OKFromOnlyToEnd", q(reel.EventQuery{FromCheckpoint: "mid"}), []int64{4, 5, 6, 7, 8, 9}},
		{"OKToOnlyFromStart", q(reel.EventQuery{ToCheckpoint: "mid"}), []int64{0, 1, 2, 3}},
		{"OKToSeqZero", q(reel.EventQuery{ToCheckpoint: "start"}), []int64{}},
		{"OKToTheEndCheckpoint", q(reel.EventQuery{FromCheckpoint: "late", ToCheckpoint: "c4dddd"}), []int64{8, 9}},
		{"OKSinceSeq", q(reel.EventQuery{SinceSeq: 6}), []int64{6, 7, 8, 9}},
		{"OKSinceSeqInSpan", q(reel.EventQuery{SinceSeq: 6, FromCheckpoint: "start", ToCheckpoint: "late"}), []int64{6, 7}},
		{"OKSinceSeqBeforeSpan", q(reel.EventQuery{SinceSeq: 2, FromCheckpoint: "mid", ToCheckpoint: "late"}), []int64{4, 5, 6, 7}},
		{"OKSinceSeqPastSpan", q(reel.EventQuery{SinceSeq: 9, ToCheckpoint: "late"}), []int64{}},
		{"OKSinceSeqPastEnd", q(reel.EventQuery{SinceSeq: 20}), []int64{}},
		{"OKTimesInclusive", q(reel.EventQuery{From: at(2), To: at(4)}), []int64{2, 3, 4}},
		{"OKToInclusiveToTheNanosecond", q(reel.EventQuery{To: at(4).Add(-time.Nanosecond)}), []int64{0, 1, 2, 3}},
		{"OKFromOnly", q(reel.EventQuery{From: at(8)}), []int64{8, 9}},
		{"OKToLatestStorable", q(reel.EventQuery{From: at(9), To: time.Unix(0, 1<<63-1)}), []int64{9}},
		{"OKToFarFuture", q(reel.EventQuery{From: at(9), To: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}), []int64{9}},
		{"OKToFarPast", q(reel.EventQuery{To: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}), []int64{}},
		{"OKFromAfterTo", q(reel.EventQuery{From: at(5), To: at(3)}), []int64{}},
		{"OKTimesAndCheckpoints", q(reel.EventQuery{From: at(3), FromCheckpoint: "start", ToCheckpoint: "mid"}), []int64{3}},
		{"OKKinds", q(reel.EventQuery{Kinds: []string{reel.KindToolCall}}), []int64{1, 3, 5}},
		{"OKRoles", q(reel.EventQuery{Roles: []string{reel.RoleUser}}), []int64{0, 6, 9}},
		{"OKKindsRolesInSpan", q(reel.EventQuery{Kinds: []string{reel.KindMessage}, Roles: []string{reel.RoleUser}, FromCheckpoint: "mid"}), []int64{9}},
		{"OKLimit", q(reel.EventQuery{Limit: 3}), []int64{0, 1, 2}},
		{"OKLimitInSpan", q(reel.EventQuery{Limit: 2, FromCheckpoint: "mid"}), []int64{4, 5}},
		{"OKLimitAfterKinds", q(reel.EventQuery{Limit: 2, Kinds: []string{reel.KindToolResult}}), []int64{2, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := tl.Events(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "seqs", seqs(evs), tt.want)
		})
	}

	errs := []struct {
		name string
		q    reel.EventQuery
		code string
		msg  []string // in the message and hint
	}{
		{"ErrNoSession", reel.EventQuery{Session: "ffffffff"}, reel.ENOTFOUND, []string{"ffffffff"}},
		{"ErrMissingFrom", q(reel.EventQuery{FromCheckpoint: "before-refactor", ToCheckpoint: "late"}), reel.ENOTFOUND,
			[]string{`checkpoint "before-refactor" not found`, "start, mid, late, c4dddd (no label)"}},
		{"ErrMissingTo", q(reel.EventQuery{FromCheckpoint: "start", ToCheckpoint: "after"}), reel.ENOTFOUND,
			[]string{`"after"`, ss.ID[:12]}},
		{"ErrAmbiguousPrefix", q(reel.EventQuery{FromCheckpoint: "c"}), reel.EAMBIGUOUS, []string{`"c"`}},
		{"ErrNegativeSince", q(reel.EventQuery{SinceSeq: -1}), reel.EINVALID, []string{"-1"}},
		{"ErrNegativeLimit", q(reel.EventQuery{Limit: -2}), reel.EINVALID, []string{"-2"}},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tl.Events(ctx, tt.q)
			wantCode(t, err, tt.code)
			text := err.Error() + "\n" + reel.ErrorHint(err)
			for _, m := range tt.msg {
				if !strings.Contains(text, m) {
					t.Errorf("error %q does not hold %q", text, m)
				}
			}
		})
	}

	t.Run("ErrNoCheckpoints", func(t *testing.T) {
		st := openStore(t)
		bare := put(t, st, "bare", msg(reel.RoleUser, "hi", 0))
		_, err := New(st).Events(ctx, reel.EventQuery{Session: bare.ID, ToCheckpoint: "x"})
		wantCode(t, err, reel.ENOTFOUND)
		if h := reel.ErrorHint(err); h != "the session has no checkpoints" {
			t.Errorf("hint = %q", h)
		}
	})
}

func TestFindCheckpoint(t *testing.T) {
	cps := []reel.Checkpoint{
		{ID: "aa11", Label: "ab"}, {ID: "ab22", Label: "first"}, {ID: "ab33"}, {ID: "first"},
	}
	tests := []struct {
		name, ref, want, code string
	}{
		{"OKExactIDBeforeLabel", "first", "first", ""},
		{"OKLabelBeforePrefix", "ab", "aa11", ""},
		{"OKUniquePrefix", "ab3", "ab33", ""},
		{"OKExactID", "ab22", "ab22", ""},
		{"ErrAmbiguousPrefix", "a", "", reel.EAMBIGUOUS},
		{"ErrNotFound", "zz", "", reel.ENOTFOUND},
		{"ErrEmpty", "", "", reel.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := checkpoint(reel.Session{ID: "s1"}, cps, tt.ref)
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != tt.want {
				t.Errorf("found %q, want %q", c.ID, tt.want)
			}
		})
	}
}

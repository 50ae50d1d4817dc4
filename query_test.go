package reel_test

import (
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func TestParseQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"flaky migration", "flaky AND migration"},
		{`"flaky migration" test`, `"flaky migration" AND test`},
		{"migrat*", "migrat*"},
		{"a OR b c", "a OR (b AND c)"},
		{"a AND NOT b", "a AND NOT b"},
		{"a -b", "a AND NOT b"},
		{"NOT b", ""},
		{"-b", ""},
		{"(a OR b) c", "(a OR b) AND c"},
		{"((a", "a"},
		{"a)) b", "a AND b"},
		{`"unterminated phrase`, `"unterminated phrase"`},
		{"AND OR NOT", ""},
		{"a AND", "a"},
		{"OR a", "a"},
		{"*", ""},
		{"++ -- ::", ""},
		{"c++ foo.bar", "c++ AND foo.bar"},
		{"迁移 ошибка", "迁移 AND ошибка"},
		{"", ""},
		{"a NOT", "a"},
		{"a OR NOT b", "a"},
		{"\xff\xfe bad", "bad"},
		{`""`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q := reel.ParseQuery(tt.in)
			if got := q.String(); got != tt.want {
				t.Errorf("ParseQuery(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if q.Empty() != (tt.want == "") {
				t.Errorf("Empty() = %v", q.Empty())
			}
		})
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`a "b c" OR (d -e*)`, "NOT NOT a", `(((`, `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := reel.ParseQuery(s)
		var check func(n *reel.Node, parentAnd bool)
		check = func(n *reel.Node, parentAnd bool) {
			if n.Op == reel.OpNot && !parentAnd {
				t.Fatalf("NOT outside AND in %q", q.String())
			}
			for _, k := range n.Kids {
				check(k, n.Op == reel.OpAnd)
			}
		}
		if q.Root != nil {
			check(q.Root, false)
		}
	})
}

func TestSplitHighlights(t *testing.T) {
	text, ranges := reel.SplitHighlights("a \x02flaky\x03 b \x02mig\x03")
	if text != "a flaky b mig" {
		t.Fatalf("text = %q", text)
	}
	if len(ranges) != 2 || ranges[0] != [2]int{2, 7} || ranges[1] != [2]int{10, 13} {
		t.Fatalf("ranges = %v", ranges)
	}
}

func TestStorableTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want bool
	}{
		{time.Time{}, true},
		{time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC), true},
		{time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := reel.StorableTime(tt.in); got != tt.want {
			t.Errorf("StorableTime(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

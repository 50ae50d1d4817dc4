package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

// A seq bound must seek the (session_sk, seq) index, not scan the
// session's events: a span of a long session is read in time of its size.
func TestEventsQuery_SeqRangeUsesIndex(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, "")
	if err := s.Apply(ctx, message("codex", "plan", 0, "a", "b", "c")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    reel.Filter
		want string
	}{
		{"OKFromAndTo", reel.Filter{SeqFrom: 1, SeqTo: 2}, "USING INDEX events_session_seq (session_sk=? AND seq>? AND seq<?)"},
		{"OKFrom", reel.Filter{SeqFrom: 1}, "USING INDEX events_session_seq (session_sk=? AND seq>?)"},
		{"OKTo", reel.Filter{SeqTo: 2}, "USING INDEX events_session_seq (session_sk=? AND seq<?)"},
		{"OKWithKinds", reel.Filter{SeqFrom: 1, SeqTo: 2, Kinds: []string{reel.KindMessage}},
			"USING INDEX events_session_seq (session_sk=? AND seq>? AND seq<?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, args := eventsQuery(1, tt.f)
			rows, err := s.rdb.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(plan, "; ")
			if !strings.Contains(got, tt.want) {
				t.Errorf("plan = %q, want it to hold %q", got, tt.want)
			}
		})
	}
}

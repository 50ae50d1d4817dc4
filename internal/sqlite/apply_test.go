package sqlite

import (
	"context"
	"testing"

	"github.com/reel-sh/reel"
)

// TestStore_ApplyIndex checks the full-text index after transactions
// that mix new sessions, appends, and batches that replace events written
// earlier in the same transaction or in an earlier one: every stored
// event must be indexed exactly once, and nothing else.
func TestStore_ApplyIndex(t *testing.T) {
	ctx := context.Background()
	a := func(from int64, texts ...string) *reel.Batch {
		return message(reel.SourceClaudeCode, "ix-a", from, texts...)
	}
	b := func(from int64, texts ...string) *reel.Batch {
		return message(reel.SourceCodex, "ix-b", from, texts...)
	}
	steps := []struct {
		name    string
		batches []*reel.Batch
		want    map[string]int // hits per word
	}{
		{"OK", []*reel.Batch{a(0, "alpha", "bravo"), b(0, "zulu"), a(2, "charlie")},
			map[string]int{"alpha": 1, "bravo": 1, "zulu": 1, "charlie": 1}},
		{"OKReplacePending", []*reel.Batch{a(3, "delta"), b(1, "echo"), a(1, "foxtrot", "golf"), b(2, "hotel")},
			map[string]int{"alpha": 1, "bravo": 0, "charlie": 0, "delta": 0, "foxtrot": 1, "golf": 1, "zulu": 1, "echo": 1, "hotel": 1}},
		{"OKReplaceCommitted", []*reel.Batch{b(0, "india"), a(3, "juliett"), a(3, "kilo")},
			map[string]int{"zulu": 0, "echo": 0, "hotel": 0, "india": 1, "juliett": 0, "kilo": 1, "golf": 1}},
		{"OKNoEvents", []*reel.Batch{a(1), b(1, "lima")},
			map[string]int{"alpha": 1, "foxtrot": 0, "golf": 0, "kilo": 0, "india": 1, "lima": 1}},
	}
	s := openTest(t, "")
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := s.Apply(ctx, st.batches...); err != nil {
				t.Fatal(err)
			}
			// With rank 1, FTS5 also checks the index against the text
			// of every event, so a missing, stale or doubled entry fails.
			if _, err := s.db.ExecContext(ctx,
				`INSERT INTO events_fts (events_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
				t.Fatalf("integrity-check: %v", err)
			}
			for word, want := range st.want {
				hs, err := s.Search(ctx, reel.SearchQuery{Query: reel.ParseQuery(word)})
				if err != nil {
					t.Fatal(err)
				}
				if len(hs) != want {
					t.Errorf("Search(%s) = %d hits, want %d", word, len(hs), want)
				}
			}
		})
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM events_fts WHERE events_fts MATCH 'alpha OR india OR lima'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := 3; n != want {
		t.Errorf("matches = %d, want %d", n, want)
	}
}

package storetest

import (
	"testing"

	"github.com/reel-sh/reel"
)

// The highlight check is what makes the search tests bite; it must reject
// highlights that a careless store could produce.
func TestHitProblems(t *testing.T) {
	hit := func(snippet string, ranges ...[2]int) []reel.Hit {
		return []reel.Hit{{SessionID: "s", Snippet: snippet, Highlights: ranges}}
	}
	tests := []struct {
		name  string
		query string
		hits  []reel.Hit
		want  int
	}{
		{"OKTerm", "flaky", hit("the flaky test", [2]int{4, 9}), 0},
		{"OKCase", "flaky", hit("the FLAKY test", [2]int{4, 9}), 0},
		{"OKPhrase", `"flaky migration"`, hit("a flaky migration", [2]int{2, 17}), 0},
		{"OKPrefix", "migrat*", hit("migrations run", [2]int{0, 10}), 0},
		{"OKNoHits", "flaky", nil, 0},
		{"ErrNoHighlight", "flaky", hit("the flaky test"), 1},
		{"ErrWrongWord", "flaky", hit("the flaky test", [2]int{10, 14}), 1},
		{"ErrPartlyWrong", "flaky", hit("the flaky test", [2]int{4, 14}), 1},
		{"ErrOutside", "flaky", hit("flaky", [2]int{0, 9}), 1},
		{"ErrEmpty", "flaky", hit("flaky", [2]int{2, 2}), 1},
		{"ErrPunctuationOnly", "flaky", hit("flaky: yes", [2]int{5, 6}), 1},
		{"ErrNegatedWord", "migration -flaky", hit("flaky migration", [2]int{0, 5}), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hitProblems(tt.query, tt.hits); len(got) != tt.want {
				t.Errorf("problems = %q, want %d", got, tt.want)
			}
		})
	}
}

func TestPrefixes(t *testing.T) {
	ids := []string{"abc1", "abd2", "b123", "abc9"}
	unique, shared := prefixes(ids)
	if unique != "abc1" {
		t.Errorf("unique = %q, want abc1", unique)
	}
	if shared != "a" {
		t.Errorf("shared = %q, want a", shared)
	}
}

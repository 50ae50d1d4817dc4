package evalset

import (
	"math"
	"testing"

	"github.com/reel-sh/reel"
)

func hits(sessions ...string) []reel.Hit {
	var hs []reel.Hit
	for i, s := range sessions {
		hs = append(hs, reel.Hit{SessionID: s, Seq: int64(i)})
	}
	return hs
}

func TestRank(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hits    []reel.Hit
		targets []string
		want    int
	}{
		{"first", hits("a", "b"), []string{"a"}, 1},
		{"second distinct session", hits("b", "b", "b", "a"), []string{"a"}, 2},
		{"repeated sessions count once", hits("b", "c", "b", "c", "d", "a"), []string{"a"}, 4},
		{"any of several targets", hits("x", "y", "t2", "t1"), []string{"t1", "t2"}, 3},
		{"miss", hits("x", "y"), []string{"a"}, 0},
		{"no hits", nil, []string{"a"}, 0},
	} {
		if got := Rank(tc.hits, tc.targets); got != tc.want {
			t.Errorf("%s: Rank = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ranks []int
		want  Scores
	}{
		{"empty", nil, Scores{}},
		{"all first", []int{1, 1}, Scores{Queries: 2, Success1: 1, Success3: 1, MRR: 1}},
		{"all missed", []int{0, 0, 0}, Scores{Queries: 3}},
		{"mixed", []int{1, 2, 3, 4, 0}, Scores{Queries: 5, Success1: 0.2, Success3: 0.6, MRR: (1 + 0.5 + 1.0/3 + 0.25) / 5}},
		{"third counts for Success@3 only", []int{3}, Scores{Queries: 1, Success3: 1, MRR: 1.0 / 3}},
	} {
		got := Score(tc.ranks)
		if got.Queries != tc.want.Queries || !near(got.Success1, tc.want.Success1) || !near(got.Success3, tc.want.Success3) || !near(got.MRR, tc.want.MRR) {
			t.Errorf("%s: Score = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

package evalset

import "github.com/reel-sh/reel"

// Rank returns the 1-based rank of the first target among the distinct
// sessions of hits, in order: a hit counts for its session, and a session
// ranks where its first hit is. 0 means no target was found.
func Rank(hits []reel.Hit, targets []string) int {
	want := make(map[string]bool, len(targets))
	for _, t := range targets {
		want[t] = true
	}
	seen := map[string]bool{}
	for _, h := range hits {
		if seen[h.SessionID] {
			continue
		}
		seen[h.SessionID] = true
		if want[h.SessionID] {
			return len(seen)
		}
	}
	return 0
}

// Scores are the quality figures of a group of queries.
type Scores struct {
	Queries int `json:"queries"`
	// Success1 and Success3 are the shares of queries whose first target
	// ranks first, or in the top 3.
	Success1 float64 `json:"success_at_1"`
	Success3 float64 `json:"success_at_3"`
	// MRR is the mean reciprocal rank, a miss counting 0.
	MRR float64 `json:"mrr"`
}

// Score computes Scores from ranks as Rank returns them. No ranks give
// zero Scores.
func Score(ranks []int) Scores {
	s := Scores{Queries: len(ranks)}
	if len(ranks) == 0 {
		return s
	}
	for _, r := range ranks {
		if r <= 0 {
			continue
		}
		if r == 1 {
			s.Success1++
		}
		if r <= 3 {
			s.Success3++
		}
		s.MRR += 1 / float64(r)
	}
	n := float64(len(ranks))
	s.Success1 /= n
	s.Success3 /= n
	s.MRR /= n
	return s
}

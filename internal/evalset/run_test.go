package evalset

import (
	"context"
	"errors"
	"testing"

	"github.com/reel-sh/reel"
)

// fakeSearcher stands in for the vector and hybrid searcher, which this
// package cannot build: it answers each query with the sessions hits
// names, and fails as failAt says.
type fakeSearcher struct {
	hits   map[string][]reel.Hit // by query text
	failAt map[string]int        // mode -> 1-based call that fails; 0 never
	calls  map[string]int
}

func (f *fakeSearcher) Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
	f.calls[q.Mode]++
	if n := f.failAt[q.Mode]; n > 0 && f.calls[q.Mode] >= n {
		return nil, errors.New("no vectors yet")
	}
	return f.hits[q.Query.Raw], nil
}

func TestRun_ModesAndFailures(t *testing.T) {
	set := &Set{Seed: 9, Queries: []Query{
		{ID: "a/error", Class: ClassError, Text: "alpha", Targets: []string{"A"}},
		{ID: "b/paraphrase", Class: ClassParaphrase, Text: "beta", Targets: []string{"B"}},
		{ID: "c/error", Class: ClassError, Text: "gamma", Targets: []string{"C"}},
	}}
	f := &fakeSearcher{calls: map[string]int{}, failAt: map[string]int{reel.ModeVector: 1},
		hits: map[string][]reel.Hit{"alpha": hits("A"), "beta": hits("X", "X", "B"), "gamma": hits("X", "Y", "Z", "C")}}
	rep, err := Run(context.Background(), set, RunOptions{Searcher: f, Modes: []string{reel.ModeHybrid, reel.ModeVector, reel.ModeFTS}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Modes) != 3 || rep.Modes[0].Mode != reel.ModeFTS || rep.Modes[2].Mode != reel.ModeHybrid {
		t.Fatalf("modes out of order: %+v", rep.Modes)
	}
	if v := rep.Mode(reel.ModeVector); v.Available || v.Reason != "no vectors yet" {
		t.Errorf("vector: %+v, want unavailable with the searcher's error", v)
	}
	h := rep.Mode(reel.ModeHybrid)
	want := Scores{Queries: 3, Success1: 1.0 / 3, Success3: 2.0 / 3, MRR: (1 + 0.5 + 0.25) / 3}
	if !h.Available || h.Overall.Queries != 3 || !near(h.Overall.MRR, want.MRR) || !near(h.Overall.Success3, want.Success3) || !near(h.Overall.Success1, want.Success1) {
		t.Errorf("hybrid overall %+v, want %+v", h.Overall, want)
	}
	if e := h.ByClass[ClassError]; e.Queries != 2 || !near(e.Success3, 0.5) {
		t.Errorf("hybrid error class %+v", e)
	}
	if got := [3]int{h.Results[0].Rank, h.Results[1].Rank, h.Results[2].Rank}; got != [3]int{1, 2, 4} {
		t.Errorf("ranks %v, want [1 2 4]", got)
	}

	// A failure after the first search is an error, not a missing mode.
	f = &fakeSearcher{calls: map[string]int{}, failAt: map[string]int{reel.ModeFTS: 2}, hits: map[string][]reel.Hit{}}
	if _, err := Run(context.Background(), set, RunOptions{Searcher: f, Modes: []string{reel.ModeFTS}}); err == nil {
		t.Error("Run succeeded although the second search failed")
	}
}

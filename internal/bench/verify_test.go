package bench

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
)

// hitsFor returns n distinct message hits.
func hitsFor(n int) []reel.Hit {
	out := make([]reel.Hit, n)
	for i := range out {
		out[i] = reel.Hit{SessionID: "s", Seq: int64(i), Kind: reel.KindMessage}
	}
	return out
}

func TestCheckCount(t *testing.T) {
	tests := []struct {
		name    string
		hits    []reel.Hit
		err     error
		pass    bool
		got     int
		problem string
	}{
		{"OK", hitsFor(3), nil, true, 3, ""},
		{"ErrTooFew", hitsFor(2), nil, false, 2, ""},
		{"ErrTooMany", hitsFor(4), nil, false, 4, ""},
		{"ErrRepeated", append(hitsFor(2), reel.Hit{SessionID: "s", Seq: 0, Kind: reel.KindMessage}), nil, false, 3, "1 hits repeat an event"},
		{"ErrKind", append(hitsFor(2), reel.Hit{SessionID: "s", Seq: 9, Kind: reel.KindSystem}), nil, false, 3, "1 hits are system events, not messages"},
		{"ErrSearch", nil, errors.New("no such table"), false, 0, "no such table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked reel.SearchQuery
			search := func(_ context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
				asked = q
				return tt.hits, tt.err
			}
			c := checkCount(context.Background(), search, "zqxneedle01", reel.Filter{Sources: []string{"codex"}}, 3)
			if c.Pass != tt.pass || c.Got != tt.got || c.Problem != tt.problem || c.Want != 3 {
				t.Errorf("check = %+v, want pass %v got %d problem %q", c, tt.pass, tt.got, tt.problem)
			}
			// The limit leaves room for hits that should not be there.
			if asked.Filter.Limit <= 3 || asked.Query.String() != "zqxneedle01" || c.Filter != "--source codex" {
				t.Errorf("searched %q with limit %d, filter %q", asked.Query.String(), asked.Filter.Limit, c.Filter)
			}
		})
	}
}

func TestVerify_OK(t *testing.T) {
	m := &corpus.Manifest{
		Sessions: map[string]int{reel.SourceClaudeCode: 3, reel.SourceCodex: 2},
		Needles: []corpus.Needle{
			{Query: "zqxneedle01", Kind: corpus.TermNeedle, Count: 1, BySource: map[string]int{reel.SourceCodex: 1}},
			{Query: "zqxneedle02", Kind: corpus.TermNeedle, Count: 12, BySource: map[string]int{reel.SourceClaudeCode: 12}},
			{Query: `"zorblax quindle"`, Kind: corpus.PhraseNeedle, Count: 10, BySource: map[string]int{reel.SourceClaudeCode: 6, reel.SourceCodex: 4}},
		},
		CommonTerms: []corpus.Term{{Text: "test", Events: 500}},
	}
	// A store that is right about everything but the codex half of the
	// phrase.
	search := func(_ context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
		for _, n := range m.Needles {
			if q.Query.Raw != n.Query {
				continue
			}
			if len(q.Filter.Sources) == 0 {
				return hitsFor(n.Count), nil
			}
			got := n.BySource[q.Filter.Sources[0]]
			if n.Kind == corpus.PhraseNeedle && q.Filter.Sources[0] == reel.SourceCodex {
				got++
			}
			return hitsFor(got), nil
		}
		return hitsFor(min(q.Filter.Limit, 500)), nil
	}
	checks := verify(context.Background(), search, m, 20)
	var lines []string
	for _, c := range checks {
		mark := "ok"
		if !c.Pass {
			mark = "FAIL"
		}
		lines = append(lines, strings.TrimSpace(c.Query+" "+c.Filter)+" "+mark)
	}
	want := []string{
		"zqxneedle01 ok",
		"zqxneedle02 ok",
		"zqxneedle02 --source claude-code ok",
		"zqxneedle02 --source codex ok",
		`"zorblax quindle" ok`,
		`"zorblax quindle" --source claude-code ok`,
		`"zorblax quindle" --source codex FAIL`,
		"test limit 20 ok",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("checks:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

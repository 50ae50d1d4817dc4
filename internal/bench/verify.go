package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
)

// verify searches every needle of m and checks the hits against the
// manifest: the count, once without a filter and once per source for the
// needles found often enough to split; that no event comes twice; and
// that every hit is a message, where the needles were planted. A common
// word searched with limit must return exactly limit hits.
func verify(ctx context.Context, search searchFunc, m *corpus.Manifest, limit int) []Check {
	var out []Check
	sources := sortedKeys(m.Sessions)
	for _, n := range m.Needles {
		out = append(out, checkCount(ctx, search, n.Query, reel.Filter{}, n.Count))
		if n.Count < 10 {
			continue
		}
		for _, src := range sources {
			out = append(out, checkCount(ctx, search, n.Query, reel.Filter{Sources: []string{src}}, n.BySource[src]))
		}
	}
	if len(m.CommonTerms) > 0 && m.CommonTerms[0].Events > int64(limit) {
		out = append(out, checkLimit(ctx, search, m.CommonTerms[0].Text, limit))
	}
	return out
}

// checkCount searches raw with f and a limit above want, and checks that
// exactly want distinct message events come back.
func checkCount(ctx context.Context, search searchFunc, raw string, f reel.Filter, want int) Check {
	c := Check{Query: raw, Filter: describeFilter(f), Want: want}
	f.Limit = want + 10
	hits, err := search(ctx, reel.SearchQuery{Query: reel.ParseQuery(raw), Filter: f})
	if err != nil {
		c.Problem = err.Error()
		return c
	}
	c.Got = len(hits)
	var problems []string
	type key struct {
		session string
		seq     int64
	}
	seen := map[key]bool{}
	dups := 0
	kinds := map[string]int{}
	for _, h := range hits {
		k := key{h.SessionID, h.Seq}
		if seen[k] {
			dups++
		}
		seen[k] = true
		if h.Kind != reel.KindMessage {
			kinds[h.Kind]++
		}
	}
	if dups > 0 {
		problems = append(problems, fmt.Sprintf("%d hits repeat an event", dups))
	}
	for _, k := range sortedKeys(kinds) {
		problems = append(problems, fmt.Sprintf("%d hits are %s events, not messages", kinds[k], k))
	}
	c.Problem = strings.Join(problems, "; ")
	c.Pass = c.Got == want && c.Problem == ""
	return c
}

// checkLimit checks that a search with many more matches than limit
// returns exactly limit hits.
func checkLimit(ctx context.Context, search searchFunc, raw string, limit int) Check {
	c := Check{Query: raw, Filter: fmt.Sprintf("limit %d", limit), Want: limit}
	hits, err := search(ctx, reel.SearchQuery{Query: reel.ParseQuery(raw), Filter: reel.Filter{Limit: limit}})
	if err != nil {
		c.Problem = err.Error()
		return c
	}
	c.Got = len(hits)
	c.Pass = c.Got == limit
	return c
}

// describeFilter renders the filters of f as the command line spells them.
func describeFilter(f reel.Filter) string {
	var parts []string
	for _, s := range f.Sources {
		parts = append(parts, "--source "+s)
	}
	if f.Project != "" {
		parts = append(parts, "--project "+f.Project)
	}
	if !f.Since.IsZero() {
		parts = append(parts, "--since "+f.Since.Format("2006-01-02"))
	}
	return strings.Join(parts, " ")
}

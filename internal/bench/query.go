package bench

import (
	"context"
	"fmt"
	"math"
	"path"
	"slices"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
)

// Query classes, each with its own latency line in the report.
const (
	ClassRare     = "rare"     // a needle found 1 to 10 times
	ClassCommon   = "common"   // one of the most frequent words
	ClassPhrase   = "phrase"   // the needle phrase and common two-word phrases
	ClassPrefix   = "prefix"   // prefix* queries over several words
	ClassFiltered = "filtered" // a common word with a source, project or time filter
)

// searchFunc is a store's Search.
type searchFunc func(context.Context, reel.SearchQuery) ([]reel.Hit, error)

// class is a query class with the searches that stand for it; timed runs
// cycle through them.
type class struct {
	name    string
	queries []reel.SearchQuery
	labels  []string // what each query is, for people
}

func (c *class) add(raw string, f reel.Filter, label string) {
	c.queries = append(c.queries, reel.SearchQuery{Query: reel.ParseQuery(raw), Filter: f})
	if label == "" {
		label = raw
	}
	c.labels = append(c.labels, label)
}

// buildClasses draws each class's searches from the manifest. A class the
// corpus is too small for has no searches and is left out.
func buildClasses(m *corpus.Manifest, limit int) []class {
	rare := class{name: ClassRare}
	common := class{name: ClassCommon}
	phrase := class{name: ClassPhrase}
	prefix := class{name: ClassPrefix}
	filtered := class{name: ClassFiltered}
	lim := reel.Filter{Limit: limit}
	for _, n := range m.Needles {
		switch {
		case n.Kind == corpus.TermNeedle && n.Count >= 1 && n.Count <= 10:
			rare.add(n.Query, lim, "")
		case n.Kind == corpus.PhraseNeedle:
			phrase.add(n.Query, lim, "")
		}
	}
	for _, t := range m.CommonTerms {
		common.add(t.Text, lim, "")
	}
	for _, p := range m.CommonPhrases {
		phrase.add(`"`+p.Text+`"`, lim, "")
	}
	for _, p := range m.Prefixes {
		prefix.add(p, lim, "")
	}
	// Every filter with every common term, interleaved so that a short run
	// still covers each kind of filter.
	var filters []reel.Filter
	var names []string
	for _, src := range sortedKeys(m.Sessions) {
		filters = append(filters, reel.Filter{Sources: []string{src}, Limit: limit})
		names = append(names, "--source "+src)
	}
	for _, p := range m.Projects {
		filters = append(filters, reel.Filter{Project: path.Base(p), Limit: limit})
		names = append(names, "--project "+path.Base(p))
	}
	filters = append(filters, reel.Filter{Since: m.End.Add(-7 * 24 * time.Hour), Limit: limit})
	names = append(names, "--since 7d")
	for i := 0; i < len(m.CommonTerms)*len(filters); i++ {
		t := m.CommonTerms[i%len(m.CommonTerms)].Text
		filtered.add(t, filters[i%len(filters)], t+" "+names[i%len(filters)])
	}
	var out []class
	for _, c := range []class{rare, common, phrase, prefix, filtered} {
		if len(c.queries) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// measure runs n searches of c, cycling through its queries, and returns
// their latencies. A failing search stops it: a store that cannot answer
// has no latency worth reporting.
func measure(ctx context.Context, search searchFunc, c class, n int) (Latency, error) {
	times := make([]time.Duration, 0, n)
	var hits int
	for i := range n {
		q := c.queries[i%len(c.queries)]
		start := time.Now()
		h, err := search(ctx, q)
		times = append(times, time.Since(start))
		if err != nil {
			return Latency{}, fmt.Errorf("search %s %q: %w", c.name, c.labels[i%len(c.queries)], err)
		}
		hits += len(h)
	}
	return newLatency(c.name, times, min(n, len(c.queries)), hits), nil
}

// newLatency summarises the durations of one class's searches.
func newLatency(name string, times []time.Duration, distinct, hits int) Latency {
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	l := Latency{
		Class: name, Queries: len(times), Distinct: distinct,
		P50: ms(percentile(sorted, 50)), P95: ms(percentile(sorted, 95)),
		P99: ms(percentile(sorted, 99)), Max: ms(percentile(sorted, 100)),
	}
	if len(times) > 0 {
		l.MeanHits = float64(hits) / float64(len(times))
	}
	return l
}

// percentile returns the p-th percentile of sorted durations by the
// nearest-rank method: the smallest value that at least p% of the values
// do not exceed. It is one of the measured values, never an interpolation.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

package sqlite

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	gencorpus "github.com/reel-sh/reel/internal/corpus"
)

// TestStore_SearchTiming times, on a database built by reel sync from a
// generated corpus, the query shapes the bench command measures; then it
// checks that the newest hits of the prefix and filtered searches are
// those FTS5 and SQL find the plain way, and the corpus's needle counts.
// It runs only with $REEL_SEARCH_DB set to the database file and
// $REEL_SEARCH_CORPUS to the corpus folder (the one holding
// manifest.json); the database may gain migrations, so it should be a
// copy. $REEL_SEARCH_RUNS sets the searches per class (100), and
// $REEL_SEARCH_VERBOSE logs each query's latency.
func TestStore_SearchTiming(t *testing.T) {
	dbPath, home := os.Getenv("REEL_SEARCH_DB"), os.Getenv("REEL_SEARCH_CORPUS")
	if dbPath == "" || home == "" {
		t.Skip("set REEL_SEARCH_DB and REEL_SEARCH_CORPUS to time searches on a real database")
	}
	m, err := gencorpus.ReadManifest(home)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, filepath.Clean(dbPath))
	ctx := context.Background()
	const limit = 20
	runs := envInt("REEL_SEARCH_RUNS", 100)

	type query struct {
		label string
		q     reel.SearchQuery
	}
	classes := map[string][]query{}
	add := func(class, raw string, f reel.Filter, label string) {
		if label == "" {
			label = raw
		}
		f.Limit = limit
		classes[class] = append(classes[class], query{label, reel.SearchQuery{Query: reel.ParseQuery(raw), Filter: f}})
	}
	for _, n := range m.Needles {
		switch {
		case n.Kind == gencorpus.TermNeedle && n.Count >= 1 && n.Count <= 10:
			add("rare", n.Query, reel.Filter{}, "")
		case n.Kind == gencorpus.PhraseNeedle:
			add("phrase", n.Query, reel.Filter{}, "")
		}
	}
	for _, c := range m.CommonTerms {
		add("common", c.Text, reel.Filter{}, "")
	}
	for _, p := range m.CommonPhrases {
		add("phrase", `"`+p.Text+`"`, reel.Filter{}, "")
	}
	for _, p := range m.Prefixes {
		add("prefix", p, reel.Filter{}, "")
	}
	var filters []reel.Filter
	var names []string
	var sources []string
	for src := range m.Sessions {
		sources = append(sources, src)
	}
	slices.Sort(sources)
	for _, src := range sources {
		filters = append(filters, reel.Filter{Sources: []string{src}})
		names = append(names, "--source "+src)
	}
	for _, p := range m.Projects {
		filters = append(filters, reel.Filter{Project: path.Base(p)})
		names = append(names, "--project "+path.Base(p))
	}
	filters = append(filters, reel.Filter{Since: m.End.Add(-7 * 24 * time.Hour)})
	names = append(names, "--since 7d")
	for i := 0; i < len(m.CommonTerms)*len(filters); i++ {
		term := m.CommonTerms[i%len(m.CommonTerms)].Text
		add("filtered", term, filters[i%len(filters)], term+" "+names[i%len(filters)])
	}

	for _, class := range []string{"rare", "common", "phrase", "prefix", "filtered"} {
		qs := classes[class]
		if len(qs) == 0 {
			continue
		}
		var all []time.Duration
		per := map[string][]time.Duration{}
		for i := range runs {
			qq := qs[i%len(qs)]
			t0 := time.Now()
			if _, err := s.Search(ctx, qq.q); err != nil {
				t.Fatalf("%s %q: %v", class, qq.label, err)
			}
			d := time.Since(t0)
			all = append(all, d)
			per[qq.label] = append(per[qq.label], d)
		}
		t.Logf("%-8s p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms", class, pct(all, 50), pct(all, 95), pct(all, 100))
		if os.Getenv("REEL_SEARCH_VERBOSE") != "" {
			for _, qq := range qs {
				if d := per[qq.label]; len(d) > 0 {
					t.Logf("    %-40s p50 %6.2f ms  max %6.2f ms", qq.label, pct(d, 50), pct(d, 100))
				}
			}
		}
	}

	// The newest hits are exactly the newest matches that FTS5 finds for
	// the query as typed, checked against the filters one by one.
	for _, class := range []string{"prefix", "filtered"} {
		for _, qq := range classes[class] {
			hits, err := s.Search(ctx, qq.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) < limit || hits[0].Score != 0 {
				continue // ranked: not the newest
			}
			want := bruteNewest(t, s, ftsQuery(qq.q.Query.Root, nil), qq.q.Filter, limit)
			if got := hitKeys(hits); !slices.Equal(got, want) {
				t.Errorf("%s %q: hits %v\nwant %v", class, qq.label, got, want)
			}
		}
	}

	// The needles: every match when the limit is above the count, once
	// in all and once per source.
	for _, n := range m.Needles {
		check := func(f reel.Filter, want int) {
			f.Limit = want + 10
			hits, err := s.Search(ctx, reel.SearchQuery{Query: reel.ParseQuery(n.Query), Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, h := range hits {
				k := fmt.Sprint(h.SessionID, h.Seq)
				if seen[k] || h.Kind != reel.KindMessage {
					t.Errorf("%q %+v: hit %s repeated or not a message (%s)", n.Query, f, k, h.Kind)
				}
				seen[k] = true
			}
			if len(hits) != want {
				t.Errorf("%q %+v: %d hits, want %d", n.Query, f.Sources, len(hits), want)
			}
		}
		check(reel.Filter{}, n.Count)
		if n.Count >= 10 {
			for _, src := range sources {
				check(reel.Filter{Sources: []string{src}}, n.BySource[src])
			}
		}
	}
}

// pct returns the p-th percentile of ds in milliseconds, by nearest rank.
func pct(ds []time.Duration, p float64) float64 {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := int(p/100*float64(len(sorted)) + 0.9999)
	return float64(sorted[min(max(rank, 1), len(sorted))-1]) / float64(time.Millisecond)
}

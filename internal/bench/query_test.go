package bench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
)

func durations(ms ...int) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, m := range ms {
		out[i] = time.Duration(m) * time.Millisecond
	}
	return out
}

func TestPercentile_OK(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", durations(7), 99, 7 * time.Millisecond},
		{"median of odd", durations(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"median of even takes the lower", durations(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p95 of 100", hundred, 95, 95 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"max", hundred, 100, 100 * time.Millisecond},
		{"p99 of 10 is the max", durations(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p0 is the min", durations(4, 5), 0, 4 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestNewLatency_OK(t *testing.T) {
	l := newLatency("rare", durations(9, 1, 5, 3, 7), 3, 10)
	want := Latency{Class: "rare", Queries: 5, Distinct: 3, P50: 5, P95: 9, P99: 9, Max: 9, MeanHits: 2}
	if l != want {
		t.Fatalf("newLatency = %+v, want %+v", l, want)
	}
}

func TestMeasure_OK(t *testing.T) {
	c := class{name: "x"}
	c.add("alpha", reel.Filter{Limit: 5}, "")
	c.add("beta", reel.Filter{Limit: 5}, "")
	var seen []string
	search := func(_ context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
		seen = append(seen, q.Query.Raw)
		return make([]reel.Hit, q.Filter.Limit), nil
	}
	l, err := measure(context.Background(), search, c, 5)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, " ") != "alpha beta alpha beta alpha" || l.Queries != 5 || l.Distinct != 2 || l.MeanHits != 5 {
		t.Fatalf("searched %v, latency %+v", seen, l)
	}
	t.Run("ErrSearch", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := measure(context.Background(), func(context.Context, reel.SearchQuery) ([]reel.Hit, error) { return nil, boom }, c, 3)
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), `"alpha"`) {
			t.Fatalf("err = %v, want boom naming the query", err)
		}
	})
}

func TestBuildClasses_OK(t *testing.T) {
	m, err := corpus.Generate(t.TempDir()+"/home", corpus.Options{Events: 3000, Seed: 9, CodexShare: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	classes := buildClasses(m, 20)
	byName := map[string]class{}
	for _, c := range classes {
		byName[c.name] = c
		for i, q := range c.queries {
			if q.Query.Empty() || q.Filter.Limit != 20 {
				t.Errorf("%s query %q: empty or limit %d", c.name, c.labels[i], q.Filter.Limit)
			}
		}
	}
	for _, name := range []string{ClassRare, ClassCommon, ClassPhrase, ClassPrefix, ClassFiltered} {
		if len(byName[name].queries) == 0 {
			t.Errorf("class %s has no queries", name)
		}
	}
	counts := map[string]int{}
	for _, n := range m.Needles {
		counts[n.Query] = n.Count
	}
	for _, q := range byName[ClassRare].queries {
		if c := counts[q.Query.Raw]; c < 1 || c > 10 {
			t.Errorf("rare query %q has %d hits", q.Query.Raw, c)
		}
	}
	var phrases int
	for _, q := range byName[ClassPhrase].queries {
		if q.Query.Root.Op == reel.OpPhrase {
			phrases++
		}
	}
	if phrases != len(byName[ClassPhrase].queries) {
		t.Errorf("%d of %d phrase queries are phrases", phrases, len(byName[ClassPhrase].queries))
	}
	var sources, projects, since int
	for _, q := range byName[ClassFiltered].queries {
		switch {
		case len(q.Filter.Sources) == 1:
			sources++
		case q.Filter.Project != "":
			projects++
		case q.Filter.Since.Equal(m.End.Add(-7 * 24 * time.Hour)):
			since++
		default:
			t.Errorf("filtered query %q has no filter", q.Query.Raw)
		}
	}
	if sources == 0 || projects == 0 || since == 0 {
		t.Errorf("filtered queries: %d by source, %d by project, %d by time", sources, projects, since)
	}
}

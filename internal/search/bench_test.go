package search

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
)

// BenchmarkHybrid times searches through a Searcher over a generated
// corpus of REEL_BENCH_EVENTS events (default 20000) synced into SQLite
// and embedded with the test's fake 384-dim embedder (which stands in for
// a model's cost here, not its quality). REEL_BENCH_DIR keeps the corpus
// and database between runs; REEL_BENCH_K sets Options.K. It reports p50 and p95 per mode.
func BenchmarkHybrid(b *testing.B) {
	n := 20000
	if s := os.Getenv("REEL_BENCH_EVENTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := os.Getenv("REEL_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	ctx := context.Background()
	home := filepath.Join(dir, "home")
	dbPath := filepath.Join(dir, "reel.db")
	m, err := corpus.ReadManifest(home)
	if err != nil || m.Requested != n {
		os.RemoveAll(home)
		os.Remove(dbPath)
		if m, err = corpus.Generate(home, corpus.Options{Events: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	if _, err := syncer.Run(ctx, syncer.Options{Store: st, Sources: []syncer.Source{
		{Importer: ingest.NewClaude(), Root: home + "/.claude/projects"},
		{Importer: ingest.NewCodex(), Root: home + "/.codex/sessions"},
	}}); err != nil {
		b.Fatal(err)
	}
	b.Logf("sync %v", time.Since(start))
	e := &fakeEmbedder{dim: 384}
	start = time.Now()
	if err := EmbedPending(ctx, st, e, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("embed %v", time.Since(start))
	k, _ := strconv.Atoi(os.Getenv("REEL_BENCH_K")) // the fusion's list depth; 0 is the default
	s := New(st, Options{Embedder: e, K: k})
	start = time.Now()
	size, err := s.Refresh(ctx, true)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("index of %d vectors loaded in %v", size, time.Since(start))
	var queries []string
	for _, nd := range m.Needles {
		queries = append(queries, nd.Query)
	}
	for _, t := range append(m.CommonTerms, m.CommonPhrases...) {
		q := t.Text
		if len(strings.Fields(q)) > 1 {
			q = `"` + q + `"`
		}
		queries = append(queries, q)
	}
	for _, mode := range []string{reel.ModeFTS, reel.ModeVector, reel.ModeHybrid} {
		b.Run(mode, func(b *testing.B) {
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				q := reel.SearchQuery{Query: reel.ParseQuery(queries[i%len(queries)]), Mode: mode,
					PerSession: 3, Filter: reel.Filter{Limit: 20}}
				t0 := time.Now()
				if _, err := s.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/postgres/pgtest"
)

// The corpus and the search classes are the SQLite store's
// (internal/sqlite/bench_test.go), so that the figures compare.
//
// The benchmark corpus is synthetic but shaped like agent sessions: words
// drawn from a Zipf distribution over a large vocabulary, plus planted
// words whose document frequencies are known:
//
//	error           in 30% of events (the common term)
//	flaky migration as a phrase in 1%, with "flaky" and "migration" alone in 3% each
//	migrate, migrated, migrations, migrating   0.5% each (the prefix migrat*)
//	xylophonic      in 10 events (the rare term)
//
// Kinds, roles, sources (2) and projects (20) vary per event and session.
//
// Each session has 500 events (or one batch, if larger), written in
// batches of $REEL_BENCH_BATCH events (250 by default). BenchmarkStore_Apply
// passes $REEL_BENCH_GROUP batches (1 by default) to each Apply, as the
// syncer does with the batches its workers queue up.
var (
	benchPerBatch   = envInt("REEL_BENCH_BATCH", 250)
	benchPerSession = max(500, benchPerBatch)
	benchGroup      = envInt("REEL_BENCH_GROUP", 1)
)

var benchKinds = []struct {
	kind, role string
	weight     int
}{
	{reel.KindMessage, reel.RoleUser, 10},
	{reel.KindMessage, reel.RoleAssistant, 20},
	{reel.KindToolCall, reel.RoleAssistant, 25},
	{reel.KindToolResult, reel.RoleTool, 25},
	{reel.KindReasoning, reel.RoleAssistant, 15},
	{reel.KindSystem, reel.RoleSystem, 5},
}

// corpus generates the benchmark's batches deterministically.
type corpus struct {
	rng   *rand.Rand
	vocab []string
	zipf  *rand.Zipf
	total int // events to generate
	rare  map[int]bool
}

func newCorpus(total int) *corpus {
	rng := rand.New(rand.NewPCG(1, 2))
	c := &corpus{rng: rng, total: total, rare: map[int]bool{}}
	letters := "abcdefghijklmnopqrstuvwxyz"
	seen := map[string]bool{}
	for len(c.vocab) < 50000 {
		n := 2 + rng.IntN(9)
		var b strings.Builder
		for range n {
			b.WriteByte(letters[rng.IntN(len(letters))])
		}
		w := b.String()
		if !seen[w] && !strings.HasPrefix(w, "migrat") && w != "error" && w != "flaky" {
			seen[w] = true
			c.vocab = append(c.vocab, w)
		}
	}
	c.zipf = rand.NewZipf(rng, 1.1, 2, uint64(len(c.vocab)-1))
	for len(c.rare) < 10 {
		c.rare[rng.IntN(total)] = true
	}
	return c
}

func (c *corpus) text(n int) string {
	words := make([]string, 10+c.rng.IntN(50))
	for i := range words {
		words[i] = c.vocab[c.zipf.Uint64()]
	}
	plant := func(p float64, w string) {
		if c.rng.Float64() < p {
			words[c.rng.IntN(len(words))] = w
		}
	}
	plant(0.30, "error")
	plant(0.03, "flaky")
	plant(0.03, "migration")
	plant(0.01, "flaky migration")
	for _, w := range []string{"migrate", "migrated", "migrations", "migrating"} {
		plant(0.005, w)
	}
	if c.rare[n] {
		words[0] = "xylophonic"
	}
	return strings.Join(words, " ")
}

// batches calls fn with every batch of the corpus, in order.
func (c *corpus) batches(fn func(*reel.Batch) error) error {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for s := 0; n < c.total; s++ {
		source := reel.SourceClaudeCode
		if s%2 == 1 {
			source = reel.SourceCodex
		}
		ss := reel.Session{
			ID: reel.SessionID(source, fmt.Sprintf("bench-%d", s)), Source: source,
			NativeID: fmt.Sprintf("bench-%d", s), Title: fmt.Sprintf("bench session %d", s),
			Project: fmt.Sprintf("/home/dev/src/proj-%d", s%20), Status: reel.StatusCompleted,
			StartedAt: t0.Add(time.Duration(s) * time.Hour), Path: fmt.Sprintf("/logs/bench-%d.jsonl", s),
		}
		var offset int64
		for from := 0; from < benchPerSession && n < c.total; from += benchPerBatch {
			b := &reel.Batch{Session: ss, FromRaw: int64(from), FromSeq: int64(from)}
			for seq := from; seq < from+benchPerBatch && n < c.total; seq++ {
				k := c.kind()
				text := c.text(n)
				tm := ss.StartedAt.Add(time.Duration(seq) * time.Second)
				line := fmt.Sprintf(`{"type":%q,"uuid":"%08x-bench","timestamp":%q,"sessionId":%q,"cwd":%q,"message":{"role":%q,"content":[{"type":"text","text":%q}]}}`+"\n",
					k.kind, n, tm.Format(time.RFC3339Nano), ss.NativeID, ss.Project, k.role, text)
				b.Raw = append(b.Raw, reel.RawRecord{Index: int64(seq), Offset: offset, Data: []byte(line), Type: k.kind, Status: reel.RecordOK})
				offset += int64(len(line))
				b.Events = append(b.Events, reel.Event{SessionID: ss.ID, Seq: int64(seq), Time: tm, Kind: k.kind,
					Role: k.role, Text: text, RawIndex: int64(seq), NativeID: fmt.Sprintf("%08x-bench", n)})
				n++
			}
			ss.EndedAt = b.Events[len(b.Events)-1].Time
			b.Session = ss
			b.Session.EventCount = b.Events[len(b.Events)-1].Seq + 1
			b.Cursor = reel.Cursor{Path: ss.Path, Source: source, SessionID: ss.ID, Offset: offset,
				NextRaw: b.Session.EventCount, NextSeq: b.Session.EventCount}
			if err := fn(b); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *corpus) kind() struct {
	kind, role string
	weight     int
} {
	r := c.rng.IntN(100)
	for _, k := range benchKinds {
		if r < k.weight {
			return k
		}
		r -= k.weight
	}
	return benchKinds[0]
}

// benchEvents is the corpus size: $REEL_BENCH_EVENTS, 200000 by default.
func benchEvents(b *testing.B) int { return envInt("REEL_BENCH_EVENTS", 200000) }

// envInt returns the integer in $name, or def when it is unset or not a
// positive number.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func BenchmarkStore_Apply(b *testing.B) {
	ctx := context.Background()
	n := benchEvents(b)
	var batches []*reel.Batch
	newCorpus(n).batches(func(bt *reel.Batch) error { batches = append(batches, bt); return nil })
	base := pgtest.URL(b)
	b.ResetTimer()
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		s := openURL(b, pgtest.Schema(b, base))
		b.StartTimer()
		t0 := time.Now()
		for i := 0; i < len(batches); i += benchGroup {
			if err := s.Apply(ctx, batches[i:min(i+benchGroup, len(batches))]...); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(t0)
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
}

// benchStore returns a store holding the corpus. With $REEL_BENCH_SCHEMA
// set, the corpus is kept in schema $REEL_BENCH_SCHEMA_<events> and
// reused by later runs of the same size; otherwise it is built in a
// schema of its own, dropped at the end.
func benchStore(b *testing.B) *Store {
	ctx := context.Background()
	n := benchEvents(b)
	base := pgtest.URL(b)
	var u string
	if name := os.Getenv("REEL_BENCH_SCHEMA"); name == "" {
		u = pgtest.Schema(b, base)
	} else {
		p, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		q := p.Query()
		q.Set("schema", name+"_"+strconv.Itoa(n))
		p.RawQuery = q.Encode()
		u = p.String()
	}
	s := openURL(b, u)
	var have int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have != int64(n) {
		if _, err := s.pool.Exec(ctx, `TRUNCATE sessions, events, raw_records, cursors`); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := newCorpus(n).batches(func(bt *reel.Batch) error { return s.Apply(ctx, bt) }); err != nil {
			b.Fatal(err)
		}
		// A fresh table has no statistics yet; autovacuum would gather
		// them within a minute.
		if _, err := s.pool.Exec(ctx, `VACUUM ANALYZE events`); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d events in %v", n, time.Since(t0))
	}
	return s
}

func BenchmarkStore_Search(b *testing.B) {
	s := benchStore(b)
	classes := []struct {
		name  string
		query string
		f     reel.Filter
	}{
		{"rare", "xylophonic", reel.Filter{}},
		{"common", "error", reel.Filter{}},
		{"phrase", `"flaky migration"`, reel.Filter{}},
		{"prefix", "migrat*", reel.Filter{}},
		{"and", "flaky error", reel.Filter{}},
		{"or", "flaky OR migration OR xylophonic", reel.Filter{}},
		{"filtered", "error", reel.Filter{Sources: []string{reel.SourceCodex}, Kinds: []string{reel.KindToolResult}}},
		{"filtered-project", "error", reel.Filter{Project: "proj-7"}},
		{"filtered-ranked", `"flaky migration"`, reel.Filter{Sources: []string{reel.SourceCodex}, Kinds: []string{reel.KindSystem}}},
		{"filtered-session", "error", reel.Filter{SessionID: reel.SessionID(reel.SourceClaudeCode, "bench-10")}},
		{"filtered-since", "migration", reel.Filter{Since: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)}},
	}
	for _, c := range classes {
		b.Run(c.name, func(b *testing.B) {
			q := reel.SearchQuery{Query: reel.ParseQuery(c.query), Filter: c.f}
			var lat []time.Duration
			hits := 0
			for b.Loop() {
				t0 := time.Now()
				hs, err := s.Search(context.Background(), q)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				hits = len(hs)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(hits), "hits")
		})
	}
}

package tui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
)

// benchStore opens the store named by $REEL_TUI_BENCH_DB (for instance
// the reel.db that `reel bench --events 1000000 --dir D` leaves in D), or
// else syncs a generated corpus of 20,000 events into a new one.
func benchStore(b *testing.B) reel.Store {
	b.Helper()
	ctx := context.Background()
	if p := os.Getenv("REEL_TUI_BENCH_DB"); p != "" {
		st, err := sqlite.Open(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	dir := b.TempDir()
	home := filepath.Join(dir, "home")
	if _, err := corpus.Generate(home, corpus.Options{Events: 20000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "reel.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := syncer.Run(ctx, syncer.Options{Store: st, Sources: []syncer.Source{
		{Importer: ingest.NewClaude(), Root: home + "/.claude/projects"},
		{Importer: ingest.NewCodex(), Root: home + "/.codex/sessions"},
	}}); err != nil {
		b.Fatal(err)
	}
	return st
}

// typed are queries as a person types them, one keystroke at a time:
// every prefix is searched.
var typed = []string{"connection pool", "flaky migration", "race condition", "ENOSPC", "internal/store", "zqxneedle05"}

// BenchmarkKeystrokeToResults times one keystroke through the model: the
// key's Update, the search it starts (the debounce skipped: it is a fixed
// wait that Options.Debounce sets), the results' Update, the preview's
// load and Update, and the View that draws them. It reports the median
// and 95th percentile per keystroke besides the mean.
func BenchmarkKeystrokeToResults(b *testing.B) {
	st := benchStore(b)
	var ks []string // the text after each keystroke
	for _, q := range typed {
		for i := range len(q) {
			ks = append(ks, q[:i+1])
		}
	}
	m := New(Options{Searcher: st, Store: st, Debounce: time.Hour})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	// whole: the keystrokes whose query has no unfinished prefix.
	var all, whole []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		text := ks[i%len(ks)]
		start := time.Now()
		m.input.SetValue(text[:len(text)-1])
		m.Update(key(text[len(text)-1:]))
		run(b, m, m.search(m.gen))
		_ = m.View()
		d := time.Since(start)
		all = append(all, d)
		if asYouType(text) == text {
			whole = append(whole, d)
		}
	}
	b.StopTimer()
	report := func(ds []time.Duration, prefix string) {
		if len(ds) == 0 {
			return
		}
		slices.Sort(ds)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(ms(ds[len(ds)/2]), prefix+"p50-ms")
		b.ReportMetric(ms(ds[len(ds)*95/100]), prefix+"p95-ms")
		b.ReportMetric(ms(ds[len(ds)-1]), prefix+"max-ms")
	}
	report(all, "")
	report(whole, "whole-")
}

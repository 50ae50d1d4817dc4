package search

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/vecstore"
)

var base = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func openStore(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "reel.db")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// write stores a session of source whose events hold texts from seq from on.
func write(t testing.TB, st reel.Store, source, native, project string, from int64, texts ...string) string {
	t.Helper()
	ss := reel.Session{ID: reel.SessionID(source, native), Source: source, NativeID: native, Project: project,
		Title: "session " + native, StartedAt: base}
	b := &reel.Batch{Session: ss, FromRaw: from, FromSeq: from}
	for i, text := range texts {
		seq := from + int64(i)
		b.Raw = append(b.Raw, reel.RawRecord{Index: seq, Offset: seq * 100, Data: []byte(fmt.Sprintf("{\"n\":%d}\n", seq)), Status: reel.RecordOK})
		b.Events = append(b.Events, reel.Event{SessionID: ss.ID, Seq: seq, Time: base.Add(time.Duration(seq) * time.Second),
			Kind: reel.KindMessage, Role: reel.RoleUser, Text: text, RawIndex: seq})
	}
	b.Session.EventCount = from + int64(len(texts))
	if err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return ss.ID
}

func coverage(t *testing.T, st reel.Store, model string) vecstore.Coverage {
	t.Helper()
	c, err := st.(vecstore.Store).VectorCoverage(context.Background(), model)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmbedPendingResumes(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	var texts []string
	for i := range 3*EmbedBatch + 5 {
		texts = append(texts, fmt.Sprintf("event number %d about topic%d", i, i%9))
	}
	write(t, st, "claude-code", "big", "/src/a", 0, texts...)
	write(t, st, "codex", "empty", "/src/b", 0, "", "")
	e := &fakeEmbedder{dim: 32}
	// Stop after the first committed batch.
	cctx, cancel := context.WithCancel(ctx)
	var seen []int64
	err := EmbedPending(cctx, st, e, func(done, total int64) {
		seen = append(seen, done)
		if total != int64(len(texts)) {
			t.Errorf("total = %d, want %d (events without text are not counted)", total, len(texts))
		}
		if done >= EmbedBatch {
			cancel()
		}
	})
	if err != context.Canceled {
		t.Fatalf("cancelled run = %v", err)
	}
	if c := coverage(t, st, e.Model().ID); c.Embedded != EmbedBatch {
		t.Fatalf("after a stopped run: %+v, want one batch (%d) kept", c, EmbedBatch)
	}
	var last, total int64
	if err := EmbedPending(ctx, st, e, func(d, tt int64) { last, total = d, tt }); err != nil {
		t.Fatal(err)
	}
	if want := int64(len(texts) - EmbedBatch); last != want || total != want {
		t.Fatalf("resumed run embedded %d of %d, want %d", last, total, want)
	}
	if c := coverage(t, st, e.Model().ID); c.Fraction() != 1 {
		t.Fatalf("coverage after resume = %+v", c)
	}
	// Nothing is left: a third run embeds nothing.
	calls := e.calls.Load()
	if err := EmbedPending(ctx, st, e, nil); err != nil || e.calls.Load() != calls {
		t.Fatalf("third run: %v, %d embed calls", err, e.calls.Load()-calls)
	}
	// The embedder's error comes back as it is.
	write(t, st, "codex", "later", "/src/b", 0, "a new event")
	bad := &fakeEmbedder{dim: 32, fail: reel.Errorf(reel.EUNSUPPORT, "model not pulled")}
	if err := EmbedPending(ctx, st, bad, nil); reel.ErrorCode(err) != reel.EUNSUPPORT {
		t.Fatalf("failing embedder = %v, want EUNSUPPORT", err)
	}
}

func query(s string, mode string) reel.SearchQuery {
	return reel.SearchQuery{Query: reel.ParseQuery(s), Mode: mode, Filter: reel.Filter{Limit: 10}, Explain: true}
}

func TestSearchModes(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	long := write(t, st, "claude-code", "long", "/src/app", 0,
		"the database migration failed on the users table",
		"retrying the database migration with a lock timeout",
		"database migration rollback then forward again",
		"database migration finished after vacuum",
		"database migration notes for the release")
	other := write(t, st, "codex", "other", "/src/web", 0, "css grid layout for the dashboard", "database migration in staging")
	third := write(t, st, "codex", "third", "/src/cli", 0, "flaky test in the parser package")

	// With no embedder everything is full-text, and explicit vector modes say why not.
	plain := New(st, Options{})
	r, err := plain.SearchWithInfo(ctx, query("database migration", ""))
	if err != nil || r.Mode != reel.ModeFTS || len(r.Hits) != 6 {
		t.Fatalf("no embedder: mode %q, %d hits, %v", r.Mode, len(r.Hits), err)
	}
	for _, mode := range []string{reel.ModeVector, reel.ModeHybrid} {
		_, err := plain.Search(ctx, query("database", mode))
		if reel.ErrorCode(err) != reel.EUNSUPPORT || reel.ErrorHint(err) == "" {
			t.Fatalf("mode %s without embedder = %v, want EUNSUPPORT with a hint", mode, err)
		}
	}
	if _, err := plain.Search(ctx, query("x", "semantic")); reel.ErrorCode(err) != reel.EINVALID {
		t.Fatalf("unknown mode = %v", err)
	}

	e := &fakeEmbedder{dim: 64}
	s := New(st, Options{Embedder: e})
	// Before anything is embedded, "" is full-text.
	if r, _ := s.SearchWithInfo(ctx, query("database", "")); r.Mode != reel.ModeFTS {
		t.Fatalf("mode before embedding = %q", r.Mode)
	}
	if err := EmbedPending(ctx, st, e, nil); err != nil {
		t.Fatal(err)
	}
	r, err = s.SearchWithInfo(ctx, query("flaky parser", ""))
	if err != nil || r.Mode != reel.ModeHybrid || r.Model != e.Model().ID {
		t.Fatalf("after embedding: mode %q model %q, %v", r.Mode, r.Model, err)
	}
	if h := r.Hits[0]; h.SessionID != third || h.Explain == nil || h.Explain.FTSRank != 1 || h.Explain.VectorRank != 1 ||
		h.Explain.Model != e.Model().ID || h.Explain.Mode != reel.ModeHybrid {
		t.Fatalf("hybrid top hit = %+v explain %+v", h, h.Explain)
	}
	// Vector mode finds words the full-text index would need all of.
	r, err = s.SearchWithInfo(ctx, query("dashboard layout spreadsheet", reel.ModeVector))
	if err != nil || r.Hits[0].SessionID != other || r.Hits[0].Seq != 0 || r.Hits[0].Explain.FTSRank != 0 ||
		r.Hits[0].Snippet == "" || r.Hits[0].Title != "session other" || r.Hits[0].Source != "codex" {
		t.Fatalf("vector hit = %+v, %v", r.Hits, err)
	}
	// The per-session cap keeps the long session from filling the page,
	// and a session's hits stay together.
	q := query("database migration", reel.ModeHybrid)
	q.PerSession = 2
	hits, err := s.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for i, h := range hits {
		per[h.SessionID]++
		if i > 0 && h.SessionID != hits[i-1].SessionID && per[h.SessionID] > 1 {
			t.Fatalf("hits of %s not together: %+v", h.SessionID, hits)
		}
	}
	for sid, n := range per {
		if n > 2 {
			t.Fatalf("session %s has %d hits, cap 2", sid, n)
		}
	}
	if per[long] != 2 || per[other] == 0 {
		t.Fatalf("per-session counts %v, want long 2 and other present", per)
	}
	// Filters hold in vector mode.
	q = query("database migration", reel.ModeVector)
	q.Filter.Sources = []string{"codex"}
	hits, _ = s.Search(ctx, q)
	for _, h := range hits {
		if h.Source != "codex" {
			t.Fatalf("source filter let through %+v", h)
		}
	}
	// A re-read discards events: their vectors do not answer any more.
	write(t, st, "codex", "other", "/src/web", 0, "completely different words now")
	if _, err := s.Refresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	hits, _ = s.Search(ctx, query("dashboard layout", reel.ModeVector))
	for _, h := range hits {
		if h.SessionID == other && h.Seq == 1 {
			t.Fatalf("a discarded event answered: %+v", h)
		}
	}
	// An embedder that fails: "" falls back with a notice, explicit modes fail.
	e.fail = reel.Errorf(reel.EUNSUPPORT, "endpoint down")
	r, err = s.SearchWithInfo(ctx, query("database", ""))
	if err != nil || r.Mode != reel.ModeFTS || r.Notice == "" || len(r.Hits) == 0 {
		t.Fatalf("fallback = %+v, %v", r, err)
	}
	if _, err := s.Search(ctx, query("database", reel.ModeHybrid)); reel.ErrorCode(err) != reel.EUNSUPPORT {
		t.Fatalf("hybrid with a failing embedder = %v", err)
	}
	cov, err := s.Coverage(ctx)
	if err != nil || cov.Model != e.Model().ID || cov.Embedded != 6 || cov.Total != 7 {
		t.Fatalf("coverage = %+v, %v, want 6 of 7 (the re-read event is not embedded)", cov, err)
	}
}

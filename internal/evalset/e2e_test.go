package evalset_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/evalset"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
)

// TestRun_FTS syncs a small corpus through the real importers into a real
// SQLite store and scores full-text search on it.
func TestRun_FTS(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	set, err := evalset.Generate(filepath.Join(dir, "home"), evalset.Options{Seed: 7, Stories: 15})
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "reel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec, err := syncer.Run(ctx, syncer.Options{Store: store, Sources: []syncer.Source{
		{Importer: ingest.NewClaude(), Root: filepath.Join(set.Home, ".claude", "projects")},
		{Importer: ingest.NewCodex(), Root: filepath.Join(set.Home, ".codex", "sessions")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.SessionsInserted != len(set.Sessions) || rec.SkippedRecords != 0 {
		t.Fatalf("sync: %d sessions inserted, %d records skipped; want %d and 0", rec.SessionsInserted, rec.SkippedRecords, len(set.Sessions))
	}
	codex := 0
	for _, s := range set.Sessions {
		if _, err := store.Session(ctx, s.ID); err != nil {
			t.Fatalf("session %s (%s): %v", s.ID, s.Path, err)
		}
		if s.Source != reel.SourceCodex {
			continue
		}
		codex++
		// The importer must read the shell output out of its JSON wrapper,
		// as it does for the client's own files.
		evs, err := store.Events(ctx, s.ID, reel.Filter{Kinds: []string{reel.KindToolResult}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if strings.HasPrefix(e.Text, `{"output"`) {
				t.Errorf("%s #%d: tool output kept as JSON: %.60q", s.Path, e.Seq, e.Text)
			}
		}
	}
	if codex == 0 || codex == len(set.Sessions) {
		t.Errorf("%d of %d sessions are Codex rollouts; want both clients", codex, len(set.Sessions))
	}
	rep, err := evalset.Run(ctx, set, evalset.RunOptions{Searcher: store, Modes: []string{reel.ModeFTS},
		Unavailable: map[string]string{reel.ModeVector: "not built", reel.ModeHybrid: "not built"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Modes) != 3 || rep.Mode(reel.ModeVector).Available || rep.Mode(reel.ModeHybrid).Available {
		t.Fatalf("modes: %+v", rep.Modes)
	}
	fts := rep.Mode(reel.ModeFTS)
	if !fts.Available || fts.Overall.Queries != len(set.Queries) || len(fts.Results) != len(set.Queries) {
		t.Fatalf("fts: %+v", fts.Overall)
	}
	// Each rank is checked against the store directly, and the figures
	// against the ranks.
	var ranks []int
	for i, r := range fts.Results {
		q := set.Queries[i]
		hits, err := store.Search(ctx, reel.SearchQuery{Query: reel.ParseQuery(q.Text), Filter: reel.Filter{Limit: evalset.DefaultLimit}})
		if err != nil {
			t.Fatal(err)
		}
		if want := evalset.Rank(hits, q.Targets); r.Rank != want {
			t.Errorf("%s: rank %d, searching again gives %d", q.ID, r.Rank, want)
		}
		ranks = append(ranks, r.Rank)
	}
	if got := evalset.Score(ranks); got != fts.Overall {
		t.Errorf("overall %+v, scoring the ranks gives %+v", fts.Overall, got)
	}
	for _, c := range evalset.Classes {
		s := fts.ByClass[c]
		if s.Queries != 15 || s.Success1 > s.Success3 || s.MRR < s.Success1 || s.MRR > s.Success3+(1-s.Success3)/4 {
			t.Errorf("%s: implausible figures %+v", c, s)
		}
	}
	// Full-text search needs every word of a query; a paraphrase shares
	// none with its target, so it can never find it.
	if s := fts.ByClass[evalset.ClassParaphrase]; s.Success3 != 0 {
		t.Errorf("fts found paraphrase targets: %+v", s)
	}
	// An exact error string is in its target, and distractors do not
	// have it: full-text search must find nearly all of them.
	if s := fts.ByClass[evalset.ClassError]; s.Success3 < 0.8 {
		t.Errorf("fts error strings: %+v, want Success@3 >= 0.8", s)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fts     all", "paraphrase", "vector  unavailable", "hybrid unavailable: not built"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, text.String())
		}
	}
	t.Logf("\n%s", text.String())
}

package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/evalset"
)

// TestBenchSearchQuality runs reel bench search-quality and checks the
// report: every query scored in every mode, hybrid better than full-text
// by the margin the targets ask for, and the table printed without --json.
func TestBenchSearchQuality(t *testing.T) {
	root := t.TempDir()
	t.Setenv("REEL_HOME", filepath.Join(root, "reel"))
	var rep evalset.Report
	if err := json.Unmarshal(runReel(t, "bench", "search-quality", "--seed", "5", "--json", "--dir", filepath.Join(root, "run")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Seed != 5 || rep.Queries < 60 || rep.Sessions <= rep.Queries/len(evalset.Classes) {
		t.Fatalf("report: seed %d, %d queries, %d sessions", rep.Seed, rep.Queries, rep.Sessions)
	}
	fts := rep.Mode(reel.ModeFTS)
	if fts == nil || !fts.Available || fts.Overall.Queries != rep.Queries || len(fts.ByClass) != len(evalset.Classes) {
		t.Fatalf("fts: %+v", fts)
	}
	if fts.Overall.Success3 <= 0 || fts.Overall.Success3 >= 1 {
		t.Errorf("fts Success@3 = %v: every query found, or none", fts.Overall.Success3)
	}
	// With the default, built-in model every mode runs, and hybrid
	// finds more than full-text: the paraphrases and descriptions whose
	// words are not in the session.
	hybrid := rep.Mode(reel.ModeHybrid)
	for _, m := range []string{reel.ModeVector, reel.ModeHybrid} {
		if mr := rep.Mode(m); mr == nil || !mr.Available || mr.Overall.Queries != rep.Queries {
			t.Fatalf("%s: %+v, want every query scored", m, mr)
		}
	}
	if hybrid.Overall.Success3 < fts.Overall.Success3+0.1 {
		t.Errorf("hybrid Success@3 %.3f, fts %.3f: want hybrid at least 0.1 better", hybrid.Overall.Success3, fts.Overall.Success3)
	}
	if p := hybrid.ByClass[evalset.ClassParaphrase]; p.Success3 <= 0 {
		t.Errorf("hybrid finds no paraphrase in the top 3: %+v", p)
	}
	out := string(runReel(t, "bench", "search-quality", "--seed", "5"))
	for _, want := range []string{"Success@3", "fts     all", "paraphrase", "hybrid  all"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

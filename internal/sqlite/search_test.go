package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

func search(t *testing.T, s *Store, query string, f reel.Filter) []reel.Hit {
	t.Helper()
	hits, err := s.Search(context.Background(), reel.SearchQuery{Query: reel.ParseQuery(query), Filter: f})
	if err != nil {
		t.Fatalf("Search(%q) = %v", query, err)
	}
	return hits
}

func apply(t *testing.T, s *Store, b *reel.Batch) {
	t.Helper()
	if err := s.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func TestStore_SearchWhenManyMatch(t *testing.T) {
	s := openTest(t, "")
	old := message("codex", "old", 0, "common needle one", "common two", "common three")
	apply(t, s, old)
	texts := make([]string, rankMax+100)
	for i := range texts {
		texts[i] = fmt.Sprintf("common word %d", i)
	}
	b := message("codex", "new", 0, texts...)
	for i := range b.Events {
		if i%3 == 0 {
			b.Events[i].Kind = reel.KindToolCall
		}
	}
	apply(t, s, b)
	newID := b.Session.ID
	last := int64(len(texts) - 1)

	tests := []struct {
		name     string
		query    string
		f        reel.Filter
		wantSeqs []int64 // of session new, in order; nil to skip
		ranked   bool
		n        int
	}{
		// One word is ranked by bm25 however common (see band_test.go).
		{"OKRankedCommon", "common", reel.Filter{}, nil, true, 20},
		{"OKRankedCommonLimit", "common", reel.Filter{Limit: 3}, nil, true, 3},
		{"OKRankedCommonLimitAboveAll", "common", reel.Filter{Limit: 5000}, nil, true, len(texts) + 3},
		{"OKNewestAnd", "common word", reel.Filter{}, []int64{last, last - 1, last - 2, last - 3, last - 4}, false, 20},
		{"OKRankedFiltered", "common", reel.Filter{Kinds: []string{reel.KindToolCall}}, nil, true, 20},
		{"OKNewestAndFiltered", "common word", reel.Filter{Kinds: []string{reel.KindToolCall}}, []int64{last - last%3, last - last%3 - 3}, false, 20},
		{"OKRankedInOldSession", "common", reel.Filter{SessionID: old.Session.ID}, nil, true, 3},
		{"OKRankedRare", "needle", reel.Filter{}, nil, true, 1},
		{"OKRankedAnd", "common needle", reel.Filter{}, nil, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := search(t, s, tt.query, tt.f)
			if len(hits) != tt.n {
				t.Fatalf("got %d hits, want %d", len(hits), tt.n)
			}
			for i, want := range tt.wantSeqs {
				if hits[i].SessionID != newID || hits[i].Seq != want {
					t.Errorf("hit %d = %s/%d, want new/%d", i, reel.ShortID(hits[i].SessionID), hits[i].Seq, want)
				}
			}
			for _, h := range hits {
				if (h.Score > 0) != tt.ranked {
					t.Errorf("hit %d score %v; ranked = %v", h.Seq, h.Score, tt.ranked)
				}
			}
		})
	}
}

func TestStore_SearchPrefixExpansion(t *testing.T) {
	s := openTest(t, "")
	var texts []string
	for i := range maxExpansion + 8 {
		texts = append(texts, fmt.Sprintf("alpha%d beta", i))
	}
	texts = append(texts, "gamma Gammaray GAMMAS")
	apply(t, s, message("codex", "prefix", 0, texts...))
	tx, err := s.rdb.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	tests := []struct {
		query     string
		expanded  []string // nil: left to FTS5
		wantCount int
	}{
		{"alpha*", nil, maxExpansion + 8}, // too many terms to expand
		{"ALPHA1*", []string{"alpha1", "alpha10", "alpha11", "alpha12", "alpha13", "alpha14", "alpha15", "alpha16", "alpha17", "alpha18", "alpha19"}, 11},
		{"gam*", []string{"gamma", "gammaray", "gammas"}, 1},
		{"zzz*", nil, 0},
		{"gämma*", nil, 1}, // not ASCII: FTS5 folds it
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q := reel.ParseQuery(tt.query)
			got, err := expandPrefixes(context.Background(), tx, q.Root)
			if err != nil {
				t.Fatal(err)
			}
			var terms []string
			if pt := got[q.Root]; pt != nil {
				terms = pt.terms
			}
			if fmt.Sprint(terms) != fmt.Sprint(tt.expanded) {
				t.Errorf("expanded to %v, want %v", terms, tt.expanded)
			}
			if hits := search(t, s, tt.query, reel.Filter{Limit: 100}); len(hits) != tt.wantCount {
				t.Errorf("got %d hits, want %d", len(hits), tt.wantCount)
			}
		})
	}
}

func TestStore_SearchIndexesTextStart(t *testing.T) {
	// Only the first 32768 characters are indexed; the text is kept whole.
	s := openTest(t, "")
	long := "headword " + strings.Repeat("filler ", 5000) + "tailword"
	b := message("codex", "long", 0, long, "café crème")
	apply(t, s, b)
	tests := []struct {
		query string
		want  int
	}{
		{"headword", 1}, {"tailword", 0}, {"filler", 1},
		{"cafe", 1}, {"CAFÉ", 1}, {"creme", 1}, // diacritics are folded
	}
	for _, tt := range tests {
		if got := len(search(t, s, tt.query, reel.Filter{})); got != tt.want {
			t.Errorf("Search(%q): %d hits, want %d", tt.query, got, tt.want)
		}
	}
	evs, err := s.Events(context.Background(), b.Session.ID, reel.Filter{})
	if err != nil || len(evs) != 2 || evs[0].Text != long {
		t.Errorf("long text not kept whole (%d events, %v)", len(evs), err)
	}
}

func TestFTSQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"flaky", `"flaky"`},
		{"flaky migration", `("flaky" AND "migration")`},
		{`"flaky migration" OR ci`, `("flaky migration" OR "ci")`},
		{"migrat*", `"migrat"*`},
		{"a -b -c", `((("a") NOT "b") NOT "c")`},
		{"(a OR b) c", `(("a" OR "b") AND "c")`},
		{"body:flaky NEAR(x)", `("body:flaky" AND "NEAR" AND "x")`},
		{"a\x00b", `"a b"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ftsQuery(reel.ParseQuery(tt.in).Root, nil); got != tt.want {
				t.Errorf("ftsQuery(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	if got := ftsString("say \"hi\"\x03"); got != `"say ""hi"" "` {
		t.Errorf("ftsString = %s", got)
	}
}

func TestStore_ApplyCanceled(t *testing.T) {
	s := openTest(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := message("codex", "canceled", 0, "never written")
	if err := s.Apply(ctx, b); err == nil {
		t.Fatal("Apply with a canceled context succeeded")
	}
	_, err := s.Session(context.Background(), b.Session.ID)
	if reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("Session after a canceled Apply = %v, want not found", err)
	}
}

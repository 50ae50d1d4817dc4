package sqlite

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// bandCorpus returns texts in which "alpha" is in most events (so FTS5 clamps its idf) with varied counts
// and lengths, "beta" in 40% of them, with some non-ASCII text that folds into
// the words ("ÁLPHA" is alpha to the tokenizer).
func bandCorpus(r *rand.Rand, n int) []string {
	words := []string{"gamma", "delta", "omega", "kappa", "sigma", "zeta", "theta", "iota"}
	out := make([]string, n)
	for i := range out {
		var b []string
		for range 3 + r.IntN(40) {
			b = append(b, words[r.IntN(len(words))])
		}
		for range r.IntN(4) {
			b[r.IntN(len(b))] = "alpha"
		}
		if r.IntN(5) < 2 {
			b[r.IntN(len(b))] = "beta"
		}
		if r.IntN(20) == 0 {
			b = append(b, "ÁLPHA", "naïve")
		}
		out[i] = strings.Join(b, " ")
	}
	return out
}

// exactTop is FTS5's own bm25 ranking of every match of word.
func exactTop(t *testing.T, s *Store, word string, k int) (ids []int64, scores []float64) {
	t.Helper()
	rows, err := s.rdb.Query(`SELECT rowid, bm25(events_fts) AS r FROM events_fts WHERE events_fts MATCH ?
		ORDER BY r, rowid DESC LIMIT ?`, ftsString(word), k)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r float64
		if err := rows.Scan(&id, &r); err != nil {
			t.Fatal(err)
		}
		ids, scores = append(ids, id), append(scores, -r)
	}
	return ids, scores
}

// checkBandTop checks that the band ranks word's k best matches exactly
// as FTS5 does: the same scores in order, and the same events where
// scores differ from their neighbours'.
func checkBandTop(t *testing.T, s *Store, word string, k int) {
	t.Helper()
	tx, err := s.rdb.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ids, scores, ok, err := bandTop(context.Background(), tx, word, k)
	if err != nil || !ok {
		t.Fatalf("bandTop(%s) = ok %v, %v", word, ok, err)
	}
	wantIDs, wantScores := exactTop(t, s, word, k)
	if len(ids) != len(wantIDs) {
		t.Fatalf("%s: %d hits, want %d", word, len(ids), len(wantIDs))
	}
	for i := range ids {
		if math.Abs(scores[i]-wantScores[i]) > 1e-9*math.Abs(wantScores[i]) {
			t.Fatalf("%s hit %d: score %v, want %v", word, i, scores[i], wantScores[i])
		}
		if ids[i] != wantIDs[i] && scores[i] != wantScores[max(i-1, 0)] && (i+1 == len(ids) || scores[i] != scores[i+1]) {
			t.Errorf("%s hit %d: id %d, want %d (score %v)", word, i, ids[i], wantIDs[i], scores[i])
		}
	}
}

// checkBandsRebuilt checks that every band Apply kept equals the band
// built afresh from the index.
func checkBandsRebuilt(t *testing.T, s *Store) {
	t.Helper()
	terms, err := queryStrings(context.Background(), s, `SELECT term FROM fts_bands`)
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range terms {
		var df int64
		var kept, fresh []byte
		if err := s.rdb.QueryRow(`SELECT df, band FROM fts_bands WHERE term = ?`, term).Scan(&df, &kept); err != nil {
			t.Fatal(err)
		}
		var want int64
		if err := s.rdb.QueryRow(`SELECT doc FROM events_fts_vocab WHERE term = ?`, term).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if df != want {
			t.Errorf("band %s: df %d, index %d", term, df, want)
		}
		rows, err := s.rdb.Query(`SELECT i.doc, count(*), d.sz FROM events_fts_instance i
			JOIN events_fts_docsize d ON d.id = i.doc WHERE i.term = ? GROUP BY i.doc`, term)
		if err != nil {
			t.Fatal(err)
		}
		var es []bandEntry
		for rows.Next() {
			var e bandEntry
			var sz []byte
			if err := rows.Scan(&e.id, &e.tf, &sz); err != nil {
				t.Fatal(err)
			}
			e.dl, _ = ftsVarint(sz)
			es = append(es, e)
		}
		rows.Close()
		var depth int
		if err := s.rdb.QueryRow(`SELECT depth FROM fts_bands WHERE term = ?`, term).Scan(&depth); err != nil {
			t.Fatal(err)
		}
		fresh = encodeBand(skyband(es, depth))
		if string(kept) != string(fresh) && depth == bandDepth {
			t.Errorf("band %s differs from a rebuild (%d vs %d bytes)", term, len(kept), len(fresh))
		}
	}
}

func TestStore_SearchRanksCommonWordsByBM25(t *testing.T) {
	s := openTest(t, "")
	r := rand.New(rand.NewPCG(1, 2))
	// Several Applies: the band is built once alpha passes bandMinDF and
	// kept current after.
	for i := range 8 {
		apply(t, s, message("codex", fmt.Sprint("s", i), 0, bandCorpus(r, 900)...))
	}
	var n int
	if err := s.rdb.QueryRow(`SELECT count(*) FROM fts_bands WHERE term IN ('alpha', 'beta', 'gamma')`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("bands for alpha, beta and gamma: %d, %v", n, err)
	}
	for _, w := range []string{"alpha", "beta", "gamma"} {
		checkBandTop(t, s, w, 20)
		checkBandTop(t, s, w, bandDepth)
	}
	checkBandsRebuilt(t, s)

	// Replacing a session's tail removes events from the bands.
	apply(t, s, message("codex", "s2", 300, bandCorpus(r, 50)...))
	for _, w := range []string{"alpha", "beta", "gamma"} {
		checkBandTop(t, s, w, 20)
	}
	checkBandsRebuilt(t, s)

	// Search itself answers from the band, with bm25 scores.
	hits := search(t, s, "Beta", reel.Filter{})
	wantIDs, wantScores := exactTop(t, s, "beta", 20)
	if len(hits) != 20 || len(wantIDs) != 20 {
		t.Fatalf("got %d hits", len(hits))
	}
	for i, h := range hits {
		if math.Abs(h.Score-wantScores[i]) > 1e-9*wantScores[i] {
			t.Errorf("hit %d score %v, want %v", i, h.Score, wantScores[i])
		}
	}
	// With a filter, the band's best matches that pass it, when enough do.
	since := time.Unix(1700000000, 0).Add(300 * time.Second)
	rows, err := s.rdb.Query(`SELECT f.rowid, bm25(events_fts) AS r FROM events_fts f JOIN events e ON e.id = f.rowid
		WHERE events_fts MATCH 'beta' AND e.time >= ? ORDER BY r, f.rowid DESC LIMIT 20`, since.UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	wantScores = wantScores[:0]
	for rows.Next() {
		var id int64
		var r float64
		if err := rows.Scan(&id, &r); err != nil {
			t.Fatal(err)
		}
		wantScores = append(wantScores, -r)
	}
	rows.Close()
	hits = search(t, s, "beta", reel.Filter{Since: since})
	if len(hits) != 20 || len(wantScores) != 20 {
		t.Fatalf("filtered: %d hits, want 20 of %d", len(hits), len(wantScores))
	}
	for i, h := range hits {
		if math.Abs(h.Score-wantScores[i]) > 1e-9*wantScores[i] || h.Seq < 300 {
			t.Errorf("filtered hit %d: seq %d score %v, want %v", i, h.Seq, h.Score, wantScores[i])
		}
	}
	// A limit deeper than the band is ranked by FTS5 over every match.
	hits = search(t, s, "alpha", reel.Filter{Limit: bandDepth + 10})
	_, wantScores = exactTop(t, s, "alpha", bandDepth+10)
	for i, h := range hits {
		if math.Abs(h.Score-wantScores[i]) > 1e-9*wantScores[i] {
			t.Fatalf("deep hit %d score %v, want %v", i, h.Score, wantScores[i])
		}
	}
}

func TestSkyband(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var es []bandEntry
	for i := range 3000 {
		es = append(es, bandEntry{id: int64(i + 1), tf: uint64(1 + r.IntN(5)), dl: uint64(1 + r.IntN(60))})
	}
	const depth = 10
	band := skyband(append([]bandEntry(nil), es...), depth)
	in := map[int64]bool{}
	for _, e := range band {
		in[e.id] = true
	}
	for _, x := range es {
		n := 0
		for _, y := range es {
			if y.beats(x) {
				n++
			}
		}
		if (n < depth) != in[x.id] {
			t.Fatalf("entry %+v beaten by %d, in band %v", x, n, in[x.id])
		}
	}
	// Incremental: the band of a band and new entries is the band of all.
	half := skyband(append([]bandEntry(nil), es[:1500]...), depth)
	inc := skyband(append(half, es[1500:]...), depth)
	if string(encodeBand(inc)) != string(encodeBand(band)) {
		t.Fatal("incremental band differs")
	}
	back, err := decodeBand(encodeBand(band))
	if err != nil || len(back) != len(band) {
		t.Fatalf("decode: %d entries, %v", len(back), err)
	}
}

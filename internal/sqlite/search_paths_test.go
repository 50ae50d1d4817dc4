package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

// tokenTexts are texts whose tokens the index and tokens may disagree on.
var tokenTexts = []string{
	"plain test testing tests TEST_case test-case tEsT atest",
	"tést te\u0301st test\u0301 tes\u0301t",
	"“testing” ‘tested’ «testy» test—dash test…",
	"x→test test→x test🚀 🚀test test\u2019s",
	"x\ufe0ftest ✅\ufe0ftested",
	"ｔｅｓｔ fullwidth テストtest 日本test test日本",
	"ümlaut testé café cafe\u0301 CAFÉ",
	"ß test\u00a0nbsp test\u200bzero test\u00adsoft",
	"ab1c ab12 AB1D ab1_x",
	"invalid \xfftest \xc3test",
	"ИСПЫТАНИЕ testа tеst", // Cyrillic а and е
}

// TestTokens checks tokens against the index's own tokenizer: every word
// it is sure of is a term the index holds for that text, and every term
// with a prefix that the index holds is among the words, unless tokens
// was unsure of the prefix.
func TestTokens(t *testing.T) {
	s := openTest(t, "")
	b := message("codex", "tokens", 0, tokenTexts...)
	apply(t, s, b)
	prefixes := []string{"test", "te", "t", "caf", "ab1", "x"}
	ctx := context.Background()
	for i, text := range tokenTexts {
		var words, unsure []string
		tokens([]byte(text), prefixes, func(w []byte) {
			words = append(words, string(w))
		}, func(p string) {
			unsure = append(unsure, p)
		})
		var id int64
		if err := s.rdb.QueryRow(`SELECT id FROM events WHERE seq = ?`, i).Scan(&id); err != nil {
			t.Fatal(err)
		}
		for _, p := range prefixes {
			terms, err := queryStrings(ctx, s, `SELECT DISTINCT term FROM events_fts_instance
				WHERE term >= ? AND term <= ? AND doc = ?`, p, p+"\xff", id)
			if err != nil {
				t.Fatal(err)
			}
			for _, term := range terms {
				if !slices.Contains(words, term) && !slices.Contains(unsure, p) {
					t.Errorf("text %d %q: index term %q with prefix %q missed", i, text, term, p)
				}
			}
			for _, w := range words {
				if strings.HasPrefix(w, p) && !slices.Contains(terms, w) {
					t.Errorf("text %d %q: word %q is not an index term (terms %q)", i, text, w, terms)
				}
			}
		}
	}
}

func TestMayFoldTo(t *testing.T) {
	tests := []struct {
		run, p string
		want   bool
	}{
		{"t\u00e9st", "test", true},   // é may fold to e
		{"x\ufe0ftest", "test", true}, // a token may start after the mark
		{"日本test", "test", true},      // or the letters may be dropped
		{"t\u00e9xt", "test", false},
		{"ab\u00e9", "abc", true},
		{"ab\u00e9", "abcd", false}, // three characters at most
		{"\u00e9", "ab", false},
		{"xy\u00e9", "ab", false},
	}
	for _, tt := range tests {
		if got := mayFoldTo([]byte(tt.run), tt.p); got != tt.want {
			t.Errorf("mayFoldTo(%q, %q) = %v, want %v", tt.run, tt.p, got, tt.want)
		}
	}
}

func TestTermRanges(t *testing.T) {
	// The prefix itself is a common word: nothing lies below it.
	got := termRanges("te", []string{"te", "test", "tests"})
	want := [][2]string{{"te\x01", "tess\xff"}, {"test\x01", "testr\xff"}, {"tests\x01", "te\xff"}}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("termRanges = %q, want %q", got, want)
	}
}

func queryStrings(ctx context.Context, s *Store, query string, args ...any) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// bruteNewest returns the newest matches of match that pass f, by FTS5
// and SQL alone, as session/seq keys.
func bruteNewest(t *testing.T, s *Store, match string, f reel.Filter, limit int) []string {
	t.Helper()
	var w where
	w.add("events_fts MATCH ?", match)
	w.in("ss.source", f.Sources)
	if f.Project != "" {
		w.projectFilter("ss.project", f.Project)
	}
	rows, err := s.rdb.Query(`SELECT ss.id, e.seq FROM events_fts
		CROSS JOIN events e ON e.id = events_fts.rowid CROSS JOIN sessions ss ON ss.sk = e.session_sk`+
		w.sql()+` ORDER BY events_fts.rowid DESC LIMIT ?`, append(w.args, limit)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s/%d", reel.ShortID(id), seq))
	}
	return out
}

func hitKeys(hits []reel.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s/%d", reel.ShortID(h.SessionID), h.Seq)
	}
	return out
}

// prefixCorpus applies sessions whose events hold many words with the
// prefix "zq": one common, in most events, and 60 rare ones. The newest
// events hold rare words too, and, when tricky, a word the sample cannot
// be sure of.
func prefixCorpus(t *testing.T, tricky bool) *Store {
	s := openTest(t, "")
	var old []string
	for i := range 2600 {
		text := fmt.Sprintf("filler %d zqcommon", i)
		if i%40 == 0 {
			text = fmt.Sprintf("zqrare%d alone", i/40)
		}
		old = append(old, text)
	}
	b := message(reel.SourceClaudeCode, "old", 0, old...)
	b.Session.Project = "/src/alpha"
	apply(t, s, b)
	var recent []string
	for i := range 300 {
		switch {
		case i%7 == 3:
			recent = append(recent, fmt.Sprintf("zqrare%d and zqcommon", i%60))
		case i%5 == 1:
			recent = append(recent, fmt.Sprintf("nothing here %d", i))
		case i%11 == 2:
			recent = append(recent, fmt.Sprintf("zqnewword%d only", i))
		default:
			recent = append(recent, "zqcommon again zqcommon")
		}
	}
	if tricky {
		recent[298] = "a zqé token" // é folds to e: the term zqe
	}
	b = message(reel.SourceCodex, "new", 0, recent...)
	b.Session.Project = "/src/beta"
	apply(t, s, b)
	return s
}

func TestStore_SearchPrefixNewest(t *testing.T) {
	for _, tricky := range []bool{false, true} {
		s := prefixCorpus(t, tricky)
		tests := []struct {
			f     reel.Filter
			limit int
		}{
			{reel.Filter{}, 1}, {reel.Filter{}, 20}, {reel.Filter{}, 100}, {reel.Filter{}, 2500},
			{reel.Filter{Sources: []string{reel.SourceCodex}}, 20},
			{reel.Filter{Sources: []string{reel.SourceClaudeCode}}, 20},
			{reel.Filter{Project: "ALPHA"}, 50},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("tricky=%v/%+v/%d", tricky, tt.f.Sources, tt.limit), func(t *testing.T) {
				ctx := context.Background()
				f := tt.f
				f.Limit = tt.limit
				q := reel.SearchQuery{Query: reel.ParseQuery("ZQ*"), Filter: f}
				tx, err := s.rdb.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				p, _, err := s.plan(ctx, tx, q)
				tx.Rollback()
				if err != nil || p.prefix == nil || len(p.prefix.common) == 0 {
					t.Fatalf("plan = %+v, %v: want the prefix searched term by term", p, err)
				}
				hits := search(t, s, "ZQ*", f)
				all := bruteNewest(t, s, `"zq"*`, f, 1<<30)
				ranked := len(all) <= p.max
				if want := all[:min(tt.limit, len(all))]; ranked {
					if got := hitKeys(hits); len(got) != len(want) || len(got) != len(slices.DeleteFunc(got, func(k string) bool {
						return !slices.Contains(all, k)
					})) {
						t.Errorf("ranked hits %v are not %d of the matches", hitKeys(hits), len(want))
					}
				} else if got := hitKeys(hits); !slices.Equal(got, want) {
					t.Errorf("hits %v\nwant %v", got, want)
				}
				for _, h := range hits {
					if (h.Score != 0) != ranked || len(h.Highlights) == 0 {
						t.Errorf("hit %d: score %v, highlights %v", h.Seq, h.Score, h.Highlights)
					}
					for _, r := range h.Highlights {
						if w := strings.ToLower(h.Snippet[r[0]:r[1]]); !strings.HasPrefix(w, "zq") {
							t.Errorf("hit %d highlights %q", h.Seq, w)
						}
					}
				}
			})
		}
	}
}

// sessionCorpus lays out sessions so that the selected ones are old,
// interleaved with others, and appended to after others were ingested.
func sessionCorpus(t *testing.T) *Store {
	s := openTest(t, "")
	add := func(source, native, project string, from int64, n int, word func(i int) string) {
		texts := make([]string, n)
		for i := range texts {
			texts[i] = word(int(from) + i)
		}
		b := message(source, native, from, texts...)
		b.Session.Project = project
		apply(t, s, b)
	}
	every := func(k int) func(int) string {
		return func(i int) string {
			if i%k == 0 {
				return fmt.Sprintf("alpha %d", i)
			}
			return fmt.Sprintf("beta %d", i)
		}
	}
	for i := range 6 {
		add(reel.SourceClaudeCode, fmt.Sprintf("c%d", i), fmt.Sprintf("/src/p%d", i%3), 0, 40, every(2))
	}
	for i := range 30 {
		add(reel.SourceCodex, fmt.Sprintf("x%d", i), fmt.Sprintf("/src/p%d", i%3), 0, 150, every(1))
		if i == 10 {
			add(reel.SourceClaudeCode, "c2", "/src/p2", 40, 25, every(3)) // appended
			add(reel.SourceClaudeCode, "c9", "/src/p0", 0, 7, every(1))
		}
	}
	add(reel.SourceClaudeCode, "c3", "/src/p0", 20, 30, every(1)) // rewritten from seq 20
	return s
}

func TestStore_SearchSessionRanges(t *testing.T) {
	s := sessionCorpus(t)
	ctx := context.Background()
	filters := []reel.Filter{
		{Sources: []string{reel.SourceClaudeCode}},
		{Sources: []string{reel.SourceCodex}},
		{Project: "p0"},
		{Project: "p2", Sources: []string{reel.SourceClaudeCode}},
		{Project: "p1"},
		{Project: "none"},
	}
	for _, f := range filters {
		for _, n := range []int{1, 5, 40, 301, 1500, 5000} {
			t.Run(fmt.Sprintf("%v %s %d", f.Sources, f.Project, n), func(t *testing.T) {
				tx, err := s.rdb.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				p, ok, err := s.plan(ctx, tx, reel.SearchQuery{Query: reel.ParseQuery("alpha"), Filter: f})
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					if want := bruteNewest(t, s, `"alpha"`, f, n); len(want) > 0 {
						t.Fatalf("plan matches nothing; want %v", want)
					}
					return
				}
				want := bruteNewest(t, s, p.match, f, n)
				for _, c := range []struct {
					density float64
					width   int64
				}{{0.001, maxChunk}, {0.5, maxChunk}, {1, maxChunk}, {0.001, 100}, {0.01, 700}} {
					ids, err := p.scanSessions(ctx, tx, p.match, noHigh-1, n, c.density, c.width)
					if err != nil {
						t.Fatal(err)
					}
					if got := keysOf(t, tx, ids); !slices.Equal(got, want) {
						t.Errorf("%+v: scanSessions = %v\nwant %v", c, got, want)
					}
				}
				ids, err := p.newestInSessions(ctx, tx, p.match, n)
				if err != nil {
					t.Fatal(err)
				}
				if got := keysOf(t, tx, ids); !slices.Equal(got, want) {
					t.Errorf("newestInSessions = %v\nwant %v", got, want)
				}
			})
		}
	}
}

// keysOf returns the session/seq keys of event ids.
func keysOf(t *testing.T, tx *sql.Tx, ids []int64) []string {
	t.Helper()
	out := make([]string, len(ids))
	for i, id := range ids {
		var sid string
		var seq int64
		err := tx.QueryRow(`SELECT s.id, e.seq FROM events e JOIN sessions s ON s.sk = e.session_sk
			WHERE e.id = ?`, id).Scan(&sid, &seq)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = fmt.Sprintf("%s/%d", reel.ShortID(sid), seq)
	}
	return out
}

func TestStore_SearchDetailsFallback(t *testing.T) {
	// Should the terms a hit was found by not match it again, the hit is
	// matched by the query itself rather than dropped.
	s := openTest(t, "")
	apply(t, s, message("codex", "fallback", 0, "first zebra", "second zebra"))
	ctx := context.Background()
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	p, _, err := s.plan(ctx, tx, reel.SearchQuery{Query: reel.ParseQuery("zebra")})
	if err != nil {
		t.Fatal(err)
	}
	ids, scores, err := p.top(ctx, tx, 10)
	if err != nil || len(ids) != 2 {
		t.Fatalf("top = %v, %v", ids, err)
	}
	p.detail = `"nothing"`
	hits, err := p.details(ctx, tx, ids, scores)
	if err != nil || len(hits) != 2 || len(hits[0].Highlights) == 0 {
		t.Errorf("details = %+v, %v", hits, err)
	}
}

// TestStore_EventIDsFollowSeq pins what scanSessions relies on: within a
// session, event ids grow with seq, however its batches were applied, so
// its first and last events by seq bound its ids.
func TestStore_EventIDsFollowSeq(t *testing.T) {
	s := openTest(t, "")
	texts := func(n int, word string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s %d", word, i)
		}
		return out
	}
	apply(t, s, message("codex", "a", 0, texts(10, "a")...))
	apply(t, s, message("codex", "b", 0, texts(10, "b")...))
	apply(t, s, message("codex", "a", 5, texts(8, "rewritten")...)) // drops seq 5 to 9 first
	apply(t, s, message("codex", "b", 10, texts(3, "appended")...))
	apply(t, s, message("codex", "a", 13, texts(2, "later")...))
	apply(t, s, message("codex", "b", 12, texts(1, "last")...)) // the newest row is replaced
	rows, err := s.rdb.Query(`SELECT session_sk, seq, id FROM events ORDER BY session_sk, seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	last := map[int64]int64{}
	for rows.Next() {
		var sk, seq, id int64
		if err := rows.Scan(&sk, &seq, &id); err != nil {
			t.Fatal(err)
		}
		if prev, ok := last[sk]; ok && id <= prev {
			t.Errorf("session %d seq %d has id %d, not above the previous seq's %d", sk, seq, id, prev)
		}
		last[sk] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestMatchingProjects checks that projects matched in Go are those the
// SQL project filter (LIKE, or reel_lower and instr) selects.
func TestMatchingProjects(t *testing.T) {
	s := openTest(t, "")
	projects := []string{"/home/dev/src/Reel", "/srv/API", "/x/ÉTÉ", "/x/\u212aelvin", "/x/100%_done", "/x/straße", ""}
	for i, p := range projects {
		b := message("codex", fmt.Sprintf("p%d", i), 0, "text")
		b.Session.Project = p
		apply(t, s, b)
	}
	ctx := context.Background()
	for _, needle := range []string{"reel", "REEL", "api", "été", "ÉTÉ", "kelvin", "\u212a", "%", "_", "100%_", "STRASSE", "straße", "x"} {
		var w where
		w.projectFilter("project", needle)
		want, err := queryStrings(ctx, s, `SELECT DISTINCT project FROM sessions`+w.sql()+` ORDER BY project`, w.args...)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s.rdb.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := matchingProjects(ctx, tx, needle)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("matchingProjects(%q) = %q, want %q", needle, got, want)
		}
	}
}

package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/reel-sh/reel"
)

// The search corpus: session A (claude-code) and B (codex), one day apart.
var (
	sessA = func() reel.Session {
		ss := newSession(reel.SourceClaudeCode, "search-a")
		ss.Project, ss.Title = "/home/dev/src/Reel", "fix the flaky migration"
		return ss
	}()
	sessB = func() reel.Session {
		ss := newSession(reel.SourceCodex, "search-b")
		ss.Project, ss.Title = "/srv/api", "api work"
		ss.StartedAt, ss.EndedAt = at(24*time.Hour), at(25*time.Hour)
		return ss
	}()
	corpusA = []ev{
		{text: "the flaky migration test fails on CI", kind: reel.KindMessage, role: reel.RoleUser},
		{text: "maybe the migration runs twice", kind: reel.KindReasoning, role: reel.RoleAssistant},
		{text: "go test ./internal/migrate -run TestMigrations", kind: reel.KindToolCall, role: reel.RoleAssistant, tool: "Bash"},
		{text: "FAIL TestMigrations: table already exists", kind: reel.KindToolResult, role: reel.RoleTool, tool: "Bash"},
		{text: "the migration was flaky because the lock was not taken", kind: reel.KindMessage, role: reel.RoleAssistant},
		{text: "deploy it 🚀 now", kind: reel.KindMessage, role: reel.RoleUser},
		{text: "ошибка в миграции", kind: reel.KindMessage, role: reel.RoleUser},
		{text: "set config:path, build with c++ and call foo.bar", kind: reel.KindMessage, role: reel.RoleAssistant},
	}
	corpusB = []ev{
		{text: "add rate limiting to the api", kind: reel.KindMessage, role: reel.RoleUser, at: 24 * time.Hour},
		{text: "rg limiter", kind: reel.KindToolCall, role: reel.RoleAssistant, tool: "Bash", at: 24*time.Hour + time.Second},
		{text: "flaky flaky flaky", kind: reel.KindMessage, role: reel.RoleAssistant, at: 24*time.Hour + 2*time.Second},
	}
)

// a and b name corpus events.
func a(seq int64) hitKey { return hitKey{sessA.ID, seq} }
func b(seq int64) hitKey { return hitKey{sessB.ID, seq} }

func testSearch(t *testing.T, open func(*testing.T) reel.Store) {
	st := open(t)
	apply(t, st, batch(sessA, 0, corpusA[:4]...))
	apply(t, st, batch(sessA, 4, corpusA[4:]...))
	apply(t, st, batch(sessB, 0, corpusB...))

	tests := []struct {
		name  string
		query string
		f     reel.Filter
		want  []hitKey
	}{
		{"OKTerm", "migration", reel.Filter{}, keys(a(0), a(1), a(4))},
		{"OKCaseInsensitive", "FLAKY", reel.Filter{}, keys(a(0), a(4), b(2))},
		{"OKAnd", "flaky lock", reel.Filter{}, keys(a(4))},
		{"OKAndKeyword", "flaky AND migration", reel.Filter{}, keys(a(0), a(4))},
		{"OKOr", "limiting OR lock", reel.Filter{}, keys(a(4), b(0))},
		{"OKNot", "migration -flaky", reel.Filter{}, keys(a(1))},
		{"OKNotKeyword", "migration NOT lock", reel.Filter{}, keys(a(0), a(1))},
		{"OKGroup", "(limiting OR lock) flaky", reel.Filter{}, keys(a(4))},
		{"OKPhrase", `"flaky migration"`, reel.Filter{}, keys(a(0))},
		{"OKPhraseAndTerm", `"table already" exists`, reel.Filter{}, keys(a(3))},
		{"OKPrefix", "migrat*", reel.Filter{}, keys(a(0), a(1), a(2), a(4))},
		{"OKPrefixNot", "migrat* -flaky", reel.Filter{}, keys(a(1), a(2))},
		{"OKPrefixCaseInsensitive", "MIGRAT*", reel.Filter{}, keys(a(0), a(1), a(2), a(4))},
		{"OKPrefixWholeWord", "limiter*", reel.Filter{}, keys(b(1))},
		{"OKPrefixNoMatch", "zebra*", reel.Filter{}, keys()},
		{"OKPrefixNonASCII", "ошиб*", reel.Filter{}, keys(a(6))},
		{"OKCyrillic", "ошибка", reel.Filter{}, keys(a(6))},
		{"OKPunctuationIsLiteral", "config:path", reel.Filter{}, keys(a(7))},
		{"OKDottedWord", "foo.bar", reel.Filter{}, keys(a(7))},
		{"OKNoMatch", "zebra", reel.Filter{}, keys()},
		{"OKSources", "flaky", reel.Filter{Sources: []string{reel.SourceCodex}}, keys(b(2))},
		{"OKProject", "flaky", reel.Filter{Project: "reel"}, keys(a(0), a(4))},
		{"OKSessionID", "flaky", reel.Filter{SessionID: sessB.ID}, keys(b(2))},
		{"OKUnknownSessionID", "flaky", reel.Filter{SessionID: reel.SessionID("codex", "none")}, keys()},
		{"OKUnknownSource", "flaky", reel.Filter{Sources: []string{"nothing"}}, keys()},
		{"OKKinds", "migration", reel.Filter{Kinds: []string{reel.KindReasoning, reel.KindToolCall}}, keys(a(1))},
		{"OKRoles", "flaky OR limiter", reel.Filter{Roles: []string{reel.RoleAssistant}}, keys(a(4), b(1), b(2))},
		{"OKSinceUntil", "migration", reel.Filter{Since: at(time.Second), Until: at(4 * time.Second)}, keys(a(1))},
		{"OKUntilExclusive", "migration", reel.Filter{Until: at(4 * time.Second)}, keys(a(0), a(1))},
		{"OKSinceInclusive", "flaky", reel.Filter{Since: at(4 * time.Second)}, keys(a(4), b(2))},
		{"OKFiltersCombined", "flaky OR migration OR limiting", reel.Filter{
			Sources: []string{reel.SourceClaudeCode}, Kinds: []string{reel.KindMessage}, Roles: []string{reel.RoleUser},
		}, keys(a(0))},
		{"OKEmptyQuery", "", reel.Filter{}, keys()},
		{"OKOnlyNegative", "-flaky", reel.Filter{}, keys()},
		{"OKOnlyOperators", "AND OR NOT ( )", reel.Filter{}, keys()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := search(t, st, tt.query, tt.f)
			equal(t, "hits", hitSet(hits), tt.want)
			checkHits(t, tt.query, hits)
		})
	}

	t.Run("OKHitFields", func(t *testing.T) {
		hits := search(t, st, "limiter", reel.Filter{})
		if len(hits) != 1 {
			t.Fatalf("got %d hits, want 1", len(hits))
		}
		h := hits[0]
		h.Time = utc(t, "Time", h.Time)
		h.Snippet, h.Highlights, h.Score = "", nil, 0
		equal(t, "hit", h, reel.Hit{
			SessionID: sessB.ID, Seq: 1, Time: at(24*time.Hour + time.Second), Kind: reel.KindToolCall,
			Role: reel.RoleAssistant, Tool: "Bash", Source: reel.SourceCodex, Project: "/srv/api", Title: "api work",
		})
	})

	t.Run("OKRanking", func(t *testing.T) {
		// Three occurrences in three words beat one in eight.
		hits := search(t, st, "flaky", reel.Filter{})
		if len(hits) == 0 || hits[0].SessionID != sessB.ID || hits[0].Seq != 2 {
			t.Fatalf("best hit = %+v, want B's 'flaky flaky flaky'", hits)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score {
				t.Errorf("hit %d scores %v, above hit %d's %v", i, hits[i].Score, i-1, hits[i-1].Score)
			}
		}
	})

	t.Run("OKLimit", func(t *testing.T) {
		const q = "flaky OR migration OR limiting OR limiter OR exists"
		all := search(t, st, q, reel.Filter{})
		equal(t, "hits without limit", len(all), 7)
		got := search(t, st, q, reel.Filter{Limit: 2})
		equal(t, "limited hits", len(got), 2)
		equal(t, "limited hits are the best", hitSet(got), hitSet(all[:2]))
	})

	t.Run("OKHostile", func(t *testing.T) {
		for _, q := range hostileQueries {
			hits, err := st.Search(context.Background(), reel.SearchQuery{Query: reel.ParseQuery(q)})
			if err != nil {
				t.Errorf("Search(%q) = %v", q, err)
				continue
			}
			checkHits(t, q, hits)
		}
		// Still intact and still finding things.
		equal(t, "events after hostile queries", len(events(t, st, sessA.ID, reel.Filter{})), len(corpusA))
		for _, q := range []string{`"flaky`, "flaky)", "((flaky", "^flaky", "flaky\x00", "🚀 deploy"} {
			if len(search(t, st, q, reel.Filter{})) == 0 {
				t.Errorf("Search(%q) found nothing", q)
			}
		}
	})
}

// hostileQueries are inputs that must never make Search fail.
var hostileQueries = []string{
	`"`, `""`, `"""`, `"flaky`, `flaky"`, `'`, `''`, `*`, `**`, `flaky**`, `*flaky`, `fla*ky`,
	`NEAR(flaky migration)`, `NEAR(flaky migration, 2)`, `NEAR/2`, `flaky NEAR migration`,
	`^`, `^flaky`, `+`, `flaky + migration`, `:`, `::`, `body:flaky`, `events_fts:flaky`, `{body}:flaky`,
	`-`, `--`, `-flaky`, `- flaky`, `flaky -`, `NOT`, `NOT NOT flaky`, `AND`, `OR`, `AND OR NOT`,
	`(`, `)`, `)(`, `(((flaky`, `flaky)))`, `(flaky OR`, `flaky AND (`, `()`,
	"'; DROP TABLE events; --", `1=1 OR 1=1`, `flaky' OR '1'='1`, `%`, `_`, `\`, `$1`, `?`, `?1`, `:name`, `@p`,
	"\x00", "fla\x00ky", "\x00\"\x00", "\x02flaky\x03", "\xff\xfe", "flaky\xff",
	"🚀", "🚀🚀🚀", "🚀 deploy", "👩‍💻 migration", "迁移", "日本語のテキスト", "한국어", "مرحبا",
	"\t\n\r", strings.Repeat("flaky ", 300), strings.Repeat("(", 200) + "flaky", strings.Repeat(`"a" OR `, 100) + "a",
	`flaky~2`, `[flaky]`, `{flaky}`, `flaky|migration`, `flaky&migration`, `C++`, `c#`, `.NET`, `a.b.c`,
}

func keys(ks ...hitKey) []hitKey {
	if ks == nil {
		return []hitKey{}
	}
	return hitSet(func() []reel.Hit {
		hs := make([]reel.Hit, len(ks))
		for i, k := range ks {
			hs[i] = reel.Hit{SessionID: k.session, Seq: k.seq}
		}
		return hs
	}())
}

// checkHits fails t for each problem hitProblems finds.
func checkHits(t *testing.T, query string, hits []reel.Hit) {
	t.Helper()
	for _, p := range hitProblems(query, hits) {
		t.Errorf("query %q: %s", query, p)
	}
}

// hitProblems checks that every hit has highlights, that they lie inside
// its snippet, and that they cover only words of the query: a term, a
// word of a phrase, or a word that starts with a prefix term.
func hitProblems(query string, hits []reel.Hit) []string {
	q := reel.ParseQuery(query)
	words := map[string]bool{}
	var prefixes []string
	var walk func(n *reel.Node)
	walk = func(n *reel.Node) {
		switch n.Op {
		case reel.OpTerm, reel.OpPhrase:
			for _, w := range splitWords(n.Text) {
				words[w] = true
				if n.Op == reel.OpTerm && n.Prefix {
					prefixes = append(prefixes, w)
				}
			}
		case reel.OpAnd, reel.OpOr:
			for _, k := range n.Kids {
				walk(k)
			}
		}
	}
	if q.Root != nil {
		walk(q.Root)
	}
	matches := func(w string) bool {
		if words[w] {
			return true
		}
		for _, p := range prefixes {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
		return false
	}
	var out []string
	for _, h := range hits {
		if len(h.Highlights) == 0 {
			out = append(out, fmt.Sprintf("hit %s/%d has no highlight in %q", reel.ShortID(h.SessionID), h.Seq, h.Snippet))
		}
		for _, r := range h.Highlights {
			if r[0] < 0 || r[0] >= r[1] || r[1] > len(h.Snippet) {
				out = append(out, fmt.Sprintf("highlight %v outside snippet %q", r, h.Snippet))
				continue
			}
			marked := h.Snippet[r[0]:r[1]]
			ws := splitWords(marked)
			if len(ws) == 0 {
				out = append(out, fmt.Sprintf("highlight %q in %q holds no word", marked, h.Snippet))
			}
			for _, w := range ws {
				if !matches(w) {
					out = append(out, fmt.Sprintf("highlight %q in %q is not a query word", marked, h.Snippet))
				}
			}
		}
	}
	return out
}

// splitWords lowercases s and splits it into runs of letters and digits.
func splitWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

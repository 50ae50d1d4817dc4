package postgres

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

func TestTsquery(t *testing.T) {
	tests := []struct {
		query, want string
	}{
		{"flaky", "'flaky'"},
		{"FLAKY migration", "('flaky' & 'migration')"},
		{"flaky OR lock", "('flaky' | 'lock')"},
		{"migration -flaky", "('migration' & !'flaky')"},
		{`"flaky migration" NOT "table already"`, "(('flaky' <-> 'migration') & !('table' <-> 'already'))"},
		{"migrat*", "'migrat':*"},
		{"foo.ba*", "('foo' <-> 'ba':*)"},
		{"config:path", "('config' <-> 'path')"},
		{"Über", "'uber'"},
		{"flaky flaky flaky", "('flaky')"},
		{"(a OR b) c", "(('a' | 'b') & 'c')"},
		{"it's", "('it' <-> 's')"},
		{`back\slash`, "('back' <-> 'slash')"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := tsquery(reel.ParseQuery(tt.query).Root); got != tt.want {
				t.Errorf("tsquery(%q) = %s, want %s", tt.query, got, tt.want)
			}
		})
	}
}

func TestTsquery_ServerAccepts(t *testing.T) {
	// Whatever a user types renders to a tsquery PostgreSQL parses: the
	// suite's hostile queries, and random mixes of words, operators,
	// quotes and bytes.
	s := openTest(t)
	pieces := []string{"flaky", "migr*", "AND", "OR", "NOT", "-", "(", ")", `"`, "'", `\`, ":", "*", "!", "&", "|",
		"<->", "ошиб*", "🚀", "\x00", "\xff", "a.b", "c++", "NEAR", "^", "{x}", ":*", "''", "%"}
	rng := rand.New(rand.NewPCG(7, 7))
	var queries []string
	for range 400 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			if rng.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		queries = append(queries, b.String())
	}
	for _, q := range queries {
		root := reel.ParseQuery(q).Root
		if root == nil {
			continue
		}
		tsq := tsquery(root)
		if tsq == "" {
			continue
		}
		var ok bool
		if err := s.pool.QueryRow(context.Background(), `SELECT to_tsvector('simple', 'flaky migration') @@ $1::tsquery`, tsq).Scan(&ok); err != nil {
			t.Errorf("query %q renders as %q, which PostgreSQL refuses: %v", q, tsq, err)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("filler ", 40) + "the flaky migration test " + strings.Repeat("more ", 40)
	tests := []struct {
		name, text, query string
		want              string // the snippet with [highlights]
	}{
		{"OKWhole", "the flaky test fails", "flaky", "the [flaky] test fails"},
		{"OKCase", "The FLAKY test", "flaky", "The [FLAKY] test"},
		{"OKPhraseIsOneRange", "a flaky  migration here", `"flaky migration"`, "a [flaky  migration] here"},
		{"OKPhraseNeedsOrder", "migration flaky", `"flaky migration"`, "migration flaky"},
		{"OKPrefix", "migrations and migrated, migrating", "migrat*", "[migrations] and [migrated], [migrating]"},
		{"OKNotNotHighlighted", "flaky migration", "migration -flaky", "flaky [migration]"},
		{"OKPunctuationPhrase", "set config:path now", "config:path", "set [config:path] now"},
		{"OKOverlapMerged", "a flaky migration", `flaky "flaky migration"`, "a [flaky migration]"},
		{"OKWindow", long, "flaky", "…filler filler filler the [flaky] migration test more more more more more more more more more more more more more more more more more…"},
		{"OKWindowPrefersAllWords", strings.Repeat("alpha x ", 30) + "alpha bravo " + strings.Repeat("y ", 30), "alpha bravo",
			"…[alpha] x [alpha] x [alpha] x [alpha] x [alpha] x [alpha] x [alpha] x [alpha] x [alpha] x [alpha] x [alpha] x [alpha] [bravo]…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snip, hl := snippet(tt.text, phrases(reel.ParseQuery(tt.query).Root))
			var b strings.Builder
			last := 0
			for _, r := range hl {
				b.WriteString(snip[last:r[0]] + "[" + snip[r[0]:r[1]] + "]")
				last = r[1]
			}
			b.WriteString(snip[last:])
			if b.String() != tt.want {
				t.Errorf("snippet of %.40q for %q:\n got %q\nwant %q", tt.text, tt.query, b.String(), tt.want)
			}
		})
	}
}

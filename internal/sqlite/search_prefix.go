package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"

	"github.com/reel-sh/reel"
)

const (
	// maxExpansion is the most index terms a prefix is expanded into.
	maxExpansion = 32
	// sampleEvents is how many of the newest events are read for the
	// common words a prefix covers; maxSample when fewer than minHolding
	// of them hold a word with the prefix. maxWindow is how many events
	// the sample is extended by, at most, to find the other words in the
	// newest matches.
	sampleEvents = 300
	maxSample    = 1000
	minHolding   = 10
	maxWindow    = 2000
	// A sampled word is common when at least minSampled of the sampled
	// events hold it (one event in 150 to 500, or in a million events
	// some thousands); at most maxCommon of them are taken, the most
	// frequent first, since each costs FTS5 a lookup in every segment.
	minSampled = 2
	maxCommon  = 12
)

// prefixTerms is what Search knows of the index terms an ASCII prefix
// term covers.
type prefixTerms struct {
	prefix string
	// terms are all of them, sorted, when they were listed and are at
	// most maxExpansion; nil otherwise.
	terms []string
	// Otherwise common are the words with the prefix that are frequent
	// among the newest events (FTS5 reads the newest matches of a few
	// plain terms cheaply), and rest are the term ranges [lo, hi] that
	// hold every other term with the prefix.
	common []string
	rest   [][2]string
	top    string  // the most frequent common word
	sample *sample // the newest events, read for the common words
}

// expandPrefixes reads the index's vocabulary for each prefix term of the
// query that is one ASCII word. Index terms are lowercased, so only ASCII
// prefixes, whose folding is plain lowercasing, are expanded; others are
// left to FTS5.
//
// The vocabulary counts every row of every term it lists, which for a
// term in hundreds of thousands of events takes milliseconds. So the
// words the newest events hold are read first, and the frequent ones are
// kept out of the vocabulary scans: the ranges between them are listed
// instead, up to maxExpansion terms in all. A query that is one prefix
// term with frequent words is not listed at all: it is searched term by
// term (see topPrefix), and listed only if that finds too few matches.
func expandPrefixes(ctx context.Context, tx *sql.Tx, root *reel.Node) (map[*reel.Node]*prefixTerms, error) {
	out := map[*reel.Node]*prefixTerms{}
	var nodes []*reel.Node
	var walk func(n *reel.Node)
	walk = func(n *reel.Node) {
		for _, k := range n.Kids {
			walk(k)
		}
		if n.Op == reel.OpTerm && n.Prefix && asciiWord(n.Text) {
			nodes = append(nodes, n)
		}
	}
	walk(root)
	if len(nodes) == 0 {
		return out, nil
	}
	prefixes := make([]string, len(nodes))
	for i, n := range nodes {
		prefixes[i] = strings.ToLower(n.Text)
	}
	sm, err := readSample(ctx, tx, prefixes, sampleEvents)
	if err != nil {
		return nil, err
	}
	if root.Op == reel.OpTerm && root.Prefix && sm.holding(prefixes[0]) < minHolding {
		// Too rare among the newest events to tell its common words:
		// read more of them.
		if sm, err = readSample(ctx, tx, prefixes, maxSample); err != nil {
			return nil, err
		}
	}
	for i, n := range nodes {
		common, top := sm.common(prefixes[i])
		if n == root && len(common) > 0 {
			// Searched term by term (see topPrefix), which needs no list.
			out[n] = &prefixTerms{prefix: prefixes[i], common: common, rest: termRanges(prefixes[i], common),
				top: top, sample: sm}
			continue
		}
		pt, err := listTerms(ctx, tx, prefixes[i], common)
		if err != nil {
			return nil, err
		}
		if pt != nil {
			out[n] = pt
		}
	}
	return out, nil
}

// listTerms lists the terms with prefix p: all of them when they are few,
// otherwise common and the ranges of the rest. It returns nil when no
// term has the prefix.
func listTerms(ctx context.Context, tx *sql.Tx, p string, common []string) (*prefixTerms, error) {
	pt := &prefixTerms{prefix: p, common: common, rest: termRanges(p, common)}
	var found []string
	for _, r := range pt.rest {
		budget := maxExpansion + 1 - len(common) - len(found)
		if budget <= 0 {
			break
		}
		rows, err := tx.QueryContext(ctx, `SELECT term FROM events_fts_vocab
			WHERE term >= ? AND term <= ? LIMIT ?`, r[0], r[1], budget)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return nil, err
			}
			found = append(found, t)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	if len(common)+len(found) > maxExpansion {
		return pt, nil
	}
	if len(common)+len(found) == 0 {
		return nil, nil
	}
	pt.terms = append(slices.Clone(common), found...)
	sort.Strings(pt.terms)
	pt.common, pt.rest = nil, nil
	return pt, nil
}

// termRanges returns the inclusive ranges [lo, hi] that hold every string
// with prefix p except the words in common (sorted, each with prefix p).
// The vocabulary table reads a bound it is given as inclusive and counts
// that term's rows even when the query excludes it, so the bounds are the
// nearest strings beside each common word: w+"\x01" above it (no term
// holds a control character) and predecessor(w) below it.
func termRanges(p string, common []string) [][2]string {
	var out [][2]string
	lo := p
	for _, w := range common {
		if hi := predecessor(w); lo <= hi {
			out = append(out, [2]string{lo, hi})
		}
		lo = w + "\x01"
	}
	// No UTF-8 text holds the byte 0xff, so p+"\xff" is above every term
	// with the prefix.
	return append(out, [2]string{lo, p + "\xff"})
}

// predecessor returns a string above every string below w, for an ASCII
// word w: w with its last byte decremented, then 0xff.
func predecessor(w string) string {
	b := []byte(w)
	b[len(b)-1]--
	return string(b) + "\xff"
}

// restMatches returns the events with ids at or above from that hold one
// of pt's rest terms, each with the rest terms it holds, in one pass over
// the instances of each range.
func (pt *prefixTerms) restMatches(ctx context.Context, tx *sql.Tx, from int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	for _, r := range pt.rest {
		rows, err := tx.QueryContext(ctx, `SELECT term, doc FROM events_fts_instance
			WHERE term >= ? AND term <= ? AND doc >= ?`, r[0], r[1], from)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var t string
			var id int64
			if err := rows.Scan(&t, &id); err != nil {
				rows.Close()
				return nil, err
			}
			if !slices.Contains(out[id], t) {
				out[id] = append(out[id], t)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// topPrefix finds the newest matches of a query that is one prefix term
// covering many index terms: the newest matches of its common words,
// from FTS5, merged with the matches of every other term it covers that
// are at least as new as the limit-th of those, from one pass over their
// instances. ok is false when the common words match too rarely to show
// that the query has more than p.max matches; the caller then searches
// the prefix through FTS5.
//
// The hits are exactly the newest matches of the prefix, and p.detail is
// set to an expression that matches each hit on the same words.
func (p *searchPlan) topPrefix(ctx context.Context, tx *sql.Tx, limit int) (ids []int64, ok bool, err error) {
	pt := p.prefix
	if len(pt.common) == 0 {
		return nil, false, nil
	}
	n := max(p.max+1, limit)
	var common []int64
	if !p.filtered() {
		// The most frequent word alone is usually enough to show that
		// there are more than n-1 matches, and cheaper to read than the
		// newest n matches of all the common words.
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT rowid FROM events_fts WHERE events_fts MATCH ?
			ORDER BY rowid DESC LIMIT 1 OFFSET ?`, ftsString(pt.top), n-1).Scan(&id)
		switch {
		case err == nil:
			common, err = p.newest(ctx, tx, orTerms(pt.common), limit)
			if err != nil {
				return nil, false, err
			}
		case err != sql.ErrNoRows:
			return nil, false, err
		}
	}
	if common == nil {
		if common, err = p.newest(ctx, tx, orTerms(pt.common), n); err != nil || len(common) < n {
			return nil, false, err
		}
	}
	common = common[:limit]
	from := common[limit-1]
	rest, known, ok, err := pt.sample.rest(ctx, tx, pt.prefix, pt.common, from)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		if rest, err = pt.restMatches(ctx, tx, from); err != nil {
			return nil, false, err
		}
	}
	restIDs := make([]int64, 0, len(rest))
	for id := range rest {
		restIDs = append(restIDs, id)
	}
	if restIDs, err = p.passing(ctx, tx, restIDs); err != nil {
		return nil, false, err
	}
	all := append(common, restIDs...)
	slices.SortFunc(all, func(a, b int64) int { return compareDesc(a, b) })
	all = slices.Compact(all)[:limit]
	// The hits are matched again for their snippets by the terms they
	// hold: exactly those when the sample read them all, else the common
	// words and the rest terms found.
	var words []string
	for _, id := range all {
		if _, read := known[id]; !read {
			words = slices.Clone(pt.common)
			break
		}
	}
	for _, id := range all {
		for _, t := range append(known[id], rest[id]...) {
			if !slices.Contains(words, t) {
				words = append(words, t)
			}
		}
	}
	sort.Strings(words)
	p.detail = orTerms(words)
	return all, true, nil
}

// orTerms renders terms as an FTS5 expression that matches any of them.
func orTerms(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = ftsString(t)
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

func compareDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// asciiWord reports whether s is one token of ASCII letters and digits.
func asciiWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

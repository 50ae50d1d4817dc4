package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/reel-sh/reel"
)

const (
	// defaultLimit is the number of hits when the filter sets none.
	defaultLimit = 20
	// rankMax is the most matches Search ranks by bm25; past it, hits
	// are the newest matches. bm25 costs about 0.8 µs per ranked row,
	// plus 14 ns per indexed row of each query word to weigh the words,
	// so ranking 2000 rows stays near 2 ms.
	rankMax = 2000
	// rankMaxFiltered replaces rankMax when filters apply: counting
	// filtered matches reads each match's event (about 0.4 µs).
	rankMaxFiltered = 300
	// snippetTokens is the length of a hit's snippet, in tokens.
	snippetTokens = 24
	// maxProjects is the most projects a project filter is turned into a
	// list of; past it, each session's project is matched as a substring.
	maxProjects = 256
)

// Search returns the events that best match q, best first, at most
// q.Filter.Limit (20 when 0). A query with no positive term matches
// nothing. Filters: Sources, Project (case-insensitive substring) and
// SessionID (a full id) select sessions; Kinds, Roles and Since/Until
// (event time in [Since, Until)) select events.
//
// When at most 2000 events match (300 with filters) they are ranked by
// bm25 and Score is the bm25 score, higher for better matches. A query of
// one word is ranked by bm25 however many events match (from the word's
// band: see the package documentation). Other queries with more matches
// return the newest matches (by ingestion order), newest first, with
// Score 0.
func (s *Store) Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
	hits := []reel.Hit{}
	if q.Query.Empty() {
		return hits, nil
	}
	limit := q.Filter.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	// One read transaction: the probe, the ranking and the details all
	// see the same snapshot.
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.wrap("search", err)
	}
	defer tx.Rollback()
	p, ok, err := s.plan(ctx, tx, q)
	if err != nil {
		return nil, s.wrap("search", err)
	}
	if !ok {
		return hits, nil
	}
	ids, scores, err := p.top(ctx, tx, limit)
	if err != nil {
		return nil, s.wrap("search", err)
	}
	if len(ids) == 0 {
		return hits, nil
	}
	if hits, err = p.details(ctx, tx, ids, scores); err != nil {
		return nil, s.wrap("search", err)
	}
	return hits, nil
}

// searchPlan is a search query rendered to SQL: the MATCH expression and
// the conditions that apply the filters.
type searchPlan struct {
	match string
	// detail is the expression details matches the hits with: match, or
	// for a prefix searched term by term, the terms the hits hold.
	detail string
	// events holds the conditions on a match's event (e), sessions those
	// on its session (s): the source and project filters, each a list of
	// values, so that checking them is one lookup by the session's key.
	events, sessions where
	// span is the rowid range of the SessionID filter's events.
	span *[2]int64
	max  int // the most matches ranked by bm25
	// prefix is set when the query is one prefix term that covers too
	// many index terms to expand.
	prefix *prefixTerms
	// term is the index term when the query is one ASCII word, which is
	// ranked from its band when it has one (see bandTop).
	term string
}

// plan renders q. ok is false when the filters match nothing for sure.
func (s *Store) plan(ctx context.Context, tx *sql.Tx, q reel.SearchQuery) (p *searchPlan, ok bool, err error) {
	f := q.Filter
	root := q.Query.Root
	expand, err := expandPrefixes(ctx, tx, root)
	if err != nil {
		return nil, false, err
	}
	p = &searchPlan{match: ftsQuery(root, expand), max: rankMax}
	p.detail = p.match
	if pt := expand[root]; pt != nil && pt.terms == nil {
		p.prefix = pt
	}
	if root.Op == reel.OpTerm && !root.Prefix && asciiWord(root.Text) {
		p.term = strings.ToLower(root.Text)
	}
	if f.SessionID != "" {
		// A session's events were inserted together, so their ids (the
		// index's rowids) lie in a narrow range that FTS5 seeks to.
		var sk, lo, hi sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT s.sk, min(e.id), max(e.id)
			FROM sessions s JOIN events e ON e.session_sk = s.sk WHERE s.id = ?`, f.SessionID).Scan(&sk, &lo, &hi)
		if err != nil || !lo.Valid {
			return nil, false, err
		}
		p.span = &[2]int64{lo.Int64, hi.Int64}
		p.events.add("e.session_sk = ?", sk.Int64)
	}
	p.events.in("e.kind", f.Kinds)
	p.events.in("e.role", f.Roles)
	if !f.Since.IsZero() {
		p.events.add("e.time >= ?", bound(f.Since))
	}
	if !f.Until.IsZero() {
		p.events.add("e.time < ?", bound(f.Until))
	}
	p.sessions.in("s.source", f.Sources)
	if f.Project != "" {
		projects, err := matchingProjects(ctx, tx, f.Project)
		switch {
		case err != nil || len(projects) == 0:
			return nil, false, err
		case len(projects) > maxProjects:
			p.sessions.projectFilter("s.project", f.Project)
		default:
			p.sessions.in("s.project", projects)
		}
	}
	if p.filtered() {
		p.max = rankMaxFiltered
	}
	return p, true, nil
}

// filtered reports whether a condition besides the MATCH applies, so that
// each match's event must be read.
func (p *searchPlan) filtered() bool { return len(p.events.conds)+len(p.sessions.conds) > 0 }

// top returns the ids of the best matches, best first, and their scores.
// It first reads up to max+1 matches newest first (or limit, if more): if
// there are no more than max, all are ranked by bm25; otherwise the
// newest are the hits.
func (p *searchPlan) top(ctx context.Context, tx *sql.Tx, limit int) (ids []int64, scores []float64, err error) {
	if pt := p.prefix; pt != nil {
		ids, ok, err := p.topPrefix(ctx, tx, limit)
		if err != nil || ok {
			return ids, make([]float64, len(ids)), err
		}
		// Few matches: they are ranked, through the list of terms if it
		// is short.
		if pt.terms == nil && pt.sample != nil {
			listed, err := listTerms(ctx, tx, pt.prefix, pt.common)
			if err != nil {
				return nil, nil, err
			}
			if listed != nil && listed.terms != nil {
				p.match = orTerms(listed.terms)
				p.detail = p.match
			}
		}
	}
	whole := p.term != "" && !p.filtered()
	switch {
	case whole:
		ids, scores, ok, err := bandTop(ctx, tx, p.term, limit)
		if err != nil || ok {
			return ids, scores, err
		}
	case p.term != "":
		ids, scores, ok, err := p.bandFiltered(ctx, tx, limit)
		if err != nil || ok {
			return ids, scores, err
		}
	}
	newest, err := p.newest(ctx, tx, p.match, max(p.max+1, limit))
	if err != nil || len(newest) == 0 {
		return nil, nil, err
	}
	if len(newest) > p.max && whole {
		// A word with no band yet (or a limit deeper than its band): all
		// its matches are ranked.
		newest = newest[len(newest)-1:]
		newest[0] = noLow
	} else if len(newest) > p.max {
		newest = newest[:min(limit, len(newest))]
		return newest, make([]float64, len(newest)), nil
	}
	// All matches are in newest. bm25 is computed for them alone, and the
	// snippets later only for the hits. Without filters they are simply
	// all matches from the oldest on; with filters, matches in that range
	// are checked against the list rather than filtered again, which
	// would read every match's event a second time.
	query := `SELECT rowid, bm25(events_fts) AS r FROM events_fts
		WHERE events_fts MATCH ? AND rowid >= ? ORDER BY r LIMIT ?`
	args := []any{p.match, newest[len(newest)-1], limit}
	if p.filtered() {
		in, inArgs := idList(newest)
		query = `SELECT rowid, bm25(events_fts) AS r FROM events_fts
			WHERE events_fts MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN ` + in + ` ORDER BY r LIMIT ?`
		args = append(append([]any{p.match, newest[len(newest)-1], newest[0]}, inArgs...), limit)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r float64
		if err := rows.Scan(&id, &r); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		scores = append(scores, -r) // bm25 is lower for better matches
	}
	return ids, scores, rows.Err()
}

// detailsChunk is the most ids one details query looks up, well below
// SQLite's limit on bound parameters.
const detailsChunk = 500

// details reads the hits with the given ids and builds their snippets.
func (p *searchPlan) details(ctx context.Context, tx *sql.Tx, ids []int64, scores []float64) ([]reel.Hit, error) {
	byID := make(map[int64]reel.Hit, len(ids))
	for start := 0; start < len(ids); start += detailsChunk {
		if err := p.detailsOf(ctx, tx, p.detail, ids[start:min(start+detailsChunk, len(ids))], byID); err != nil {
			return nil, err
		}
	}
	if p.detail != p.match {
		// The terms a hit was found by are index terms, which FTS5 reads
		// back as themselves; should one not be, the hit is matched by
		// the query itself.
		var missed []int64
		for _, id := range ids {
			if _, ok := byID[id]; !ok {
				missed = append(missed, id)
			}
		}
		for start := 0; start < len(missed); start += detailsChunk {
			if err := p.detailsOf(ctx, tx, p.match, missed[start:min(start+detailsChunk, len(missed))], byID); err != nil {
				return nil, err
			}
		}
	}
	hits := make([]reel.Hit, 0, len(ids))
	for i, id := range ids {
		if h, ok := byID[id]; ok {
			h.Score = scores[i]
			hits = append(hits, h)
		}
	}
	return hits, nil
}

func (p *searchPlan) detailsOf(ctx context.Context, tx *sql.Tx, match string, ids []int64, byID map[int64]reel.Hit) error {
	// Hits ranked by bm25 over a common word lie far apart; the range
	// between them would be read whole, every match of the word in it. So
	// ids are read in runs of close ids, each a range of its own.
	sorted := slices.Sorted(slices.Values(ids))
	start := 0
	for i := 1; i <= len(sorted); i++ {
		if i < len(sorted) && sorted[i]-sorted[i-1] <= ascWidth {
			continue
		}
		if err := p.detailsRange(ctx, tx, match, sorted[start:i], byID); err != nil {
			return err
		}
		start = i
	}
	return nil
}

func (p *searchPlan) detailsRange(ctx context.Context, tx *sql.Tx, match string, ids []int64, byID map[int64]reel.Hit) error {
	lo, hi := ids[0], ids[0]
	for _, id := range ids {
		lo, hi = min(lo, id), max(hi, id)
	}
	// snippet() needs the row positioned by the MATCH. One pass over the
	// hits' rowid range finds them all, checking each match against the
	// id list (the '+' keeps the list out of the index lookup): looking
	// each id up on its own costs FTS5 a doclist seek per id per word, and
	// a prefix query a doclist merge per id.
	in, inArgs := idList(ids)
	rows, err := tx.QueryContext(ctx, `SELECT events_fts.rowid, e.seq, e.time, e.kind, e.role, e.tool,
		s.id, s.source, s.project, s.title,
		snippet(events_fts, 0, char(2), char(3), '…', `+strconv.Itoa(snippetTokens)+`)
		FROM events_fts
		CROSS JOIN events e ON e.id = events_fts.rowid
		CROSS JOIN sessions s ON s.sk = e.session_sk
		WHERE events_fts MATCH ? AND events_fts.rowid BETWEEN ? AND ?
		AND +events_fts.rowid IN `+in, append([]any{match, lo, hi}, inArgs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h reel.Hit
		var t sql.NullInt64
		var snippet string
		if err := rows.Scan(&id, &h.Seq, &t, &h.Kind, &h.Role, &h.Tool, &h.SessionID, &h.Source,
			&h.Project, &h.Title, &snippet); err != nil {
			return err
		}
		h.Time = decTime(t)
		h.Snippet, h.Highlights = reel.SplitHighlights(snippet)
		byID[id] = h
	}
	return rows.Err()
}

// idList returns "(?, ?, ...)" and the ids as arguments.
func idList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}

func queryIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ftsQuery renders a parsed query as an FTS5 expression. Every word and
// phrase becomes a double-quoted FTS5 string, so nothing a user types is
// read as FTS5 syntax (column filters, NEAR, ^, +, keywords); a prefix
// term is the string followed by '*', or the OR of the terms in expand.
func ftsQuery(n *reel.Node, expand map[*reel.Node]*prefixTerms) string {
	switch n.Op {
	case reel.OpTerm:
		if pt := expand[n]; pt != nil && len(pt.terms) > 0 {
			return orTerms(pt.terms)
		}
		if n.Prefix {
			return ftsString(n.Text) + "*"
		}
		return ftsString(n.Text)
	case reel.OpPhrase:
		return ftsString(n.Text)
	case reel.OpOr:
		parts := make([]string, len(n.Kids))
		for i, k := range n.Kids {
			parts[i] = ftsQuery(k, expand)
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	case reel.OpAnd:
		// FTS5's NOT is binary ("a NOT b"), so the positive children are
		// grouped first and each negative one is subtracted from them.
		var pos, neg []string
		for _, k := range n.Kids {
			if k.Op == reel.OpNot {
				neg = append(neg, ftsQuery(k.Kids[0], expand))
			} else {
				pos = append(pos, ftsQuery(k, expand))
			}
		}
		out := "(" + strings.Join(pos, " AND ") + ")"
		for _, n := range neg {
			out = "(" + out + " NOT " + n + ")"
		}
		return out
	}
	return `""`
}

// ftsString quotes s as an FTS5 string: '"' is doubled, and control
// characters, which the tokenizer treats as separators anyway, become
// spaces, since a NUL would end the expression early.
func ftsString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`""`)
		case unicode.IsControl(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

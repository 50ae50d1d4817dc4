package sqlite

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"sort"
	"strings"
)

const (
	// ascWidth is the widest rowid range that is read in ascending order,
	// every match of it. FTS5 seeks a doclist to a lower bound cheaply
	// (about 0.05 ms) but to an upper bound in descending order slowly
	// (about 0.3 ms for a common word), so a narrow range is cheaper read
	// whole than newest first.
	ascWidth = 2048
	// maxDirect is how many matches a search with a source or project
	// filter checks one by one (about 0.5 to 1 µs each), at most in a
	// pass, before it looks for the selected sessions' events instead.
	maxDirect = 8000
	// maxChunk is the widest rowid range one query reads for the selected
	// sessions' events.
	maxChunk = 8192
)

// noLow and noHigh stand for a missing bound of a rowid range.
const (
	noLow  = math.MinInt64
	noHigh = math.MaxInt64
)

// newest returns the ids of the newest matches of match (an FTS5
// expression) that pass the plan's filters, newest first, at most n.
func (p *searchPlan) newest(ctx context.Context, tx *sql.Tx, match string, n int) ([]int64, error) {
	switch {
	case p.span != nil:
		return p.scan(ctx, tx, match, p.span[0], p.span[1], n, p.rows())
	case len(p.sessions.conds) > 0:
		return p.newestInSessions(ctx, tx, match, n)
	}
	return p.scan(ctx, tx, match, noLow, noHigh, n, p.rows())
}

// rowFilter holds the conditions a match's event (e) must meet; with
// sessions set, they name the event's session (s) too.
type rowFilter struct {
	where
	sessions bool
}

// rows returns the plan's filters as conditions on each match.
func (p *searchPlan) rows() rowFilter {
	return rowFilter{
		where: where{
			conds: append(slices.Clone(p.events.conds), p.sessions.conds...),
			args:  append(slices.Clone(p.events.args), p.sessions.args...),
		},
		sessions: len(p.sessions.conds) > 0,
	}
}

// joins returns the tables joined to a match, whose id is id, to check f.
// CROSS JOIN keeps the match as the outer loop: matches are read in rowid
// order and f checked on each.
func (f rowFilter) joins(id string) string {
	j := ""
	if len(f.conds) > 0 {
		j += " CROSS JOIN events e ON e.id = " + id
	}
	if f.sessions {
		j += " CROSS JOIN sessions s ON s.sk = e.session_sk"
	}
	return j
}

// scan returns the newest matches of match with ids in [lo, hi] that meet
// conds, newest first, at most n.
func (p *searchPlan) scan(ctx context.Context, tx *sql.Tx, match string, lo, hi int64, n int, conds rowFilter) ([]int64, error) {
	var w where
	w.add("events_fts MATCH ?", match)
	if lo != noLow {
		w.add("events_fts.rowid >= ?", lo)
	}
	if hi != noHigh {
		w.add("events_fts.rowid <= ?", hi)
	}
	w.conds = append(w.conds, conds.conds...)
	w.args = append(w.args, conds.args...)
	from := "events_fts" + conds.joins("events_fts.rowid")
	if lo != noLow && hi != noHigh && hi-lo < ascWidth {
		ids, err := queryIDs(ctx, tx, `SELECT events_fts.rowid FROM `+from+w.sql()+
			` ORDER BY events_fts.rowid`, w.args...)
		slices.Reverse(ids)
		return ids[:min(n, len(ids))], err
	}
	return queryIDs(ctx, tx, `SELECT events_fts.rowid FROM `+from+w.sql()+`
		ORDER BY events_fts.rowid DESC LIMIT ?`, append(w.args, n)...)
}

// newestInSessions is newest for a source or project filter. The newest
// matches are checked one by one first, as many as the share of sessions
// selected promises to hold n that pass, twice over (at most maxDirect).
// If too few of them pass, and the share that passed promises the rest
// within maxDirect more matches, that many more are checked one by one.
// Otherwise (the selected sessions are rare, or were all ingested before
// the newest others), the rest are looked for in the selected sessions'
// rowid ranges: see scanSessions.
func (p *searchPlan) newestInSessions(ctx context.Context, tx *sql.Tx, match string, n int) ([]int64, error) {
	rows := p.rows()
	// The share of sessions selected foretells the share of matches that
	// pass: the first pass reads twice what that promises.
	var chosen, total int64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sessions s`+p.sessions.sql()+`),
		(SELECT count(*) FROM sessions)`, p.sessions.args...).Scan(&chosen, &total); err != nil || chosen == 0 {
		return nil, err
	}
	var found []int64
	top := int64(noHigh)
	budget := int(min(max(int64(2*n)*total/chosen, int64(n)), maxDirect))
	for pass := 0; ; pass++ {
		// The oldest of the newest budget matches at most top, and those
		// of them that pass, read newest first, as far as needed.
		var edge int64
		err := tx.QueryRowContext(ctx, `SELECT rowid FROM events_fts WHERE events_fts MATCH ? AND rowid <= ?
			ORDER BY rowid DESC LIMIT 1 OFFSET ?`, match, top, budget-1).Scan(&edge)
		if err == sql.ErrNoRows {
			ids, err := p.scan(ctx, tx, match, noLow, top, n-len(found), rows) // the last ones
			return append(found, ids...), err
		}
		if err != nil {
			return nil, err
		}
		ids, err := p.scan(ctx, tx, match, edge, top, n-len(found), rows)
		if err != nil {
			return nil, err
		}
		found = append(found, ids...)
		if len(found) == n {
			return found, nil
		}
		if pass == 0 && len(ids) > 0 && (n-len(found))*budget/len(ids) <= maxDirect {
			top, budget = edge-1, maxDirect
			continue
		}
		// The matches' density tells how many of them lie in a gap between
		// two selected sessions.
		if top == noHigh {
			if err := tx.QueryRowContext(ctx, `SELECT max(rowid) FROM events_fts WHERE events_fts MATCH ?`,
				match).Scan(&top); err != nil {
				return nil, err
			}
		}
		density := float64(budget) / float64(top-edge+1)
		more, err := p.scanSessions(ctx, tx, match, edge-1, n-len(found), density, maxChunk)
		return append(found, more...), err
	}
}

// selected is a session the filters select, with the id of its last
// event and, once looked up, of its first.
type selected struct {
	sk, first, last int64
}

// scanSessions returns the newest matches with ids at most top that pass
// the filters, at most n, reading only the rowid ranges of the sessions
// the filters select, at most width ids at once. A session's range runs
// from the id of its first event to that of its last: Apply inserts a
// session's events in seq order, each with an id above every existing
// one, so a session's ids grow with seq and its first and last events are
// one index seek each.
//
// Sessions are taken by their last event, newest first, and the ranges of
// those that overlap or lie close together are read in one query, which
// checks each match against the sessions that may have events there: a
// gap costs a check per match in it (about 1 µs), a query of its own
// about 0.1 ms, so the widest gap spanned follows the matches' density.
// A range is read only below everything read before it, and every
// selected session whose last event is above its top was read already,
// so the matches come out newest first and the search stops as soon as
// it has n.
func (p *searchPlan) scanSessions(ctx context.Context, tx *sql.Tx, match string, top int64, n int, density float64, width int64) ([]int64, error) {
	// The subquery is a result column, not a column of a subquery in FROM:
	// SQLite would evaluate that once per use.
	rows, err := tx.QueryContext(ctx, `SELECT s.sk,
			(SELECT id FROM events WHERE session_sk = s.sk ORDER BY seq DESC LIMIT 1) AS last
		FROM sessions s`+p.sessions.sql()+` ORDER BY last DESC`, p.sessions.args...)
	if err != nil {
		return nil, err
	}
	var list []selected
	for rows.Next() {
		var s selected
		var last sql.NullInt64
		if err := rows.Scan(&s.sk, &last); err != nil {
			rows.Close()
			return nil, err
		}
		if last.Valid { // NULL (no events) sorts last
			s.last = last.Int64
			list = append(list, s)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	firstID, err := tx.PrepareContext(ctx, `SELECT id FROM events WHERE session_sk = ? ORDER BY seq LIMIT 1`)
	if err != nil {
		return nil, err
	}
	defer firstID.Close()

	gap := int64(math.Min(math.Max(100/max(density, 1e-9), 256), float64(width)))
	var found []int64
	var lo, hi int64 // the range being gathered
	var open []int   // indexes in list of the sessions gathered
	// flush reads [lo, hi]. Every session gathered has its first event at
	// or above lo, so it is read whole; the sessions not taken yet whose
	// last event is at or above lo may have events there too.
	flush := func(next int) error {
		var sks []int64
		for _, i := range open {
			sks = append(sks, list[i].sk)
		}
		for i := next; i < len(list) && list[i].last >= lo; i++ {
			sks = append(sks, list[i].sk)
		}
		conds := rowFilter{where: where{conds: slices.Clone(p.events.conds), args: slices.Clone(p.events.args)}}
		conds.in64("e.session_sk", sks)
		ids, err := p.scan(ctx, tx, match, lo, hi, n-len(found), conds)
		found = append(found, ids...)
		top, open = lo-1, open[:0]
		return err
	}
	for i := range list {
		s := &list[i]
		if err := firstID.QueryRowContext(ctx, s.sk).Scan(&s.first); err != nil {
			return nil, err
		}
		end := min(s.last, top) // what is above top was read
		if len(open) > 0 {
			if end >= lo-gap && hi-min(lo, s.first) < width {
				lo = min(lo, s.first)
				open = append(open, i)
				continue
			}
			if err := flush(i); err != nil || len(found) >= n {
				return found, err
			}
			end = min(end, top)
		}
		if s.first <= end {
			lo, hi = s.first, end
			open = append(open, i)
		}
	}
	if len(open) > 0 {
		err = flush(len(list))
	}
	return found, err
}

// passing returns the ids that pass the plan's filters, in any order.
func (p *searchPlan) passing(ctx context.Context, tx *sql.Tx, ids []int64) ([]int64, error) {
	conds := p.rows()
	if len(conds.conds) == 0 || len(ids) == 0 {
		return ids, nil
	}
	from := "events e"
	if conds.sessions {
		from += " CROSS JOIN sessions s ON s.sk = e.session_sk"
	}
	var out []int64
	for start := 0; start < len(ids); start += detailsChunk {
		in, args := idList(ids[start:min(start+detailsChunk, len(ids))])
		w := where{conds: append([]string{"e.id IN " + in}, conds.conds...), args: append(args, conds.args...)}
		got, err := queryIDs(ctx, tx, `SELECT e.id FROM `+from+w.sql(), w.args...)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// matchingProjects returns the distinct projects that hold needle,
// folding case as a session listing's project filter does: ASCII letters
// for an ASCII needle (as LIKE does), every letter otherwise.
func matchingProjects(ctx context.Context, tx *sql.Tx, needle string) ([]string, error) {
	fold := strings.ToLower
	if isASCII(needle) {
		fold = asciiLower
	}
	needle = fold(needle)
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT project FROM sessions`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var project string
		if err := rows.Scan(&project); err != nil {
			return nil, err
		}
		if strings.Contains(fold(project), needle) {
			out = append(out, project)
		}
	}
	return out, rows.Err()
}

// asciiLower lowercases the ASCII letters of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// in64 adds "col IN (...)" for ids; no id matches nothing.
func (w *where) in64(col string, ids []int64) {
	if len(ids) == 0 {
		w.add("0")
		return
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	in, args := idList(slices.Compact(ids))
	w.add(col+" IN "+in, args...)
}

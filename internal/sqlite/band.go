package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"github.com/mattn/go-sqlite3"
)

const (
	// bandDepth is how many best matches of a word its band ranks
	// exactly when it is built: a search for one word with a limit up to
	// the band's depth is answered from the band alone.
	bandDepth = 128
	// bandMinDF is how many events a word must match for Apply to keep a
	// band for it; below it, FTS5 ranks all matches cheaply (rankMax).
	bandMinDF = rankMax
	// bandRebuildDepth is the depth below which Apply rebuilds a band
	// from the index: each removed band member lowers the depth by one.
	bandRebuildDepth = bandDepth / 2
	// bandCandidateShare: a word in at least one of every
	// bandCandidateShare new events of an Apply is checked for a band.
	bandCandidateShare = 200
	// bandSampleEvery: one in bandSampleEvery new events is split into
	// all its words to find words that may need a band.
	bandSampleEvery = 8
	// bm25K1 and bm25B are FTS5's bm25 parameters.
	bm25K1 = 1.2
	bm25B  = 0.75
)

// bandEntry is one event of a band: its id, how often the word occurs in
// it (tf) and its length in tokens (dl).
type bandEntry struct {
	id     int64
	tf, dl uint64
}

// beats reports whether a ranks above b for every average event length:
// at least as often and as short, and on equal counts the newer.
func (a bandEntry) beats(b bandEntry) bool {
	if a.tf < b.tf || a.dl > b.dl {
		return false
	}
	return a.tf != b.tf || a.dl != b.dl || a.id > b.id
}

// skyband returns the entries that fewer than depth others beat, sorted
// by id. bm25 of one word grows with tf and shrinks with dl, so the depth
// best by bm25, newest first on ties, are among them for any idf and
// average length. Whoever beats a kept entry is kept too (beating is
// transitive), so the skyband of a skyband and new entries is the
// skyband of all: a band is kept current from itself and new events.
func skyband(es []bandEntry, depth int) []bandEntry {
	// In order of tf descending, dl ascending, id descending, the entries
	// that beat one are exactly those before it with dl at most its dl.
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.tf != b.tf {
			return a.tf > b.tf
		}
		if a.dl != b.dl {
			return a.dl < b.dl
		}
		return a.id > b.id
	})
	dls := make([]uint64, len(es))
	for i, e := range es {
		dls[i] = e.dl
	}
	slices.Sort(dls)
	dls = slices.Compact(dls)
	tree := make([]int, len(dls)+1) // a Fenwick tree of counts by dl rank
	out := es[:0:0]
	for _, e := range es {
		r, _ := slices.BinarySearch(dls, e.dl)
		n := 0
		for i := r + 1; i > 0; i -= i & -i {
			n += tree[i]
		}
		if n < depth {
			out = append(out, e)
		}
		for i := r + 1; i < len(tree); i += i & -i {
			tree[i]++
		}
	}
	slices.SortFunc(out, func(a, b bandEntry) int { return compareDesc(b.id, a.id) })
	return out
}

// encodeBand packs entries sorted by id as deltas and counts in varints.
func encodeBand(es []bandEntry) []byte {
	b := make([]byte, 0, len(es)*6)
	var prev int64
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.id-prev))
		b = binary.AppendUvarint(b, e.tf)
		b = binary.AppendUvarint(b, e.dl)
		prev = e.id
	}
	return b
}

func decodeBand(b []byte) ([]bandEntry, error) {
	var out []bandEntry
	var prev int64
	for len(b) > 0 {
		var v [3]uint64
		for i := range v {
			x, n := binary.Uvarint(b)
			if n <= 0 {
				return nil, errors.New("decode band: truncated")
			}
			v[i], b = x, b[n:]
		}
		prev += int64(v[0])
		out = append(out, bandEntry{id: prev, tf: v[1], dl: v[2]})
	}
	return out, nil
}

// ftsVarint decodes one of SQLite's and FTS5's big-endian varints.
func ftsVarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// bm25 is FTS5's bm25 of one word (higher is better here; FTS5 negates
// it): n events in the index, avgdl their mean length, df of them match.
func bm25(n, df float64, avgdl float64, e bandEntry) float64 {
	idf := math.Log((n - df + 0.5) / (df + 0.5))
	if idf <= 0 {
		idf = 1e-6
	}
	tf, dl := float64(e.tf), float64(e.dl)
	return idf * (tf * (bm25K1 + 1)) / (tf + bm25K1*(1-bm25B+bm25B*dl/avgdl))
}

// indexAverages returns the index's number of events and their mean
// length in tokens, from the record FTS5 keeps them in.
func indexAverages(ctx context.Context, tx *sql.Tx) (n, avgdl float64, err error) {
	var rec []byte
	if err := tx.QueryRowContext(ctx, `SELECT block FROM events_fts_data WHERE id = 1`).Scan(&rec); err != nil {
		return 0, 0, fmt.Errorf("read index averages: %w", err)
	}
	rows, k := ftsVarint(rec)
	if k == 0 {
		return 0, 0, errors.New("read index averages: truncated")
	}
	tokens, k2 := ftsVarint(rec[k:])
	if k2 == 0 {
		return 0, 0, errors.New("read index averages: truncated")
	}
	if rows == 0 || tokens == 0 {
		return 0, 0, nil
	}
	return float64(rows), float64(tokens) / float64(rows), nil
}

// bandTop ranks the matches of the index term from its band: ok is false
// when the term has none or the band is too shallow for limit.
func bandTop(ctx context.Context, tx *sql.Tx, term string, limit int) (ids []int64, scores []float64, ok bool, err error) {
	ids, scores, depth, err := bandRanked(ctx, tx, term)
	if err != nil || depth < limit {
		return nil, nil, false, err
	}
	n := min(limit, len(ids))
	return ids[:n], scores[:n], true, nil
}

// bandRanked returns the term's best matches by bm25, best first (newest
// first on ties), as far as its band ranks them exactly: depth of them
// (all, if fewer match). depth is 0 when the term has no band.
func bandRanked(ctx context.Context, tx *sql.Tx, term string) (ids []int64, scores []float64, depth int, err error) {
	var df, d int64
	var blob []byte
	err = tx.QueryRowContext(ctx, `SELECT df, depth, band FROM fts_bands WHERE term = ?`, term).Scan(&df, &d, &blob)
	if err == sql.ErrNoRows {
		return nil, nil, 0, nil
	}
	if err != nil {
		return nil, nil, 0, err
	}
	es, err := decodeBand(blob)
	if err != nil {
		return nil, nil, 0, err
	}
	n, avgdl, err := indexAverages(ctx, tx)
	if err != nil || n == 0 || len(es) == 0 {
		// An empty index or band: FTS5 ranks whatever matches.
		return nil, nil, 0, err
	}
	type scored struct {
		id int64
		s  float64
	}
	all := make([]scored, len(es))
	for i, e := range es {
		all[i] = scored{e.id, bm25(n, float64(df), avgdl, e)}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].s != all[j].s {
			return all[i].s > all[j].s
		}
		return all[i].id > all[j].id
	})
	all = all[:min(int(d), len(all))]
	for _, a := range all {
		ids = append(ids, a.id)
		scores = append(scores, a.s)
	}
	return ids, scores, int(d), nil
}

// bandFiltered ranks the matches of the index term that pass the plan's
// filters from its band: the first limit of its exactly ranked matches
// that pass are the best that pass. ok is false when fewer pass.
func (p *searchPlan) bandFiltered(ctx context.Context, tx *sql.Tx, limit int) (ids []int64, scores []float64, ok bool, err error) {
	all, allScores, _, err := bandRanked(ctx, tx, p.term)
	if err != nil || len(all) < limit {
		return nil, nil, false, err
	}
	pass, err := p.passing(ctx, tx, all)
	if err != nil || len(pass) < limit {
		return nil, nil, false, err
	}
	passed := make(map[int64]bool, len(pass))
	for _, id := range pass {
		passed[id] = true
	}
	for i, id := range all {
		if passed[id] {
			ids, scores = append(ids, id), append(scores, allScores[i])
			if len(ids) == limit {
				break
			}
		}
	}
	return ids, scores, true, nil
}

// bandText is an event's indexed text.
type bandText struct {
	id   int64
	body []byte
	dl   uint64
}

// termCounts returns, for each index term of the events that keep
// accepts (every term when keep is nil), the events holding it with the
// term's count. ASCII text is split in Go as the tokenizer does (see
// tokens); text with other characters is tokenized by FTS5 itself in a
// temporary index on c, so that every count is exact. With every > 0,
// sampled counts the occurrences of every term in each every-th event of
// ASCII text.
func termCounts(c *sqlite3Conn, evs []bandText, keep func([]byte) bool, every int) (
	out map[string][]bandEntry, sampled map[string]int, err error) {
	out, sampled = map[string][]bandEntry{}, map[string]int{}
	var other []bandText
	tf := map[string]uint64{}
	for i, ev := range evs {
		if !asciiText(ev.body) {
			other = append(other, ev)
			continue
		}
		clear(tf)
		sample := every > 0 && i%every == 0
		asciiTokens(ev.body, func(w []byte) {
			if sample {
				sampled[string(w)]++
			}
			if keep == nil || keep(w) {
				tf[string(w)]++
			}
		})
		for w, n := range tf {
			out[w] = append(out[w], bandEntry{id: ev.id, tf: n, dl: ev.dl})
		}
	}
	if len(other) == 0 {
		return out, sampled, nil
	}
	if err := c.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.band_tok USING fts5 (body,
		tokenize = 'unicode61 remove_diacritics 2')`); err != nil {
		return nil, nil, err
	}
	if err := c.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.band_tok_instance USING fts5vocab ('temp', 'band_tok', 'instance')`); err != nil {
		return nil, nil, err
	}
	dl := map[int64]uint64{}
	for _, ev := range other {
		if err := c.execPrepared(`INSERT INTO temp.band_tok (rowid, body) VALUES (?, ?)`, ev.id, ev.body); err != nil {
			return nil, nil, err
		}
		dl[ev.id] = ev.dl
	}
	err = c.query(`SELECT term, doc, count(*) FROM temp.band_tok_instance GROUP BY term, doc`, nil, func(v []driver.Value) {
		w := textValue(v[0])
		if keep != nil && !keep([]byte(w)) {
			return
		}
		id := v[1].(int64)
		out[w] = append(out[w], bandEntry{id: id, tf: uint64(v[2].(int64)), dl: dl[id]})
	}, 3)
	if err != nil {
		return nil, nil, err
	}
	return out, sampled, c.exec(`DELETE FROM temp.band_tok`)
}

func textValue(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

// asciiText reports whether b is ASCII alone.
func asciiText(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// asciiTokens calls word with each token of ASCII text, lowercased: runs
// of ASCII letters and digits, as the tokenizer makes them.
func asciiTokens(b []byte, word func([]byte)) {
	buf := make([]byte, 0, 64)
	for i := 0; i <= len(b); i++ {
		var c byte
		if i < len(b) {
			c = b[i]
		}
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			buf = append(buf, c)
		case 'A' <= c && c <= 'Z':
			buf = append(buf, c+('a'-'A'))
		default:
			if len(buf) > 0 {
				word(buf)
				buf = buf[:0]
			}
		}
	}
}

// bandUpdate keeps the bands current in Apply's transaction, after the
// transaction's new events (ids from from on; 0 if none) were indexed.
// removed are the events with ids below from that the transaction
// unindexed, read before they were deleted.
func bandUpdate(sc *sqlite3.SQLiteConn, seen *bandSeen, removed []bandText, from int64) error {
	c := &sqlite3Conn{c: sc}
	defer c.close()
	if len(removed) > 0 {
		if err := bandRemove(c, removed); err != nil {
			return fmt.Errorf("remove from bands: %w", err)
		}
	}
	if from == 0 {
		return nil
	}
	if err := bandAdd(c, seen, from); err != nil {
		return fmt.Errorf("add to bands: %w", err)
	}
	return nil
}

type bandRow struct {
	df, depth int64
	band      []bandEntry
}

func readBandRow(c *sqlite3Conn, term string) (*bandRow, error) {
	var r *bandRow
	var derr error
	err := c.queryPrepared(`SELECT df, depth, band FROM fts_bands WHERE term = ?`, []any{term}, func(v []driver.Value) {
		r = &bandRow{df: v[0].(int64), depth: v[1].(int64)}
		b, _ := v[2].([]byte)
		r.band, derr = decodeBand(b)
	}, 3)
	if err == nil {
		err = derr
	}
	return r, err
}

func writeBandRow(c *sqlite3Conn, term string, r *bandRow) error {
	return c.execPrepared(`INSERT OR REPLACE INTO fts_bands (term, df, depth, band) VALUES (?, ?, ?, ?)`,
		term, r.df, r.depth, encodeBand(r.band))
}

func bandRemove(c *sqlite3Conn, removed []bandText) error {
	counts, _, err := termCounts(c, removed, nil, 0)
	if err != nil {
		return err
	}
	for term, es := range counts {
		r, err := readBandRow(c, term)
		if err != nil || r == nil {
			if err != nil {
				return err
			}
			continue
		}
		r.df -= int64(len(es))
		for _, e := range es {
			if i := slices.IndexFunc(r.band, func(b bandEntry) bool { return b.id == e.id }); i >= 0 {
				r.band = slices.Delete(r.band, i, i+1)
				r.depth--
			}
		}
		if err := writeBandRow(c, term, r); err != nil {
			return err
		}
	}
	return nil
}

// bandSeen remembers, for the words without a band that Apply checked,
// how many events they matched at most, so that a word is checked again
// only once it may match more than bandMinDF: each check reads the
// word's doclist. It is a hint, kept per Store: a word checked later
// than it might have been is ranked exactly by FTS5 meanwhile.
type bandSeen struct {
	df map[string]int64
}

func bandAdd(c *sqlite3Conn, seen *bandSeen, from int64) error {
	var evs []bandText
	err := c.query(`SELECT s.id, s.body, d.sz FROM event_fts_source s
		JOIN events_fts_docsize d ON d.id = s.id WHERE s.id >= ?`, []any{from}, func(v []driver.Value) {
		ev := bandText{id: v[0].(int64)}
		switch b := v[1].(type) {
		case string:
			ev.body = []byte(b)
		case []byte:
			ev.body = slices.Clone(b)
		}
		sz, _ := v[2].([]byte)
		ev.dl, _ = ftsVarint(sz)
		evs = append(evs, ev)
	}, 3)
	if err != nil || len(evs) == 0 {
		return err
	}
	// The words with bands: only their counts are needed, and only some
	// events are split into every word to find new frequent ones.
	bands := map[string]bool{}
	err = c.query(`SELECT term FROM fts_bands`, nil, func(v []driver.Value) {
		bands[textValue(v[0])] = true
	}, 1)
	if err != nil {
		return err
	}
	counts, sampled, err := termCounts(c, evs, func(w []byte) bool {
		_, ok := bands[string(w)]
		return ok
	}, bandSampleEvery)
	if err != nil {
		return err
	}
	for term, es := range counts {
		r, err := readBandRow(c, term)
		if err != nil {
			return err
		}
		if r.depth < bandRebuildDepth {
			if err := bandBuild(c, term, true); err != nil {
				return err
			}
			continue
		}
		r.df += int64(len(es))
		r.band = skyband(append(r.band, es...), int(r.depth))
		if err := writeBandRow(c, term, r); err != nil {
			return err
		}
	}
	for term, n := range sampled {
		if _, ok := bands[term]; ok {
			continue
		}
		est := int64(n * bandSampleEvery)
		df, known := seen.df[term]
		if known && df+est <= bandMinDF {
			seen.df[term] = df + est
			continue
		}
		if !known && est*bandCandidateShare < int64(len(evs)) {
			continue
		}
		df, err := bandBuildFrequent(c, term)
		if err != nil {
			return err
		}
		if df > bandMinDF {
			delete(seen.df, term)
			continue
		}
		if seen.df == nil {
			seen.df = map[string]int64{}
		}
		seen.df[term] = df
	}
	return nil
}

// bandBuildFrequent builds the band of term when the term matches more
// than bandMinDF events, and returns how many it matches.
func bandBuildFrequent(c *sqlite3Conn, term string) (int64, error) {
	var df int64
	err := c.queryPrepared(`SELECT doc FROM events_fts_vocab WHERE term = ?`, []any{term}, func(v []driver.Value) {
		df = v[0].(int64)
	}, 1)
	if err != nil || df <= bandMinDF {
		return df, err
	}
	return df, bandBuild(c, term, false)
}

// bandBuild builds the band of term from the index when the term matches
// more than bandMinDF events (or always, with force).
func bandBuild(c *sqlite3Conn, term string, force bool) error {
	var es []bandEntry
	err := c.query(`SELECT i.doc, count(*), d.sz FROM events_fts_instance i
		JOIN events_fts_docsize d ON d.id = i.doc WHERE i.term = ? GROUP BY i.doc`, []any{term}, func(v []driver.Value) {
		sz, _ := v[2].([]byte)
		dl, _ := ftsVarint(sz)
		es = append(es, bandEntry{id: v[0].(int64), tf: uint64(v[1].(int64)), dl: dl})
	}, 3)
	if err != nil {
		return err
	}
	if len(es) <= bandMinDF && !force {
		return nil
	}
	r := &bandRow{df: int64(len(es)), depth: bandDepth, band: skyband(es, bandDepth)}
	return writeBandRow(c, term, r)
}

// sqlite3Conn runs statements on a driver connection without
// database/sql's per-argument conversions.
type sqlite3Conn struct {
	c     *sqlite3.SQLiteConn
	stmts map[string]driver.Stmt // prepared statements by query
}

func (c *sqlite3Conn) exec(query string, args ...any) error {
	_, err := c.c.ExecContext(context.Background(), query, namedValues(args))
	return err
}

// prepared returns query prepared, once per sqlite3Conn.
func (c *sqlite3Conn) prepared(query string) (driver.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.c.Prepare(query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]driver.Stmt{}
	}
	c.stmts[query] = st
	return st, nil
}

// close closes the prepared statements.
func (c *sqlite3Conn) close() {
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}

// execPrepared runs a prepared statement.
func (c *sqlite3Conn) execPrepared(query string, args ...any) error {
	st, err := c.prepared(query)
	if err != nil {
		return err
	}
	_, err = st.(driver.StmtExecContext).ExecContext(context.Background(), namedValues(args))
	return err
}

// queryPrepared is query through a prepared statement.
func (c *sqlite3Conn) queryPrepared(query string, args []any, row func([]driver.Value), n int) error {
	st, err := c.prepared(query)
	if err != nil {
		return err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(context.Background(), namedValues(args))
	if err != nil {
		return err
	}
	return eachRow(rows, row, n)
}

// query calls row with each row's n values; the values are valid only
// during the call.
func (c *sqlite3Conn) query(query string, args []any, row func([]driver.Value), n int) error {
	rows, err := c.c.QueryContext(context.Background(), query, namedValues(args))
	if err != nil {
		return err
	}
	return eachRow(rows, row, n)
}

func eachRow(rows driver.Rows, row func([]driver.Value), n int) error {
	defer rows.Close()
	dest := make([]driver.Value, n)
	for {
		switch err := rows.Next(dest); err {
		case nil:
			row(dest)
		case io.EOF:
			return nil
		default:
			return err
		}
	}
}

func namedValues(args []any) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

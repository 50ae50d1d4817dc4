package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// opencode's database (session.sql.ts) keeps a session as rows of three
// tables: session (one row of columns), message (id, session_id,
// time_created, time_updated, data) and part (id, message_id, session_id,
// time_created, time_updated, data), where data is the message's or part's
// JSON without the ids the columns hold. opencode reads messages in
// (time_created, id) order and parts in (message_id, id) order; reel emits
// the session row, then each message row followed by its parts' rows.

// opencodeTables are the tables a session's rows come from.
var opencodeTables = [...]string{"session", "message", "part"}

// opencodeIndex is what Discover and Stamp need from one copy of a
// database, read once per copy.
type opencodeIndex struct {
	cols     map[string][]string // each table's columns; nil when absent
	sessions []opencodeDBSession // by id
	stamps   map[string]reel.Stamp
}

// opencodeDBSession is one session a database holds.
type opencodeDBSession struct {
	id, parent string
}

// opencodeTally sums up one session's rows of one table.
type opencodeTally struct {
	rows, bytes, updated int64
}

// opencodeBuildIndex lists a database's sessions and sums up each one's
// rows: their count, their size in bytes (octet_length reads no content)
// and their newest time_updated, which opencode sets on every write.
func opencodeBuildIndex(ctx context.Context, db *sql.DB) (*opencodeIndex, error) {
	idx := &opencodeIndex{cols: map[string][]string{}, stamps: map[string]reel.Stamp{}}
	for _, t := range opencodeTables {
		cols, err := foreignColumns(ctx, db, t)
		if err != nil {
			return nil, err
		}
		idx.cols[t] = cols
	}
	if idx.cols["message"] == nil {
		return idx, nil // not an opencode database, or an empty one
	}
	tallies := map[string]*[3]opencodeTally{}
	parents := map[string]string{}
	for ti, t := range opencodeTables {
		cols := idx.cols[t]
		key := "session_id"
		if t == "session" {
			key = "id"
		}
		if !slices.Contains(cols, key) {
			continue
		}
		parent := "NULL"
		if t == "session" && slices.Contains(cols, "parent_id") {
			parent = "+parent_id"
		}
		updated := "0"
		if slices.Contains(cols, "time_updated") {
			updated = "max(time_updated)"
		}
		q := fmt.Sprintf("SELECT +%s, count(*), %s, %s, max(%s) FROM %s GROUP BY 1",
			foreignQuote(key), updated, opencodeOctets(cols), parent, foreignQuote(t))
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("sum up %s rows: %w", t, err)
		}
		got, err := foreignScan(rows, 5)
		if err != nil {
			return nil, fmt.Errorf("sum up %s rows: %w", t, err)
		}
		for _, r := range got {
			id := opencodeText(r[0])
			if id == "" {
				continue
			}
			if tallies[id] == nil {
				tallies[id] = &[3]opencodeTally{}
			}
			tallies[id][ti] = opencodeTally{rows: opencodeInt(r[1]), updated: opencodeInt(r[2]), bytes: opencodeInt(r[3])}
			if p := opencodeText(r[4]); p != "" {
				parents[id] = p
			}
		}
	}
	for id, ts := range tallies {
		idx.sessions = append(idx.sessions, opencodeDBSession{id: id, parent: parents[id]})
		var st reel.Stamp
		var newest int64
		for _, t := range ts {
			st.Size += t.bytes
			newest = max(newest, t.updated)
		}
		if newest > 0 {
			st.ModTime = time.UnixMilli(newest).UTC()
		}
		st.Hash = fmt.Sprintf("rows:%d/%d:%d/%d:%d/%d", ts[0].rows, ts[0].updated, ts[1].rows, ts[1].updated, ts[2].rows, ts[2].updated)
		idx.stamps[id] = st
	}
	sort.Slice(idx.sessions, func(i, j int) bool { return idx.sessions[i].id < idx.sessions[j].id })
	return idx, nil
}

// opencodeOctets returns an expression that sums the size of a group's
// values in every column.
func opencodeOctets(cols []string) string {
	terms := make([]string, len(cols))
	for i, c := range cols {
		terms[i] = "coalesce(sum(octet_length(" + foreignQuote(c) + ")), 0)"
	}
	return strings.Join(terms, " + ")
}

// opencodeText returns a stored value as text.
func opencodeText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// opencodeInt returns a stored number as an integer.
func opencodeInt(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

// discoverDB lists the sessions of the database at path.
func (o *Opencode) discoverDB(ctx context.Context, path string) ([]reel.SourceFile, error) {
	var files []reel.SourceFile
	err := o.dbs.use(ctx, path, func(s *foreignSnapshot[*opencodeIndex]) error {
		for _, sess := range s.index.sessions {
			files = append(files, reel.SourceFile{
				Path:           path,
				Source:         reel.SourceOpencode,
				NativeID:       sess.id,
				ParentNativeID: sess.parent,
				Layout:         reel.LayoutCustom,
				Key:            sess.id,
			})
		}
		return nil
	})
	return files, err
}

// opencodeReadRows reads session id's rows from a copy, in order.
func opencodeReadRows(ctx context.Context, s *foreignSnapshot[*opencodeIndex], id string) ([]reel.RawRecord, error) {
	db, cols := s.conn.db, s.index.cols
	query := func(table, order string) ([]foreignRow, error) {
		c := cols[table]
		key := "session_id"
		if table == "session" {
			key = "id"
		}
		if c == nil || !slices.Contains(c, key) {
			return nil, nil
		}
		q := fmt.Sprintf("SELECT %s FROM %s WHERE %s = ?", foreignSelect(c), foreignQuote(table), foreignQuote(key))
		if order != "" {
			q += " ORDER BY " + order
		}
		rows, err := db.QueryContext(ctx, q, id)
		if err != nil {
			return nil, fmt.Errorf("read %s rows: %w", table, err)
		}
		got, err := foreignScan(rows, len(c))
		if err != nil {
			return nil, fmt.Errorf("read %s rows: %w", table, err)
		}
		return got, nil
	}
	order := func(table string, keys ...string) string {
		var have []string
		for _, k := range keys {
			if slices.Contains(cols[table], k) {
				have = append(have, foreignQuote(k))
			}
		}
		return strings.Join(have, ", ")
	}
	sessions, err := query("session", "")
	if err != nil {
		return nil, err
	}
	messages, err := query("message", order("message", "time_created", "id"))
	if err != nil {
		return nil, err
	}
	parts, err := query("part", order("part", "message_id", "id"))
	if err != nil {
		return nil, err
	}
	var recs []reel.RawRecord
	add := func(table string, row foreignRow) error {
		data, err := foreignRowJSON(cols[table], row)
		if err != nil {
			return fmt.Errorf("read %s row: %w", table, err)
		}
		name := table + ":"
		if i := slices.Index(cols[table], "id"); i >= 0 {
			name += opencodeText(row[i])
		}
		recs = append(recs, reel.RawRecord{Name: name, Data: data})
		return nil
	}
	for _, r := range sessions {
		if err := add("session", r); err != nil {
			return nil, err
		}
	}
	byMessage := map[string][]foreignRow{}
	partMsg := slices.Index(cols["part"], "message_id")
	for _, r := range parts {
		m := ""
		if partMsg >= 0 {
			m = opencodeText(r[partMsg])
		}
		byMessage[m] = append(byMessage[m], r)
	}
	msgID := slices.Index(cols["message"], "id")
	for _, r := range messages {
		if err := add("message", r); err != nil {
			return nil, err
		}
		if msgID < 0 {
			continue
		}
		m := opencodeText(r[msgID])
		for _, p := range byMessage[m] {
			if err := add("part", p); err != nil {
				return nil, err
			}
		}
		delete(byMessage, m)
	}
	// Parts whose message row is gone still belong to the session; they
	// come last, in opencode's order.
	for _, r := range parts {
		if partMsg >= 0 {
			if _, left := byMessage[opencodeText(r[partMsg])]; !left {
				continue
			}
		}
		if err := add("part", r); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/reel-sh/reel"
)

// Cursor's state database has VS Code's key-value tables, "CREATE TABLE
// cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)" (and
// ItemTable, which holds no conversations). The values are JSON. The keys
// of a conversation are:
//
//	composerData:<composerId>           the composer: name, createdAt,
//	                                    lastUpdatedAt, modelConfig, and its
//	                                    bubbles in order as
//	                                    fullConversationHeadersOnly
//	                                    [{bubbleId, type}] (or, before
//	                                    bubbles had rows, inline as
//	                                    conversation [bubble])
//	bubbleId:<composerId>:<bubbleId>    one bubble (message)
//
// A subagent's bubbles are kept under the composer id task-<toolCallId>,
// named by the tool call that started it, often with no composerData row.

// Key prefixes, and the prefixes just past them, bounding index ranges.
const (
	cursorComposerKey = "composerData:"
	cursorBubbleKey   = "bubbleId:"
	cursorTaskPrefix  = "task-"
)

// cursorKeyEnd returns the least key greater than every key starting with
// prefix, which ends in ':': the same with ';'.
func cursorKeyEnd(prefix string) string { return prefix[:len(prefix)-1] + ";" }

// cursorIndex is what Discover and Stamp need from one copy of a database.
type cursorIndex struct {
	composers []cursorComposer // by id
	stamps    map[string]reel.Stamp
}

// cursorComposer is one conversation a database holds.
type cursorComposer struct {
	id, parent string
}

// cursorTally sums up a composer's rows without reading their values.
type cursorTally struct {
	composerRowid, composerBytes int64
	bubbles, bubbleBytes         int64
	rowidSum, rowidMax           int64
}

// cursorBubbleComposer returns the composer a bubble key belongs to: what
// lies between the prefix and the last colon (bubble ids have none).
func cursorBubbleComposer(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, cursorBubbleKey)
	i := strings.LastIndexByte(rest, ':')
	if !ok || i <= 0 {
		return "", false
	}
	return rest[:i], true
}

// cursorBuildIndex lists a database's composers and sums up each one's
// rows. Only keys and row headers are read, never values, except to find
// the parents of subagents when there are any.
func cursorBuildIndex(ctx context.Context, db *sql.DB) (*cursorIndex, error) {
	idx := &cursorIndex{stamps: map[string]reel.Stamp{}}
	cols, err := foreignColumns(ctx, db, "cursorDiskKV")
	if err != nil || cols == nil {
		return idx, err // no such table: a workspace's database, say
	}
	tallies := map[string]*cursorTally{}
	tally := func(id string) *cursorTally {
		if tallies[id] == nil {
			tallies[id] = &cursorTally{}
		}
		return tallies[id]
	}
	scan := func(prefix string, fn func(key string, bytes, rowid int64)) error {
		rows, err := db.QueryContext(ctx,
			"SELECT CAST(key AS TEXT), coalesce(octet_length(value), 0), rowid FROM cursorDiskKV WHERE key >= ? AND key < ?",
			prefix, cursorKeyEnd(prefix))
		if err != nil {
			return fmt.Errorf("list %s rows: %w", prefix, err)
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var n, rowid int64
			if err := rows.Scan(&key, &n, &rowid); err != nil {
				return fmt.Errorf("list %s rows: %w", prefix, err)
			}
			fn(key, n, rowid)
		}
		return rows.Err()
	}
	err = scan(cursorComposerKey, func(key string, n, rowid int64) {
		t := tally(strings.TrimPrefix(key, cursorComposerKey))
		t.composerRowid, t.composerBytes = rowid, n
	})
	if err != nil {
		return nil, err
	}
	err = scan(cursorBubbleKey, func(key string, n, rowid int64) {
		id, ok := cursorBubbleComposer(key)
		if !ok {
			return
		}
		t := tally(id)
		t.bubbles++
		t.bubbleBytes += n
		t.rowidSum += rowid
		t.rowidMax = max(t.rowidMax, rowid)
	})
	if err != nil {
		return nil, err
	}
	var tasks []string
	for id, t := range tallies {
		if id == "" {
			continue
		}
		idx.composers = append(idx.composers, cursorComposer{id: id})
		idx.stamps[id] = reel.Stamp{
			Size: t.composerBytes + t.bubbleBytes,
			Hash: fmt.Sprintf("kv:%d:%d:%d:%d:%d", t.composerRowid, t.composerBytes, t.bubbles, t.rowidSum, t.rowidMax),
		}
		if strings.HasPrefix(id, cursorTaskPrefix) {
			tasks = append(tasks, id)
		}
	}
	sort.Slice(idx.composers, func(i, j int) bool { return idx.composers[i].id < idx.composers[j].id })
	if len(tasks) > 0 {
		parents, err := cursorTaskParents(ctx, db)
		if err != nil {
			return nil, err
		}
		for i, c := range idx.composers {
			if strings.HasPrefix(c.id, cursorTaskPrefix) {
				idx.composers[i].parent = parents[strings.TrimPrefix(c.id, cursorTaskPrefix)]
			}
		}
	}
	return idx, nil
}

// cursorTaskParents maps each tool call id to the composer whose bubble
// made the call, for the subagents a task tool call started. It reads the
// bubbles that name a tool call.
func cursorTaskParents(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT CAST(key AS TEXT), json_extract(CAST(value AS TEXT), '$.toolFormerData.toolCallId')
		FROM cursorDiskKV WHERE key >= ? AND key < ? AND key NOT LIKE 'bubbleId:task-%'
		AND instr(CAST(value AS TEXT), '"toolCallId"') > 0 AND json_valid(CAST(value AS TEXT))`,
		cursorBubbleKey, cursorKeyEnd(cursorBubbleKey))
	if err != nil {
		return nil, fmt.Errorf("find subagents' parents: %w", err)
	}
	defer rows.Close()
	parents := map[string]string{}
	for rows.Next() {
		var key string
		var call sql.NullString
		if err := rows.Scan(&key, &call); err != nil {
			return nil, fmt.Errorf("find subagents' parents: %w", err)
		}
		if id, ok := cursorBubbleComposer(key); ok && call.String != "" {
			parents[call.String] = id
		}
	}
	return parents, rows.Err()
}

// discoverDB calls fn for each composer of the database at path.
func (c *Cursor) discoverDB(ctx context.Context, path string, fn func(reel.SourceFile) error) error {
	var files []reel.SourceFile
	ids := map[string]bool{}
	err := c.dbs.use(ctx, path, func(s *foreignSnapshot[*cursorIndex]) error {
		for _, comp := range s.index.composers {
			ids[comp.id] = true
			files = append(files, reel.SourceFile{
				Path:           path,
				Source:         reel.SourceCursor,
				NativeID:       comp.id,
				ParentNativeID: comp.parent,
				Layout:         reel.LayoutCustom,
				Key:            comp.id,
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.composers[path] = ids
	c.mu.Unlock()
	for _, f := range files {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// cursorRowCols are cursorDiskKV's columns, as a record names them.
var cursorRowCols = []string{"key", "value"}

// cursorReadRows reads composer id's rows: its composerData row, its
// bubbles in the order its headers give, then any other bubble of it by
// creation time and row id.
func cursorReadRows(ctx context.Context, db *sql.DB, id string) ([]reel.RawRecord, error) {
	query := func(q string, args ...any) ([]foreignRow, error) {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		return foreignScan(rows, 3)
	}
	composer, err := query("SELECT +key, +value, rowid FROM cursorDiskKV WHERE key = ?", cursorComposerKey+id)
	if err != nil {
		return nil, fmt.Errorf("read composer row: %w", err)
	}
	prefix := cursorBubbleKey + id + ":"
	bubbles, err := query("SELECT +key, +value, rowid FROM cursorDiskKV WHERE key >= ? AND key < ?", prefix, cursorKeyEnd(prefix))
	if err != nil {
		return nil, fmt.Errorf("read bubble rows: %w", err)
	}
	var recs []reel.RawRecord
	add := func(row foreignRow) error {
		data, err := foreignRowJSON(cursorRowCols, row[:2])
		if err != nil {
			return fmt.Errorf("read cursorDiskKV row: %w", err)
		}
		recs = append(recs, reel.RawRecord{Name: "cursorDiskKV:" + opencodeText(row[0]), Data: data})
		return nil
	}
	var order []string
	for _, row := range composer {
		if err := add(row); err != nil {
			return nil, err
		}
		order = cursorHeaderOrder(row[1])
	}
	byID := map[string]foreignRow{}
	for _, row := range bubbles {
		if c, ok := cursorBubbleComposer(opencodeText(row[0])); ok && c == id {
			byID[strings.TrimPrefix(opencodeText(row[0]), prefix)] = row
		}
	}
	for _, b := range order {
		if row, ok := byID[b]; ok {
			if err := add(row); err != nil {
				return nil, err
			}
			delete(byID, b)
		}
	}
	type rest struct {
		row     foreignRow
		created string
	}
	var others []rest
	for _, row := range byID {
		others = append(others, rest{row: row, created: cursorCreatedAt(row[1])})
	}
	sort.Slice(others, func(i, j int) bool {
		a, b := others[i], others[j]
		if (a.created == "") != (b.created == "") {
			return b.created == "" // rows that tell their time first
		}
		if a.created != b.created {
			return a.created < b.created
		}
		return opencodeInt(a.row[2]) < opencodeInt(b.row[2])
	})
	for _, o := range others {
		if err := add(o.row); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// cursorValueJSON returns a stored value's bytes when they are JSON.
func cursorValueJSON(v any) []byte {
	var b []byte
	switch v := v.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	}
	if !json.Valid(b) {
		return nil
	}
	return b
}

// cursorHeaderOrder returns the bubble ids of a composer value's
// fullConversationHeadersOnly, in order.
func cursorHeaderOrder(value any) []string {
	var c struct {
		Headers []struct {
			BubbleID string `json:"bubbleId"`
		} `json:"fullConversationHeadersOnly"`
	}
	if json.Unmarshal(cursorValueJSON(value), &c) != nil {
		return nil
	}
	ids := make([]string, 0, len(c.Headers))
	for _, h := range c.Headers {
		ids = append(ids, h.BubbleID)
	}
	return ids
}

// cursorCreatedAt returns a bubble value's createdAt: an ISO 8601 time,
// which sorts as text.
func cursorCreatedAt(value any) string {
	var b struct {
		CreatedAt any `json:"createdAt"`
	}
	if json.Unmarshal(cursorValueJSON(value), &b) != nil {
		return ""
	}
	s, _ := b.CreatedAt.(string)
	return s
}

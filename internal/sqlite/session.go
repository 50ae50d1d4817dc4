package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/reel-sh/reel"
)

// sessionCols are the columns scanSession reads, in its order.
const sessionCols = `id, source, native_id, parent_id, title, project, git_branch, host, model,
	client_version, started_at, ended_at, status, event_count,
	tok_input, tok_output, tok_cache_read, tok_cache_creation, tok_reasoning, path`

func scanSession(sc interface{ Scan(...any) error }) (reel.Session, error) {
	var ss reel.Session
	var started, ended sql.NullInt64
	err := sc.Scan(&ss.ID, &ss.Source, &ss.NativeID, &ss.ParentID, &ss.Title, &ss.Project,
		&ss.GitBranch, &ss.Host, &ss.Model, &ss.Version, &started, &ended, &ss.Status,
		&ss.EventCount, &ss.Tokens.Input, &ss.Tokens.Output, &ss.Tokens.CacheRead,
		&ss.Tokens.CacheCreation, &ss.Tokens.Reasoning, &ss.Path)
	ss.StartedAt, ss.EndedAt = decTime(started), decTime(ended)
	return ss, err
}

// upsertSession writes ss and returns its surrogate key, which stays the
// same across updates so that events and raw records keep pointing at it.
func upsertSession(c *sqlite3.SQLiteConn, ss *reel.Session) (int64, error) {
	active := ss.StartedAt
	if ss.EndedAt.After(active) {
		active = ss.EndedAt
	}
	vals := []any{ss.ID, ss.Source, ss.NativeID, ss.ParentID, ss.Title, ss.Project, ss.GitBranch,
		ss.Host, ss.Model, ss.Version, encTime(ss.StartedAt), encTime(ss.EndedAt), encTime(active),
		ss.Status, ss.EventCount, ss.Tokens.Input, ss.Tokens.Output, ss.Tokens.CacheRead,
		ss.Tokens.CacheCreation, ss.Tokens.Reasoning, ss.Path}
	args := make([]driver.NamedValue, len(vals))
	for i, v := range vals {
		args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	rows, err := c.QueryContext(context.Background(), `INSERT INTO sessions (id, source, native_id,
		parent_id, title, project, git_branch, host, model, client_version, started_at, ended_at,
		active_at, status, event_count, tok_input, tok_output, tok_cache_read, tok_cache_creation,
		tok_reasoning, path)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET source = excluded.source, native_id = excluded.native_id,
		parent_id = excluded.parent_id, title = excluded.title, project = excluded.project,
		git_branch = excluded.git_branch, host = excluded.host, model = excluded.model,
		client_version = excluded.client_version, started_at = excluded.started_at,
		ended_at = excluded.ended_at, active_at = excluded.active_at, status = excluded.status,
		event_count = excluded.event_count, tok_input = excluded.tok_input,
		tok_output = excluded.tok_output, tok_cache_read = excluded.tok_cache_read,
		tok_cache_creation = excluded.tok_cache_creation, tok_reasoning = excluded.tok_reasoning,
		path = excluded.path
		RETURNING sk`, args)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err != nil {
		return 0, err
	}
	sk, ok := dest[0].(int64)
	if !ok {
		return 0, fmt.Errorf("session key is %T", dest[0])
	}
	return sk, nil
}

// Session returns the session whose id is ref or starts with ref.
// ENOTFOUND if none does (or ref is empty), EAMBIGUOUS if several do.
func (s *Store) Session(ctx context.Context, ref string) (reel.Session, error) {
	if ref == "" {
		return reel.Session{}, reel.Errorf(reel.ENOTFOUND, "no session id given")
	}
	// Ids are ASCII, so every id that starts with ref sorts between ref and
	// ref followed by 0xff; the range is an index scan.
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE id >= ? AND id < ? ORDER BY id LIMIT 2`, ref, ref+"\xff")
	if err != nil {
		return reel.Session{}, s.wrap("get session", err)
	}
	defer rows.Close()
	var found []reel.Session
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return reel.Session{}, s.wrap("get session", err)
		}
		found = append(found, ss)
	}
	if err := rows.Err(); err != nil {
		return reel.Session{}, s.wrap("get session", err)
	}
	switch {
	case len(found) == 0:
		return reel.Session{}, reel.Errorf(reel.ENOTFOUND, "session %q not found", ref)
	case len(found) > 1 && found[0].ID != ref:
		return reel.Session{}, reel.Errorf(reel.EAMBIGUOUS, "session id %q is ambiguous", ref).
			WithHint("type more of the id")
	}
	return found[0], nil
}

// Sessions returns the sessions that match f, most recently active first
// (by the later of StartedAt and EndedAt). Since and Until keep the
// sessions active at some time in [Since, Until). Kinds and Roles are
// ignored; a Limit of 0 or less means no limit.
func (s *Store) Sessions(ctx context.Context, f reel.Filter) ([]reel.Session, error) {
	var w where
	w.sessionFilter(f)
	q := `SELECT ` + sessionCols + ` FROM sessions` + w.sql() + ` ORDER BY active_at DESC, id`
	args := w.args
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap("list sessions", err)
	}
	defer rows.Close()
	out := []reel.Session{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, s.wrap("list sessions", err)
		}
		out = append(out, ss)
	}
	return out, s.wrap("list sessions", rows.Err())
}

// where collects AND-ed SQL conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// in adds "col IN (?, ...)" for a non-empty list.
func (w *where) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	marks := strings.Repeat("?, ", len(vals))
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	w.add(col+" IN ("+marks[:len(marks)-2]+")", args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// sessionFilter adds f's conditions on the sessions table: Sources,
// Project, SessionID, and
// Since/Until, which keep the sessions whose activity (StartedAt to
// EndedAt) overlaps [Since, Until); a session with no times matches no
// window.
func (w *where) sessionFilter(f reel.Filter) {
	w.in("source", f.Sources)
	if f.Project != "" {
		w.projectFilter("project", f.Project)
	}
	if f.SessionID != "" {
		w.add("id = ?", f.SessionID)
	}
	if !f.Since.IsZero() {
		w.add("active_at >= ?", bound(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("coalesce(started_at, ended_at) < ?", bound(f.Until))
	}
}

// projectFilter matches a case-insensitive substring. LIKE folds ASCII
// only and uses no function call per row, so it serves ASCII needles;
// others go through reel_lower, which folds every letter.
func (w *where) projectFilter(col, needle string) {
	if isASCII(needle) {
		r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
		w.add(col+` LIKE ? ESCAPE '\'`, "%"+r.Replace(needle)+"%")
		return
	}
	w.add("instr(reel_lower("+col+"), ?) > 0", strings.ToLower(needle))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

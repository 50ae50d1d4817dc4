package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/reel-sh/reel"
)

// sessionCols are the columns scanSession reads, in its order.
const sessionCols = `id, source, native_id, parent_id, title, project, git_branch, host, model,
	client_version, started_at, ended_at, status, event_count,
	tok_input, tok_output, tok_cache_read, tok_cache_creation, tok_reasoning, path`

func scanSession(row pgx.CollectableRow) (reel.Session, error) {
	var ss reel.Session
	var started, ended *int64
	err := row.Scan(&ss.ID, &ss.Source, &ss.NativeID, &ss.ParentID, &ss.Title, &ss.Project,
		&ss.GitBranch, &ss.Host, &ss.Model, &ss.Version, &started, &ended, &ss.Status,
		&ss.EventCount, &ss.Tokens.Input, &ss.Tokens.Output, &ss.Tokens.CacheRead,
		&ss.Tokens.CacheCreation, &ss.Tokens.Reasoning, &ss.Path)
	for _, p := range []*string{&ss.ID, &ss.Source, &ss.NativeID, &ss.ParentID, &ss.Title, &ss.Project,
		&ss.GitBranch, &ss.Host, &ss.Model, &ss.Version, &ss.Status, &ss.Path} {
		*p = decText(*p)
	}
	ss.StartedAt, ss.EndedAt = decTime(started), decTime(ended)
	return ss, err
}

// Session returns the session whose id is ref or starts with ref.
// ENOTFOUND if none does (or ref is empty), EAMBIGUOUS if several do.
func (s *Store) Session(ctx context.Context, ref string) (reel.Session, error) {
	if ref == "" {
		return reel.Session{}, reel.Errorf(reel.ENOTFOUND, "no session id given")
	}
	var found []reel.Session
	err := s.retry(ctx, func(ctx context.Context) error {
		// id is in the "C" collation, which orders bytes: the ids that
		// start with an ASCII ref lie between it and the ref with its last
		// byte incremented, an index range whatever the plan.
		ref := encText(ref)
		q, args := `SELECT `+sessionCols+` FROM sessions WHERE id LIKE $1 ESCAPE '\' ORDER BY id LIMIT 2`,
			[]any{likePrefix(ref)}
		if last := ref[len(ref)-1]; isASCII(ref) && last < 0x7f {
			q, args = `SELECT `+sessionCols+` FROM sessions WHERE id >= $1 AND id < $2 ORDER BY id LIMIT 2`,
				[]any{ref, ref[:len(ref)-1] + string(rune(last+1))}
		}
		rows, err := s.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		found, err = pgx.CollectRows(rows, scanSession)
		return err
	})
	switch {
	case err != nil:
		return reel.Session{}, s.wrap("get session", err)
	case len(found) == 0:
		return reel.Session{}, reel.Errorf(reel.ENOTFOUND, "session %q not found", ref)
	case len(found) > 1 && found[0].ID != ref:
		return reel.Session{}, reel.Errorf(reel.EAMBIGUOUS, "session id %q is ambiguous", ref).
			WithHint("type more of the id")
	}
	return found[0], nil
}

// likePrefix returns the LIKE pattern of the strings that start with p.
func likePrefix(p string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(p) + "%"
}

// Sessions returns the sessions that match f, most recently active first
// (by the later of StartedAt and EndedAt; sessions with no times last).
// Since and Until keep the sessions active at some time in [Since,
// Until). Kinds and Roles are ignored; a Limit of 0 or less means no
// limit.
func (s *Store) Sessions(ctx context.Context, f reel.Filter) ([]reel.Session, error) {
	out := []reel.Session{}
	err := s.retry(ctx, func(ctx context.Context) error {
		var a args
		w, ok, err := s.sessionFilter(ctx, f, &a, "")
		if err != nil || !ok {
			return err
		}
		q := `SELECT ` + sessionCols + ` FROM sessions` + w.sql() + ` ORDER BY active_at DESC NULLS LAST, id`
		if f.Limit > 0 {
			q += ` LIMIT ` + a.add(f.Limit)
		}
		rows, err := s.pool.Query(ctx, q, a...)
		if err != nil {
			return err
		}
		got, err := pgx.CollectRows(rows, scanSession)
		if err == nil && got != nil {
			out = got
		}
		return err
	})
	return out, s.wrap("list sessions", err)
}

// sessionFilter returns f's conditions on the sessions table (as
// alias.column, or column when alias is ""): Sources, Project, SessionID,
// and Since/Until, which keep the sessions whose activity (StartedAt to
// EndedAt) overlaps [Since, Until); a session with no times matches no
// window. ok is false when the filters match nothing for sure.
func (s *Store) sessionFilter(ctx context.Context, f reel.Filter, a *args, alias string) (w where, ok bool, err error) {
	col := func(c string) string {
		if alias == "" {
			return c
		}
		return alias + "." + c
	}
	if len(f.Sources) > 0 {
		w = append(w, col("source")+" = ANY("+a.add(encTexts(f.Sources))+")")
	}
	if f.Project != "" {
		projects, err := s.matchingProjects(ctx, f.Project)
		if err != nil || len(projects) == 0 {
			return nil, false, err
		}
		w = append(w, col("project")+" = ANY("+a.add(projects)+")")
	}
	if f.SessionID != "" {
		w = append(w, col("id")+" = "+a.add(encText(f.SessionID)))
	}
	if !f.Since.IsZero() {
		w = append(w, col("active_at")+" >= "+a.add(bound(f.Since)))
	}
	if !f.Until.IsZero() {
		w = append(w, "coalesce("+col("started_at")+", "+col("ended_at")+") < "+a.add(bound(f.Until)))
	}
	return w, true, nil
}

// matchingProjects returns the stored forms of the distinct projects that
// hold needle, folding case as the SQLite store does: ASCII letters for an
// ASCII needle, every letter otherwise. Matching here rather than with
// ILIKE keeps the result independent of the server's locale.
func (s *Store) matchingProjects(ctx context.Context, needle string) ([]string, error) {
	fold := strings.ToLower
	if isASCII(needle) {
		fold = asciiLower
	}
	needle = fold(needle)
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT project FROM sessions`)
	if err != nil {
		return nil, err
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range stored {
		if strings.Contains(fold(decText(p)), needle) {
			out = append(out, p)
		}
	}
	return out, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
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

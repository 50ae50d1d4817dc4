package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/reel-sh/reel"
)

const (
	// defaultLimit is the number of hits when the filter sets none.
	defaultLimit = 20
	// rankMax is the most matches Search ranks; past it, hits are the
	// newest matches. Ranking reads each match's index entry, so ranking
	// every match of a common word would cost a read of most of the
	// table. rankMaxFiltered replaces it when filters apply. Both are the
	// SQLite store's, so both stores answer alike.
	rankMax         = 2000
	rankMaxFiltered = 300
	// maxListed is the most sessions a source or project filter is
	// turned into a list of.
	maxListed = 1000
)

// Search returns the events that best match q, best first, at most
// q.Filter.Limit (20 when 0). A query with no positive term matches
// nothing. Filters: Sources, Project (case-insensitive substring) and
// SessionID (a full id) select sessions; Kinds, Roles and Since/Until
// (event time in [Since, Until)) select events.
//
// When at most 2000 events match (300 with filters) they are ranked by
// ts_rank_cd, normalised by the log of the event's length, and Score is
// that rank, higher for better matches. When more match, hits are the
// newest matches (by ingestion order), newest first, with Score 0.
func (s *Store) Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
	hits := []reel.Hit{}
	if q.Query.Empty() {
		return hits, nil
	}
	tsq := tsquery(q.Query.Root)
	if tsq == "" {
		return hits, nil
	}
	limit := q.Filter.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	ps := phrases(q.Query.Root)
	err := s.retry(ctx, func(ctx context.Context) error {
		hits = hits[:0]
		query, a, ok, err := s.searchSQL(ctx, tsq, q.Filter, limit)
		if err != nil || !ok {
			return err
		}
		// The query is planned with its arguments every time: how many
		// events a word matches decides between walking the newest events
		// and reading the word's GIN entry, and a generic plan cannot see
		// the word.
		rows, err := s.pool.Query(ctx, query, append([]any{pgx.QueryExecModeExec}, a...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h reel.Hit
			var t *int64
			var text string
			if err := rows.Scan(&h.Score, &h.Seq, &t, &h.Kind, &h.Role, &h.Tool, &h.SessionID,
				&h.Source, &h.Project, &h.Title, &text); err != nil {
				return err
			}
			h.Time = decTime(t)
			h.Kind, h.Role, h.Tool, h.SessionID = decText(h.Kind), decText(h.Role), decText(h.Tool), decText(h.SessionID)
			h.Source, h.Project, h.Title = decText(h.Source), decText(h.Project), decText(h.Title)
			h.Snippet, h.Highlights = snippet(decText(text), ps)
			hits = append(hits, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, s.wrap("search", err)
	}
	return hits, nil
}

// searchSQL returns the search statement and its arguments. ok is false
// when the filters match nothing for sure.
//
// The statement reads the newest matches that pass the filters, one more
// than it may rank, ranks them if they are few enough (otherwise all
// score 0, so the newest come first), and reads the details of the best
// limit of them.
func (s *Store) searchSQL(ctx context.Context, tsq string, f reel.Filter, limit int) (string, []any, bool, error) {
	var a args
	q := a.add(tsq) + "::tsquery"
	w := where{"e.tsv @@ " + q}
	// The sessions that the source and project filters select are listed
	// first, and the list is a parameter: the planner sees how many events
	// they hold, and never runs the word's index scan once per session.
	// A long list is left to a subquery, whose planning is cheaper.
	var sa args
	sf := reel.Filter{Sources: f.Sources, Project: f.Project}
	sw, ok, err := s.sessionFilter(ctx, sf, &sa, "")
	if err != nil || !ok {
		return "", nil, false, err
	}
	if len(sw) > 0 {
		rows, err := s.pool.Query(ctx, "SELECT sk FROM sessions"+sw.sql()+" LIMIT "+strconv.Itoa(maxListed+1), sa...)
		if err != nil {
			return "", nil, false, err
		}
		sks, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		switch {
		case err != nil || len(sks) == 0:
			return "", nil, false, err
		case len(sks) <= maxListed:
			w = append(w, "e.session_sk = ANY("+a.add(sks)+"::bigint[])")
		default:
			sw, _, err := s.sessionFilter(ctx, sf, &a, "")
			if err != nil {
				return "", nil, false, err
			}
			w = append(w, "e.session_sk = ANY(ARRAY(SELECT sk FROM sessions"+sw.sql()+"))")
		}
	}
	if f.SessionID != "" {
		w = append(w, "e.session_sk = (SELECT sk FROM sessions WHERE id = "+a.add(encText(f.SessionID))+")")
	}
	if len(f.Kinds) > 0 {
		w = append(w, "e.kind = ANY("+a.add(encTexts(f.Kinds))+")")
	}
	if len(f.Roles) > 0 {
		w = append(w, "e.role = ANY("+a.add(encTexts(f.Roles))+")")
	}
	if !f.Since.IsZero() {
		w = append(w, "e.time >= "+a.add(bound(f.Since)))
	}
	if !f.Until.IsZero() {
		w = append(w, "e.time < "+a.add(bound(f.Until)))
	}
	most := rankMax
	if len(w) > 1 {
		most = rankMaxFiltered
	}
	query := `WITH m AS (
		SELECT e.id, e.tsv FROM events e` + w.sql() + ` ORDER BY e.id DESC LIMIT ` + a.add(max(most+1, limit)) + `
	), n AS (SELECT count(*) AS c FROM m),
	top AS (
		SELECT m.id, CASE WHEN n.c <= ` + a.add(most) + ` THEN ts_rank_cd(m.tsv, ` + q + `, 1) ELSE 0 END::float8 AS score
		FROM m, n ORDER BY score DESC, m.id DESC LIMIT ` + a.add(limit) + `
	)
	SELECT top.score, e.seq, e.time, e.kind, e.role, e.tool, s.id, s.source, s.project, s.title,
		left(e.text, ` + a.add(maxIndexRunes) + `)
	FROM top JOIN events e ON e.id = top.id JOIN sessions s ON s.sk = e.session_sk
	ORDER BY top.score DESC, top.id DESC`
	return query, a, true, nil
}

// tsquery renders a parsed query as a tsquery in text form, with the
// lexemes the index holds (word.go): a term or phrase becomes its lexemes
// joined by <-> (followed by), so "config:path" is the phrase "config
// path"; a prefix term marks its last lexeme :*. Every lexeme is quoted,
// so nothing a user types is read as tsquery syntax. It returns "" for a
// query that can match nothing.
func tsquery(n *reel.Node) string {
	switch n.Op {
	case reel.OpTerm, reel.OpPhrase:
		lex := lexemes(n.Text)
		if len(lex) == 0 {
			return ""
		}
		parts := make([]string, len(lex))
		for i, l := range lex {
			parts[i] = quoteLexeme(l)
		}
		if n.Op == reel.OpTerm && n.Prefix {
			parts[len(parts)-1] += ":*"
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return "(" + strings.Join(parts, " <-> ") + ")"
	case reel.OpOr:
		var parts []string
		for _, k := range n.Kids {
			if q := tsquery(k); q != "" {
				parts = appendNew(parts, q)
			}
		}
		if len(parts) == 0 {
			return ""
		}
		return "(" + strings.Join(parts, " | ") + ")"
	case reel.OpAnd:
		var parts []string
		for _, k := range n.Kids {
			if k.Op == reel.OpNot {
				if q := tsquery(k.Kids[0]); q != "" {
					parts = appendNew(parts, "!"+q)
				}
				continue
			}
			q := tsquery(k)
			if q == "" {
				return "" // a word no index holds: nothing matches
			}
			parts = appendNew(parts, q)
		}
		return "(" + strings.Join(parts, " & ") + ")"
	}
	return ""
}

// appendNew appends s to list unless list holds it: "flaky flaky" is one
// condition.
func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

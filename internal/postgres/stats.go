package postgres

import (
	"context"
	"sort"

	"github.com/reel-sh/reel"
)

// Stats counts sessions, events and unrecognised and invalid raw records
// per source, and sizes reel's tables with their indexes and TOAST data.
// Location is the URL without its password.
func (s *Store) Stats(ctx context.Context) (reel.StoreStats, error) {
	var st reel.StoreStats
	err := s.retry(ctx, func(ctx context.Context) error {
		st = reel.StoreStats{Driver: "postgres", Location: s.location, Sources: []reel.SourceStats{}}
		// One statement, so one snapshot for every count.
		rows, err := s.pool.Query(ctx, `
		WITH n AS (SELECT source, count(*) AS sessions FROM sessions GROUP BY source),
		e AS (
			SELECT s.source, sum(c.n) AS events
			FROM (SELECT session_sk, count(*) AS n FROM events GROUP BY session_sk) c
			JOIN sessions s ON s.sk = c.session_sk GROUP BY s.source
		),
		r AS (
			SELECT s.source, sum(c.n) FILTER (WHERE c.status = 'unknown') AS unknown,
				sum(c.n) FILTER (WHERE c.status = 'invalid') AS invalid
			FROM (SELECT status, session_sk, count(*) AS n FROM raw_records WHERE status <> 'ok'
				GROUP BY status, session_sk) c
			JOIN sessions s ON s.sk = c.session_sk GROUP BY s.source
		)
		SELECT n.source, n.sessions, coalesce(e.events, 0)::bigint, coalesce(r.unknown, 0)::bigint,
			coalesce(r.invalid, 0)::bigint
		FROM n LEFT JOIN e ON e.source = n.source LEFT JOIN r ON r.source = n.source
		ORDER BY n.source`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ss reel.SourceStats
			if err := rows.Scan(&ss.Source, &ss.Sessions, &ss.Events, &ss.Unrecognised, &ss.Invalid); err != nil {
				return err
			}
			ss.Source = decText(ss.Source)
			st.Sources = append(st.Sources, ss)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// The tables of reel's schema, with their indexes and TOAST data.
		return s.pool.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
			FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'`).Scan(&st.SizeBytes)
	})
	if err != nil {
		return reel.StoreStats{}, s.wrap("count store", err)
	}
	sort.Slice(st.Sources, func(i, j int) bool { return st.Sources[i].Source < st.Sources[j].Source })
	return st, nil
}

// Features describes the server for people (reel status): the server's
// version, the schema reel uses, how search works, and whether the
// pgvector extension is installed in the database ("installed 0.7.4"),
// available to install ("available 0.7.4, not installed") or absent
// ("not available"). Vector search does not use it yet.
func (s *Store) Features(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.retry(ctx, func(ctx context.Context) error {
		var version, schema string
		var avail, installed *string
		err := s.pool.QueryRow(ctx, `SELECT current_setting('server_version'), current_schema(),
			(SELECT default_version FROM pg_available_extensions WHERE name = 'vector'),
			(SELECT extversion FROM pg_extension WHERE extname = 'vector')`).Scan(&version, &schema, &avail, &installed)
		if err != nil {
			return err
		}
		out["server"] = "PostgreSQL " + version
		out["schema"] = schema
		out["search"] = "full text (tsvector, GIN index, ts_rank_cd)"
		switch {
		case installed != nil:
			out["pgvector"] = "installed " + *installed
		case avail != nil:
			out["pgvector"] = "available " + *avail + ", not installed"
		default:
			out["pgvector"] = "not available"
		}
		// Where vectors will be kept and compared: in the server when it
		// has pgvector, else by reel itself.
		out["vectors"] = "computed in reel (no pgvector in this database)"
		if installed != nil {
			out["vectors"] = "pgvector " + *installed
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap("describe database", err)
	}
	return out, nil
}

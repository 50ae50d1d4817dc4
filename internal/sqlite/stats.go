package sqlite

import (
	"context"
	"os"
	"sort"

	"github.com/reel-sh/reel"
)

// Stats counts sessions, events and unrecognised and invalid raw records
// per source, and sizes the database and its write-ahead log.
func (s *Store) Stats(ctx context.Context) (reel.StoreStats, error) {
	st := reel.StoreStats{Driver: "sqlite", Location: s.path, Sources: []reel.SourceStats{}}
	for _, p := range []string{s.path, s.path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			st.SizeBytes += fi.Size()
		}
	}
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return st, s.wrap("count store", err)
	}
	defer tx.Rollback()

	bySource := map[string]*reel.SourceStats{}
	get := func(src string) *reel.SourceStats {
		if bySource[src] == nil {
			bySource[src] = &reel.SourceStats{Source: src}
		}
		return bySource[src]
	}
	// Events are counted per session on the (session_sk, seq) index, then
	// summed per source; the unusual raw records have a partial index.
	queries := []struct {
		sql string
		add func(*reel.SourceStats, int64, string)
	}{
		{`SELECT source, count(*), '' FROM sessions GROUP BY source`,
			func(ss *reel.SourceStats, n int64, _ string) { ss.Sessions += n }},
		{`SELECT s.source, c.n, '' FROM (SELECT session_sk, count(*) AS n FROM events GROUP BY session_sk) c
			JOIN sessions s ON s.sk = c.session_sk`,
			func(ss *reel.SourceStats, n int64, _ string) { ss.Events += n }},
		{`SELECT s.source, c.n, c.status FROM (SELECT status, session_sk, count(*) AS n FROM raw_records
			WHERE status <> 'ok' GROUP BY status, session_sk) c JOIN sessions s ON s.sk = c.session_sk`,
			func(ss *reel.SourceStats, n int64, status string) {
				switch status {
				case reel.RecordUnknown:
					ss.Unrecognised += n
				case reel.RecordInvalid:
					ss.Invalid += n
				}
			}},
	}
	for _, q := range queries {
		rows, err := tx.QueryContext(ctx, q.sql)
		if err != nil {
			return st, s.wrap("count store", err)
		}
		for rows.Next() {
			var src, status string
			var n int64
			if err := rows.Scan(&src, &n, &status); err != nil {
				rows.Close()
				return st, s.wrap("count store", err)
			}
			q.add(get(src), n, status)
		}
		if err := rows.Close(); err != nil {
			return st, s.wrap("count store", err)
		}
		if err := rows.Err(); err != nil {
			return st, s.wrap("count store", err)
		}
	}
	for _, ss := range bySource {
		st.Sources = append(st.Sources, *ss)
	}
	sort.Slice(st.Sources, func(i, j int) bool { return st.Sources[i].Source < st.Sources[j].Source })
	return st, nil
}

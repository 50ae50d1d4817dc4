package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/vecstore"
)

var _ vecstore.Store = (*Store)(nil)

// PutVectors writes vectors of m in one transaction (one round trip),
// replacing the events' earlier vectors of m; a replaced vector gets a
// new vid. Vectors of events that no longer exist are skipped. EINVALID
// if a vector is not m.Dim long.
func (s *Store) PutVectors(ctx context.Context, m reel.ModelInfo, vs []vecstore.Vector) error {
	if err := vecstore.Validate(m, vs); err != nil {
		return err
	}
	if len(vs) == 0 {
		return nil
	}
	ids := make([]string, len(vs))
	seqs := make([]int64, len(vs))
	scales := make([]float32, len(vs))
	data := make([][]byte, len(vs))
	for i, v := range vs {
		ids[i], seqs[i], scales[i], data[i] = encText(v.SessionID), v.Seq, v.Scale, vecstore.Bytes(v.Data)
	}
	err := s.retry(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue(`BEGIN`)
		// Delete, then insert, in two statements: the statements of one
		// WITH share a snapshot, so an insert there would still conflict
		// with the row deleted beside it. A replaced vector gets a new vid.
		const match = `WITH x AS (
			SELECT * FROM unnest($2::text[], $3::bigint[], $4::real[], $5::bytea[]) AS x(id, seq, scale, data)
		), e AS (
			SELECT DISTINCT ON (ev.id) ev.id, x.scale, x.data FROM x
			JOIN sessions s ON s.id = x.id JOIN events ev ON ev.session_sk = s.sk AND ev.seq = x.seq
			ORDER BY ev.id
		) `
		b.Queue(match+`DELETE FROM vectors v USING e WHERE v.event_id = e.id AND v.model = $1`,
			encText(m.ID), ids, seqs, scales, data)
		b.Queue(`WITH x AS (
			SELECT * FROM unnest($3::text[], $4::bigint[], $5::real[], $6::bytea[]) AS x(id, seq, scale, data)
		), e AS (
			SELECT DISTINCT ON (ev.id) ev.id, x.scale, x.data FROM x
			JOIN sessions s ON s.id = x.id JOIN events ev ON ev.session_sk = s.sk AND ev.seq = x.seq
			ORDER BY ev.id
		) INSERT INTO vectors (event_id, model, dim, scale, data) SELECT e.id, $1, $2, e.scale, e.data FROM e`,
			encText(m.ID), m.Dim, ids, seqs, scales, data)
		b.Queue(`COMMIT`)
		return s.pool.SendBatch(ctx, b).Close()
	})
	return s.wrap("put vectors", err)
}

// PendingEvents returns up to limit events with text and no vector of
// model whose id is above after, in id order.
func (s *Store) PendingEvents(ctx context.Context, model string, after int64, limit int) ([]vecstore.Pending, error) {
	var out []vecstore.Pending
	err := s.retry(ctx, func(ctx context.Context) error {
		out = nil
		rows, err := s.pool.Query(ctx, `SELECT e.id, s.id, e.seq, e.text
			FROM events e JOIN sessions s ON s.sk = e.session_sk
			WHERE e.id > $1 AND e.text <> ''
			AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.event_id = e.id AND v.model = $2)
			ORDER BY e.id LIMIT $3`, after, encText(model), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p vecstore.Pending
			if err := rows.Scan(&p.ID, &p.SessionID, &p.Seq, &p.Text); err != nil {
				return err
			}
			p.SessionID, p.Text = decText(p.SessionID), decText(p.Text)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, s.wrap("list events to embed", err)
}

// ScanVectors returns up to limit vectors of model whose vid is above
// after, in vid order, with their events' filter fields.
func (s *Store) ScanVectors(ctx context.Context, model string, after int64, limit int) ([]vecstore.Stored, error) {
	var out []vecstore.Stored
	err := s.retry(ctx, func(ctx context.Context) error {
		out = nil
		rows, err := s.pool.Query(ctx, `SELECT v.vid, s.id, e.seq, e.time, e.kind, e.role, s.source, s.project, v.scale, v.data
			FROM vectors v JOIN events e ON e.id = v.event_id JOIN sessions s ON s.sk = e.session_sk
			WHERE v.model = $1 AND v.vid > $2 ORDER BY v.vid LIMIT $3`, encText(model), after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v vecstore.Stored
			var tm *int64
			var data []byte
			if err := rows.Scan(&v.VID, &v.SessionID, &v.Seq, &tm, &v.Kind, &v.Role, &v.Source, &v.Project, &v.Scale, &data); err != nil {
				return err
			}
			v.SessionID, v.Kind, v.Role = decText(v.SessionID), decText(v.Kind), decText(v.Role)
			v.Source, v.Project = decText(v.Source), decText(v.Project)
			v.Time = decTime(tm)
			v.Data = vecstore.Int8s(data)
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, s.wrap("read vectors", err)
}

// VectorCoverage counts the events with text and those of them with a
// vector of model, in one snapshot.
func (s *Store) VectorCoverage(ctx context.Context, model string) (vecstore.Coverage, error) {
	c := vecstore.Coverage{Model: model}
	err := s.retry(ctx, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM vectors WHERE model = $1),
			(SELECT count(*) FROM events WHERE text <> '')`, encText(model)).Scan(&c.Embedded, &c.Total)
	})
	return c, s.wrap("count vectors", err)
}

// VectorModels lists the models with vectors, by id.
func (s *Store) VectorModels(ctx context.Context) ([]reel.ModelInfo, error) {
	var out []reel.ModelInfo
	err := s.retry(ctx, func(ctx context.Context) error {
		out = []reel.ModelInfo{}
		rows, err := s.pool.Query(ctx, `SELECT model, max(dim) FROM vectors GROUP BY model ORDER BY model`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m reel.ModelInfo
			if err := rows.Scan(&m.ID, &m.Dim); err != nil {
				return err
			}
			m.ID = decText(m.ID)
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, s.wrap("list vector models", err)
}

// DeleteVectors deletes every vector of model.
func (s *Store) DeleteVectors(ctx context.Context, model string) (int64, error) {
	var n int64
	err := s.retry(ctx, func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM vectors WHERE model = $1`, encText(model))
		n = tag.RowsAffected()
		return err
	})
	return n, s.wrap("delete vectors", err)
}

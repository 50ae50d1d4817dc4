package sqlite

import (
	"context"
	"database/sql"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/vecstore"
)

var _ vecstore.Store = (*Store)(nil)

// PutVectors writes vectors of m in one transaction, replacing the
// events' earlier vectors of m. Vectors of events that no longer exist
// are skipped. EINVALID if a vector is not m.Dim long.
func (s *Store) PutVectors(ctx context.Context, m reel.ModelInfo, vs []vecstore.Vector) error {
	if err := vecstore.Validate(m, vs); err != nil {
		return err
	}
	if len(vs) == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("put vectors", err)
	}
	defer tx.Rollback()
	// The vid of a replaced vector changes, so an index reading on from
	// its last vid sees the new one.
	st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO vectors (event_id, model, dim, scale, data)
		SELECT e.id, ?, ?, ?, ? FROM events e JOIN sessions s ON s.sk = e.session_sk
		WHERE s.id = ? AND e.seq = ?`)
	if err != nil {
		return s.wrap("put vectors", err)
	}
	defer st.Close()
	for _, v := range vs {
		if _, err := st.ExecContext(ctx, m.ID, m.Dim, float64(v.Scale), vecstore.Bytes(v.Data), v.SessionID, v.Seq); err != nil {
			return s.wrap("put vectors", err)
		}
	}
	return s.wrap("put vectors", tx.Commit())
}

// PendingEvents returns up to limit events with text and no vector of
// model whose id is above after, in id order.
func (s *Store) PendingEvents(ctx context.Context, model string, after int64, limit int) ([]vecstore.Pending, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT e.id, s.id, e.seq, e.text
		FROM events e JOIN sessions s ON s.sk = e.session_sk
		WHERE e.id > ? AND e.text <> ''
		AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.event_id = e.id AND v.model = ?)
		ORDER BY e.id LIMIT ?`, after, model, limit)
	if err != nil {
		return nil, s.wrap("list events to embed", err)
	}
	defer rows.Close()
	var out []vecstore.Pending
	for rows.Next() {
		var p vecstore.Pending
		if err := rows.Scan(&p.ID, &p.SessionID, &p.Seq, &p.Text); err != nil {
			return nil, s.wrap("list events to embed", err)
		}
		out = append(out, p)
	}
	return out, s.wrap("list events to embed", rows.Err())
}

// ScanVectors returns up to limit vectors of model whose vid is above
// after, in vid order, with their events' filter fields.
func (s *Store) ScanVectors(ctx context.Context, model string, after int64, limit int) ([]vecstore.Stored, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT v.vid, s.id, e.seq, e.time, e.kind, e.role, s.source, s.project, v.scale, v.data
		FROM vectors v JOIN events e ON e.id = v.event_id JOIN sessions s ON s.sk = e.session_sk
		WHERE v.model = ? AND v.vid > ? ORDER BY v.vid LIMIT ?`, model, after, limit)
	if err != nil {
		return nil, s.wrap("read vectors", err)
	}
	defer rows.Close()
	var out []vecstore.Stored
	for rows.Next() {
		var v vecstore.Stored
		var tm sql.NullInt64
		var scale float64
		var data []byte
		if err := rows.Scan(&v.VID, &v.SessionID, &v.Seq, &tm, &v.Kind, &v.Role, &v.Source, &v.Project, &scale, &data); err != nil {
			return nil, s.wrap("read vectors", err)
		}
		v.Time = decTime(tm)
		v.Scale = float32(scale)
		v.Data = vecstore.Int8s(data)
		out = append(out, v)
	}
	return out, s.wrap("read vectors", rows.Err())
}

// VectorCoverage counts the events with text and those of them with a
// vector of model, in one snapshot.
func (s *Store) VectorCoverage(ctx context.Context, model string) (vecstore.Coverage, error) {
	c := vecstore.Coverage{Model: model}
	err := s.rdb.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM vectors WHERE model = ?),
		(SELECT count(*) FROM events WHERE text <> '')`, model).Scan(&c.Embedded, &c.Total)
	return c, s.wrap("count vectors", err)
}

// VectorModels lists the models with vectors, by id.
func (s *Store) VectorModels(ctx context.Context) ([]reel.ModelInfo, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT model, max(dim) FROM vectors GROUP BY model ORDER BY model`)
	if err != nil {
		return nil, s.wrap("list vector models", err)
	}
	defer rows.Close()
	out := []reel.ModelInfo{}
	for rows.Next() {
		var m reel.ModelInfo
		if err := rows.Scan(&m.ID, &m.Dim); err != nil {
			return nil, s.wrap("list vector models", err)
		}
		out = append(out, m)
	}
	return out, s.wrap("list vector models", rows.Err())
}

// DeleteVectors deletes every vector of model.
func (s *Store) DeleteVectors(ctx context.Context, model string) (int64, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	res, err := s.db.ExecContext(ctx, `DELETE FROM vectors WHERE model = ?`, model)
	if err != nil {
		return 0, s.wrap("delete vectors", err)
	}
	n, err := res.RowsAffected()
	return n, s.wrap("delete vectors", err)
}

package sqlite

import (
	"context"
	"database/sql"

	"github.com/reel-sh/reel"
)

// Cursor returns the cursor of the source file at path. ENOTFOUND if the
// file was never synced.
func (s *Store) Cursor(ctx context.Context, path string) (reel.Cursor, error) {
	c := reel.Cursor{Path: path}
	var mod sql.NullInt64
	err := s.rdb.QueryRowContext(ctx, `SELECT source, session_id, size, mod_time, head_hash,
		byte_offset, next_raw, next_seq, state FROM cursors WHERE path = ?`, path).Scan(
		&c.Source, &c.SessionID, &c.Size, &mod, &c.HeadHash, &c.Offset, &c.NextRaw, &c.NextSeq, &c.State)
	if err == sql.ErrNoRows {
		return reel.Cursor{}, reel.Errorf(reel.ENOTFOUND, "no cursor for %s", path)
	}
	if err != nil {
		return reel.Cursor{}, s.wrap("get cursor", err)
	}
	c.ModTime = decTime(mod)
	return c, nil
}

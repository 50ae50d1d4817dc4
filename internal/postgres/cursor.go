package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/reel-sh/reel"
)

// Cursor returns this host's cursor of the source file at path. ENOTFOUND
// if this host never synced the file: another host's file at the same
// path is another file.
func (s *Store) Cursor(ctx context.Context, path string) (reel.Cursor, error) {
	var c reel.Cursor
	err := s.retry(ctx, func(ctx context.Context) error {
		c = reel.Cursor{Path: path}
		var mod *int64
		err := s.pool.QueryRow(ctx, `SELECT source, session_id, size, mod_time, head_hash,
			byte_offset, next_raw, next_seq, state FROM cursors WHERE host = $2 AND path = $1`, encText(path), encText(s.host)).Scan(
			&c.Source, &c.SessionID, &c.Size, &mod, &c.HeadHash, &c.Offset, &c.NextRaw, &c.NextSeq, &c.State)
		c.ModTime = decTime(mod)
		c.Source, c.SessionID, c.HeadHash = decText(c.Source), decText(c.SessionID), decText(c.HeadHash)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return reel.Cursor{}, reel.Errorf(reel.ENOTFOUND, "no cursor for %s", path)
	}
	if err != nil {
		return reel.Cursor{}, s.wrap("get cursor", err)
	}
	return c, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// versionWatch tells whether the database changed. It holds one
// connection of its own that never reads or writes anything else, so
// that SQLite's PRAGMA data_version on it changes with every commit of
// any other connection: this Store's writer, another Store, another
// process. The pragma only reads the WAL index in shared memory, which
// costs a few microseconds, against hundreds for a session list.
type versionWatch struct {
	mu   sync.Mutex
	conn *sql.Conn
	stmt *sql.Stmt
	// last is the connection's data_version at the latest call; gen
	// counts the changes seen, and the connections replaced, since Open.
	last int64
	gen  uint64
}

// DataVersion returns a number that is different from every number it
// returned before once a write was committed to the database by anyone:
// this Store, another Store in this process, or another process (a
// reel sync from the command line). Between commits it returns the same
// number, so a caller that keeps what it read next to the number it got
// just before reading knows the thing it kept is current as long as the
// number is unchanged. It is safe for concurrent use.
//
// A read that starts after DataVersion returns sees every commit that
// DataVersion accounted for: read the version first, then the data.
func (s *Store) DataVersion(ctx context.Context) (uint64, error) {
	w := &s.version
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		conn, err := s.rdb.Conn(ctx)
		if err != nil {
			return 0, s.wrap("read data version", err)
		}
		stmt, err := conn.PrepareContext(ctx, `PRAGMA data_version`)
		if err != nil {
			conn.Close()
			return 0, s.wrap("read data version", err)
		}
		// A new connection's numbers are unrelated to the old one's, so
		// its first answer counts as a change.
		w.conn, w.stmt, w.gen = conn, stmt, w.gen+1
		if err := stmt.QueryRowContext(ctx).Scan(&w.last); err != nil {
			w.drop()
			return 0, s.wrap("read data version", err)
		}
		return w.gen, nil
	}
	var v int64
	if err := w.stmt.QueryRowContext(ctx).Scan(&v); err != nil {
		w.drop()
		return 0, s.wrap("read data version", err)
	}
	if v != w.last {
		w.last, w.gen = v, w.gen+1
	}
	return w.gen, nil
}

// drop closes the watch's connection; the next call opens another.
func (w *versionWatch) drop() {
	if w.stmt != nil {
		w.stmt.Close()
	}
	if w.conn != nil {
		w.conn.Close()
	}
	w.conn, w.stmt = nil, nil
	w.gen++
}

// close releases the watch's connection, before the pools close.
func (w *versionWatch) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn != nil {
		w.drop()
	}
}

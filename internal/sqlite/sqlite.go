package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/reel-sh/reel"
)

// Store is a reel.Store in one SQLite database file. It is safe for
// concurrent use by several goroutines, and several Stores (in one process
// or many) may open the same file.
type Store struct {
	// db writes: its transactions are BEGIN IMMEDIATE. rdb reads: its
	// transactions are deferred, so a read snapshot never takes the write
	// lock, and it is query_only.
	db   *sql.DB
	rdb  *sql.DB
	path string

	// writeMu serialises this Store's write transactions, so goroutines of
	// one process queue on a mutex instead of polling SQLite's busy
	// handler. Other processes still wait through busy_timeout.
	writeMu sync.Mutex

	// version tells whether the database changed (DataVersion).
	version versionWatch
	// bandSeen is what Apply (under writeMu) knows of words without a
	// band: see bandAdd.
	bandSeen bandSeen
	// wrote is set once Apply has run: see Close.
	wrote atomic.Bool
}

var _ reel.Store = (*Store)(nil)

// driverName is the database/sql driver that Open registers once: the
// mattn driver plus the SQL functions reel's queries use.
const driverName = "sqlite3_reel"

var registerOnce sync.Once

func registerDriver() {
	registerOnce.Do(func() {
		sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: connectHook})
	})
}

// connectHook prepares every new connection.
func connectHook(c *sqlite3.SQLiteConn) error {
	// SQLite's lower() folds ASCII only; project filters must fold any
	// letter, as PostgreSQL's ILIKE does.
	if err := c.RegisterFunc("reel_lower", strings.ToLower, true); err != nil {
		return err
	}
	// Memory-mapped reads make FTS5 doclist scans cheaper. Mapped pages
	// count in the process's resident memory, so the map is capped at
	// 256 MiB: at 200k events that halved peak RSS with no search slower.
	// The page cache is per connection, so it stays moderate.
	_, err := c.Exec(`PRAGMA mmap_size = 268435456; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY`, nil)
	return err
}

// busyTimeout is how long a statement waits for another connection's
// write lock before it fails with EBUSY.
const busyTimeout = 10 * time.Second

// Open opens the database at path, creating it (mode 0600, in a folder
// created with mode 0700) if it does not exist, and applies any pending
// migrations. ECORRUPT if the file is not a readable reel database.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, reel.Errorf(reel.EINVALID, "open database: empty path")
	}
	if !fts5Compiled {
		return nil, reel.Errorf(reel.EUNSUPPORT, "open database: this reel was built without SQLite's full-text module").
			WithHint("rebuild with: go build -tags sqlite_fts5 ./cmd/reel")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	registerDriver()
	s := &Store{path: abs}
	// Both pools only connect on first use: the write pool goes first, so
	// WAL mode is set before any reader opens the file.
	if s.db, err = sql.Open(driverName, dsn(abs, true)); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if s.rdb, err = sql.Open(driverName, dsn(abs, false)); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	// Writes are serialised anyway; one connection keeps one warm cache.
	s.db.SetMaxOpenConns(1)
	s.rdb.SetMaxIdleConns(4)
	if err := s.initialize(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	return s, nil
}

// initialize connects the writer (which switches a new file to WAL) and
// migrates. SQLite answers a journal-mode change or a lock upgrade that
// could deadlock with SQLITE_BUSY at once, without waiting for the busy
// timeout, so processes opening a new database together retry here, with
// jitter, for up to busyTimeout.
func (s *Store) initialize(ctx context.Context) error {
	deadline := time.Now().Add(busyTimeout)
	for attempt := 1; ; attempt++ {
		err := s.db.PingContext(ctx)
		if err != nil {
			err = s.wrap("open database", err)
		} else if err = s.migrate(ctx); err != nil {
			err = s.wrap("migrate database", err)
		}
		if err == nil || reel.ErrorCode(err) != reel.EBUSY || time.Now().After(deadline) {
			return err
		}
		pause := time.Duration(attempt) * 10 * time.Millisecond
		pause = min(pause, 200*time.Millisecond) + time.Duration(rand.Int64N(int64(10*time.Millisecond)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

func (s *Store) closeDBs() error {
	s.version.close()
	return errors.Join(s.rdb.Close(), s.db.Close())
}

// dsn returns the driver's data source name for the file at path. Writer
// connections use WAL (readers never wait for the writer), start every
// transaction with BEGIN IMMEDIATE (a deferred transaction that later
// writes fails with SQLITE_BUSY_SNAPSHOT under concurrency instead of
// waiting), and sync at NORMAL: see the package documentation. Reader
// connections start deferred transactions and refuse to write.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	if writer {
		q.Set("_txlock", "immediate")
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		q.Set("_foreign_keys", "on")
	} else {
		q.Set("_txlock", "deferred")
		q.Set("_query_only", "true")
	}
	q.Set("_stmt_cache_size", "32")
	// The path is escaped so that '?', '#' and '%' in it stay part of it.
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// createPrivate creates the database file with mode 0600 if it is
// missing, so that SQLite, which gives its -wal and -shm files the main
// file's mode, never creates any of them readable by others.
func createPrivate(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close releases the store. It first lets SQLite refresh the query
// planner's statistics, which is cheap when nothing changed.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if s.wrote.Load() {
		// Only a Store that wrote runs optimize: on a large store, the
		// tables a search reads (the index's shadow tables among them)
		// are analysed by a whole scan, which ran into the timeout above,
		// so a one-off search paid a second for it.
		_, _ = s.db.ExecContext(ctx, `PRAGMA optimize`)
	}
	return s.closeDBs()
}

// wrap turns a driver error into a reel.Error when its cause is one users
// can act on, and otherwise wraps it as "op: err".
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *reel.Error
	if errors.As(err, &re) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return &reel.Error{
				Code:    reel.EBUSY,
				Message: fmt.Sprintf("%s: database %s is busy", op, s.path),
				Hint:    "another process holds its write lock; try again",
				Err:     err,
			}
		case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
			return &reel.Error{
				Code:    reel.ECORRUPT,
				Message: fmt.Sprintf("%s: database %s is corrupt or not a reel database", op, s.path),
				Hint:    "move the file aside and run reel sync to rebuild it from the session files",
				Err:     err,
			}
		case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen, sqlite3.ErrAuth:
			return &reel.Error{
				Code:    reel.EINVALID,
				Message: fmt.Sprintf("%s: cannot write database %s", op, s.path),
				Hint:    "check the file's and its folder's permissions",
				Err:     err,
			}
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// encTime returns t as unix nanoseconds for an INTEGER column, or NULL for
// the zero time.
func encTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// decTime is encTime's inverse; times come back in UTC.
func decTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(0, v.Int64).UTC()
}

// bound returns t as unix nanoseconds for comparisons, clamped to the
// int64 range so that filters far in the past or future still work.
func bound(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

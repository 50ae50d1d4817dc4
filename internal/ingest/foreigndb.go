package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	// The copies are read with the driver the store uses.
	_ "github.com/mattn/go-sqlite3"

	"github.com/reel-sh/reel"
)

// Reading another program's SQLite database (opencode.db, Cursor's
// state.vscdb) must never change it or the folder it sits in. Opening it
// in place, even read-only, is not enough: SQLite creates -shm and -wal
// files beside a WAL-mode database, and a read-only connection cannot roll
// back a hot journal. So the database is read from a private copy:
//
//   - The file and its -wal and -journal, when present, are copied into a
//     new folder (os.MkdirTemp, mode 0700). The copy is taken again when any
//     of them changed while it was being taken, since a checkpoint racing
//     it could leave pages of two states.
//   - The copy is opened read-write (it is ours), which replays its WAL or
//     rolls back its journal, and is switched to rollback-journal mode,
//     which folds the WAL into the file and deletes it.
//   - The copy's folder is then removed while its one connection stays
//     open: POSIX keeps an open file's data until it is closed, so no copy
//     outlives the process, however it ends. Only a crash during the copy
//     itself can leave one behind; each new copy first removes those older
//     than foreignStale.
//     Where an open file cannot be removed (Windows), the folder is removed
//     when the copy is closed.
//
// A copy is made once per state of the source files (the size and time of
// the database, its -wal and its -journal) and shared by Discover, Stamp
// and ReadRecords. Discover enumerates every session and Stamp must be
// cheap, so both use an index the importer builds once per copy; ReadRecords
// queries the copy for one session. Copying per ReadRecords would copy a
// database of gigabytes once per session, and reading everything in
// Discover would hold all of it in memory at once. A copy is closed as soon
// as it is unused once a newer one replaced it, after foreignIdle without
// use, or by Close.

// foreignIdle is how long an unused copy stays open: long enough to serve a
// whole sync (Discover, then Stamp and ReadRecords for each session).
const foreignIdle = time.Minute

// foreignCopyTries is how many times a copy is taken while the source keeps
// changing under it, before the read fails (the next sync tries again).
const foreignCopyTries = 4

// foreignPrefix names the folders copies are made in, so that a crash's
// leftovers can be found; foreignStale is the age past which such a
// folder is a leftover (a live one is removed seconds after it is made).
const (
	foreignPrefix = "reel-foreigndb-"
	foreignStale  = time.Hour
)

// foreignSuffixes are the files that make up a database's state.
var foreignSuffixes = [...]string{"", "-wal", "-journal"}

// foreignFile is what a stat says of one of a database's files.
type foreignFile struct {
	Exists  bool
	Size    int64
	ModTime int64 // Unix nanoseconds
}

// foreignState is the state of a database's files: when it is unchanged,
// so are the database's contents.
type foreignState [len(foreignSuffixes)]foreignFile

// foreignStateOf stats the database at path and its companions.
func foreignStateOf(path string) (foreignState, error) {
	var st foreignState
	for i, suffix := range foreignSuffixes {
		fi, err := os.Stat(path + suffix)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if i == 0 {
				return st, reel.Errorf(reel.ENOTFOUND, "database %s does not exist", path)
			}
			continue
		case err != nil:
			return st, fmt.Errorf("stat database: %w", err)
		}
		st[i] = foreignFile{Exists: true, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	}
	return st, nil
}

// foreignConn is an open private copy of a database.
type foreignConn struct {
	db *sql.DB
	// dir is the copy's folder while it still exists: only where an open
	// file cannot be removed.
	dir string
}

// close closes the copy and removes what is left of it.
func (c *foreignConn) close() error {
	err := c.db.Close()
	if c.dir != "" {
		if rerr := os.RemoveAll(c.dir); rerr != nil && err == nil {
			err = fmt.Errorf("remove database copy: %w", rerr)
		}
	}
	return err
}

// foreignOpen copies the database at path and opens the copy, returning the
// state of the source the copy was taken in.
func foreignOpen(ctx context.Context, path string) (*foreignConn, foreignState, error) {
	foreignSweep()
	for try := 0; ; try++ {
		before, err := foreignStateOf(path)
		if err != nil {
			return nil, before, err
		}
		dir, err := foreignCopyFiles(ctx, path, before)
		if err != nil {
			return nil, before, err
		}
		after, err := foreignStateOf(path)
		if err == nil && after == before {
			conn, err := foreignOpenCopy(ctx, dir)
			if err != nil {
				os.RemoveAll(dir)
				return nil, before, fmt.Errorf("open copy of %s: %w", path, err)
			}
			return conn, before, nil
		}
		os.RemoveAll(dir)
		if err != nil {
			return nil, before, err
		}
		if try+1 == foreignCopyTries {
			return nil, before, reel.Errorf(reel.EBUSY, "database %s kept changing while it was copied", path).
				WithHint("sync again when the client is less busy")
		}
	}
}

// foreignCopyFiles copies the files st names into a new private folder.
func foreignCopyFiles(ctx context.Context, path string, st foreignState) (string, error) {
	dir, err := os.MkdirTemp("", foreignPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("copy database: %w", err)
	}
	for i, suffix := range foreignSuffixes {
		if !st[i].Exists {
			continue
		}
		if err := ctx.Err(); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		if err := foreignCopyFile(path+suffix, filepath.Join(dir, "db"+suffix)); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("copy database: %w", err)
		}
	}
	return dir, nil
}

// foreignCopyFile copies src to a new file dst that only its owner reads.
// A companion file that vanished meanwhile is skipped: the state check
// that follows sees the change.
func foreignCopyFile(src, dst string) error {
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// foreignOpenCopy opens the copy in dir, brings it to a consistent state
// and removes its folder (see the comment at the top of this file).
func foreignOpenCopy(ctx context.Context, dir string) (*foreignConn, error) {
	p := filepath.ToSlash(filepath.Join(dir, "db"))
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a drive letter: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: "mode=rw"}
	db, err := sql.Open("sqlite3", u.String())
	if err != nil {
		return nil, err
	}
	// One connection, kept for the copy's life: once the folder is gone, a
	// new connection could not open the file again.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		db.Close()
		return nil, reel.Errorf(reel.ECORRUPT, "not a readable SQLite database: %v", err)
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		db.Close()
		return nil, reel.Errorf(reel.ECORRUPT, "not a readable SQLite database: %v", err)
	}
	if _, err := db.ExecContext(ctx, "PRAGMA query_only=1"); err != nil {
		db.Close()
		return nil, err
	}
	conn := &foreignConn{db: db}
	if err := os.RemoveAll(dir); err != nil {
		conn.dir = dir
	}
	return conn, nil
}

// foreignSweep removes copies that a crashed process left in the temporary
// folder. Errors are ignored: a leftover it cannot remove is not ours.
func foreignSweep() {
	tmp := os.TempDir()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), foreignPrefix) {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > foreignStale {
			os.RemoveAll(filepath.Join(tmp, e.Name()))
		}
	}
}

// foreignDBs keeps one open copy per source database for an importer,
// with the index the importer builds from it. It is safe for concurrent
// use: callers that find the same state share one copy.
type foreignDBs[T any] struct {
	// build reads what Discover and Stamp need from a fresh copy.
	build func(ctx context.Context, db *sql.DB) (T, error)
	idle  time.Duration

	mu   sync.Mutex
	open map[string]*foreignSnapshot[T]
}

// foreignSnapshot is one copy of a database and its index.
type foreignSnapshot[T any] struct {
	path  string
	state foreignState
	ready chan struct{} // closed once conn, index and err are set
	err   error
	conn  *foreignConn
	index T

	// Guarded by foreignDBs.mu.
	refs  int
	stale bool // no longer served to new callers: closed when unused
	timer *time.Timer
}

// newForeignDBs returns a cache that builds each copy's index with build.
func newForeignDBs[T any](build func(ctx context.Context, db *sql.DB) (T, error)) *foreignDBs[T] {
	return &foreignDBs[T]{build: build, idle: foreignIdle, open: map[string]*foreignSnapshot[T]{}}
}

// use calls fn with a copy of the database at path taken no earlier than
// the call, copying it when the source changed since the last copy. fn
// must not keep the snapshot.
func (c *foreignDBs[T]) use(ctx context.Context, path string, fn func(*foreignSnapshot[T]) error) error {
	st, err := foreignStateOf(path)
	if err != nil {
		return err
	}
	c.mu.Lock()
	s := c.open[path]
	if s != nil && s.state == st && !s.stale {
		s.refs++
		if s.timer != nil {
			s.timer.Stop()
			s.timer = nil
		}
		c.mu.Unlock()
		select {
		case <-s.ready:
		case <-ctx.Done():
			c.release(s)
			return ctx.Err()
		}
	} else {
		if s != nil {
			c.retireLocked(s)
		}
		s = &foreignSnapshot[T]{path: path, state: st, ready: make(chan struct{}), refs: 1}
		c.open[path] = s
		c.mu.Unlock()
		c.load(ctx, s)
	}
	if s.err != nil {
		c.release(s)
		return s.err
	}
	err = fn(s)
	c.release(s)
	return err
}

// load takes s's copy and builds its index.
func (c *foreignDBs[T]) load(ctx context.Context, s *foreignSnapshot[T]) {
	defer close(s.ready)
	conn, st, err := foreignOpen(ctx, s.path)
	if err == nil {
		s.conn = conn
		// The copy reflects st, which may be newer than the state s was
		// looked up by: later callers find it under st.
		c.mu.Lock()
		s.state = st
		c.mu.Unlock()
		s.index, err = c.build(ctx, conn.db)
		if err != nil {
			err = fmt.Errorf("read %s: %w", s.path, err)
		}
	}
	if err != nil {
		s.err = err
		c.mu.Lock()
		c.retireLocked(s)
		c.mu.Unlock()
	}
}

// retireLocked stops serving s; it is closed once unused.
func (c *foreignDBs[T]) retireLocked(s *foreignSnapshot[T]) {
	s.stale = true
	if c.open[s.path] == s {
		delete(c.open, s.path)
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

// release ends one use of s, closing it when it is stale and unused, or
// arming the idle timer when it is current.
func (c *foreignDBs[T]) release(s *foreignSnapshot[T]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.refs--
	if s.refs > 0 {
		return
	}
	if s.stale {
		s.closeConn()
		return
	}
	s.timer = time.AfterFunc(c.idle, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if s.refs == 0 && !s.stale {
			c.retireLocked(s)
			s.closeConn()
		}
	})
}

// closeConn closes s's copy, if it was opened. Its ready channel is
// closed: only unused snapshots are closed, and a user waits for ready.
func (s *foreignSnapshot[T]) closeConn() {
	if s.conn != nil {
		s.conn.close()
		s.conn = nil
	}
}

// Close closes every copy; one in use is closed when its user is done.
func (c *foreignDBs[T]) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.open {
		c.retireLocked(s)
		if s.refs == 0 {
			s.closeConn()
		}
	}
	return nil
}

// foreignColumns returns the names of table's columns in table order, or
// nil when the database has no such table.
func foreignColumns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", table, err)
		}
		cols = append(cols, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", table, err)
	}
	return cols, nil
}

// foreignSelect returns a SELECT list of cols that yields each value as
// stored. A bare column would be converted by the driver when its declared
// type is DATE, DATETIME, TIMESTAMP or BOOLEAN; unary plus leaves the value
// and its storage class alone but drops the declared type.
func foreignSelect(cols []string) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("+")
		b.WriteString(foreignQuote(c))
	}
	return b.String()
}

// foreignQuote quotes an SQL identifier.
func foreignQuote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// foreignRow is one row read as stored: its values in column order.
type foreignRow []any

// foreignScan reads every row of rows, as stored.
func foreignScan(rows *sql.Rows, width int) ([]foreignRow, error) {
	defer rows.Close()
	var out []foreignRow
	for rows.Next() {
		row := make(foreignRow, width)
		ptrs := make([]any, width)
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// A row becomes one raw record: a JSON object whose keys are the column
// names in table order and whose values are the values exactly as stored,
// followed by "\n". SQLite's storage classes map to JSON as follows:
//
//   - NULL is null; INTEGER is a number.
//   - REAL is a number that always has a "." or an exponent, so that it
//     reads back as REAL; the infinities, which JSON lacks, are
//     {"$real":"Infinity"} and {"$real":"-Infinity"}.
//   - TEXT is a string when it is valid UTF-8, and {"$text":"<base64>"}
//     (standard base64 of its bytes) when it is not.
//   - BLOB is {"$blob":"<base64>"}.
//
// No column value is otherwise a JSON object, so the markers cannot be
// mistaken for a value.

// foreignRowJSON encodes row, read from cols, as a raw record.
func foreignRowJSON(cols []string, row foreignRow) ([]byte, error) {
	if len(cols) != len(row) {
		return nil, fmt.Errorf("encode row: %d columns, %d values", len(cols), len(row))
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, col := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		foreignString(&b, col)
		b.WriteByte(':')
		if err := foreignValueJSON(&b, row[i]); err != nil {
			return nil, fmt.Errorf("encode column %s: %w", col, err)
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// foreignValueJSON writes one stored value (see foreignRowJSON).
func foreignValueJSON(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		switch {
		case math.IsInf(v, 1):
			b.WriteString(`{"$real":"Infinity"}`)
		case math.IsInf(v, -1):
			b.WriteString(`{"$real":"-Infinity"}`)
		case math.IsNaN(v):
			return errors.New("NaN is not a stored value")
		default:
			s := strconv.FormatFloat(v, 'g', -1, 64)
			if !strings.ContainsAny(s, ".e") {
				s += ".0"
			}
			b.WriteString(s)
		}
	case string:
		if !utf8.ValidString(v) {
			b.WriteString(`{"$text":"`)
			b.WriteString(base64.StdEncoding.EncodeToString([]byte(v)))
			b.WriteString(`"}`)
			return nil
		}
		foreignString(b, v)
	case []byte:
		b.WriteString(`{"$blob":"`)
		b.WriteString(base64.StdEncoding.EncodeToString(v))
		b.WriteString(`"}`)
	default:
		return fmt.Errorf("unexpected value of type %T", v)
	}
	return nil
}

// foreignString writes s, valid UTF-8, as a JSON string: only what JSON
// requires is escaped, so text reads as it was stored.
func foreignString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // a string always encodes
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}

// foreignBytes returns the bytes of a TEXT or BLOB value as a raw record
// holds it: a string, or a $text or $blob marker. ok is false for any
// other value (null, a number, broken base64).
func foreignBytes(raw json.RawMessage) (data []byte, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	if raw[0] == '"' {
		s, ok := jsonUnquote(raw)
		return []byte(s), ok
	}
	if raw[0] != '{' {
		return nil, false
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return nil, false
	}
	enc, found := m["$blob"]
	if !found {
		enc, found = m["$text"]
	}
	if !found {
		return nil, false
	}
	data, err := base64.StdEncoding.DecodeString(enc)
	return data, err == nil
}

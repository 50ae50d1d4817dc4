package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// foreignListing describes every file under dir (name, mode, size, time),
// to prove that reading a database left its folder as it was.
func foreignListing(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, fmt.Sprintf("%s %v %d %d", rel, fi.Mode(), fi.Size(), fi.ModTime().UnixNano()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// foreignPrivateTemp points the temporary folder at a new empty one, so a
// test can see every copy made and check that none is left.
func foreignPrivateTemp(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if os.TempDir() != tmp {
		t.Skipf("os.TempDir does not follow TMPDIR here (%s)", os.TempDir())
	}
	return tmp
}

// foreignCheckNoCopies fails when a database copy is left in tmp.
func foreignCheckNoCopies(t *testing.T, tmp string) {
	t.Helper()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left in the temporary folder: %s", e.Name())
	}
}

// foreignCheckRows compares every row record of runs with the row read
// from db directly: the same columns in table order, each value of the
// same storage class and contents.
func foreignCheckRows(t *testing.T, db *sql.DB, runs []*sessionRun) {
	t.Helper()
	n := 0
	for _, run := range runs {
		for _, r := range run.raw {
			table, _, ok := strings.Cut(r.Name, ":")
			if !ok {
				continue
			}
			n++
			if !strings.HasSuffix(string(r.Data), "}\n") {
				t.Errorf("%s: record does not end with a newline", r.Name)
			}
			keyCol, keyVal := foreignRowKey(table, r.Name, r.Data)
			cols := foreignTestColumns(t, db, table)
			dec := json.NewDecoder(strings.NewReader(string(r.Data)))
			dec.UseNumber()
			var got []string // keys in record order
			vals := map[string]json.RawMessage{}
			if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
				t.Fatalf("%s: not an object", r.Name)
			}
			for dec.More() {
				k, _ := dec.Token()
				var v json.RawMessage
				if err := dec.Decode(&v); err != nil {
					t.Fatalf("%s: %v", r.Name, err)
				}
				got = append(got, k.(string))
				vals[k.(string)] = v
			}
			if !slices.Equal(got, cols) {
				t.Errorf("%s: keys %v, columns %v", r.Name, got, cols)
			}
			for _, c := range cols {
				var typ string
				var text sql.NullString
				var blob []byte
				q := fmt.Sprintf("SELECT typeof(%[1]s), CAST(%[1]s AS TEXT), CAST(%[1]s AS BLOB) FROM %[2]s WHERE %[3]s = ?",
					foreignQuote(c), foreignQuote(table), foreignQuote(keyCol))
				if err := db.QueryRow(q, keyVal).Scan(&typ, &text, &blob); err != nil {
					t.Fatalf("%s column %s: %v", r.Name, c, err)
				}
				foreignCheckValue(t, r.Name+"."+c, typ, text.String, blob, vals[c])
			}
		}
	}
	if n == 0 {
		t.Fatal("no row records to compare")
	}
}

// foreignCheckValue checks one value of a row record against the value
// SQLite holds: its storage class typ and its text or bytes.
func foreignCheckValue(t *testing.T, name, typ, text string, blob []byte, raw json.RawMessage) {
	t.Helper()
	s := string(raw)
	switch typ {
	case "null":
		if s != "null" {
			t.Errorf("%s = %s, want null", name, s)
		}
	case "integer":
		if s != text {
			t.Errorf("%s = %s, want %s", name, s, text)
		}
	case "real":
		var f float64
		if json.Unmarshal(raw, &f) != nil || !strings.ContainsAny(s, ".e") {
			t.Errorf("%s = %s, want a REAL like %s", name, s, text)
		}
	case "text":
		b, ok := foreignBytes(raw)
		if !ok || string(b) != string(blob) || strings.Contains(s, `"$blob"`) {
			t.Errorf("%s = %.80s, want the text %.80q", name, s, blob)
		}
	case "blob":
		b, ok := foreignBytes(raw)
		if !ok || string(b) != string(blob) || !strings.Contains(s, `"$blob"`) {
			t.Errorf("%s = %.80s, want the blob %.80q", name, s, blob)
		}
	default:
		t.Errorf("%s: storage class %q", name, typ)
	}
}

// foreignRowKey returns the column that identifies a row record's row,
// and its value.
func foreignRowKey(table, name string, data []byte) (string, any) {
	if table == "cursorDiskKV" {
		_, key, _ := strings.Cut(name, ":")
		return "key", key
	}
	var row struct {
		ID string `json:"id"`
	}
	json.Unmarshal(data, &row)
	return "id", row.ID
}

// foreignTestColumns returns a table's columns.
func foreignTestColumns(t testing.TB, db *sql.DB, table string) []string {
	t.Helper()
	cols, err := foreignColumns(context.Background(), db, table)
	if err != nil || cols == nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	return cols
}

// foreignTexts lists "kind:first line of text" of events.
func foreignTexts(evs []reel.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind+":"+strings.SplitN(e.Text, "\n", 2)[0])
	}
	return out
}

// foreignNames lists the names of a run's records.
func foreignNames(run *sessionRun) []string {
	var out []string
	for _, r := range run.raw {
		out = append(out, r.Name)
	}
	return out
}

// foreignRun returns the run of the session with native id id.
func foreignRun(t testing.TB, runs []*sessionRun, id string) *sessionRun {
	t.Helper()
	i := slices.IndexFunc(runs, func(r *sessionRun) bool { return r.file.NativeID == id })
	if i < 0 {
		t.Fatalf("no session %s among %d", id, len(runs))
	}
	return runs[i]
}

func TestForeignRowJSON(t *testing.T) {
	tests := []struct {
		name string
		cols []string
		row  foreignRow
		want string
	}{
		{"OK", []string{"id", "n", "f", "s", "b", "z"},
			foreignRow{"a<b>&", int64(-42), 1.0, "line\n\"q\"", []byte{0, 1, 0xff}, nil},
			`{"id":"a<b>&","n":-42,"f":1.0,"s":"line\n\"q\"","b":{"$blob":"AAH/"},"z":null}` + "\n"},
		{"Reals", []string{"a", "b", "c", "d"},
			foreignRow{0.5, 1e300, math.Inf(1), math.Inf(-1)},
			`{"a":0.5,"b":1e+300,"c":{"$real":"Infinity"},"d":{"$real":"-Infinity"}}` + "\n"},
		{"InvalidUTF8Text", []string{"t"}, foreignRow{"ok\xff"}, `{"t":{"$text":"b2v/"}}` + "\n"},
		{"EmptyBlob", []string{"b"}, foreignRow{[]byte{}}, `{"b":{"$blob":""}}` + "\n"},
		{"QuotedColumn", []string{`we"ird`}, foreignRow{int64(1)}, `{"we\"ird":1}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := foreignRowJSON(tt.cols, tt.row)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
	t.Run("ErrWidth", func(t *testing.T) {
		if _, err := foreignRowJSON([]string{"a"}, foreignRow{}); err == nil {
			t.Error("no error for a row of the wrong width")
		}
	})
	t.Run("ErrType", func(t *testing.T) {
		if _, err := foreignRowJSON([]string{"a"}, foreignRow{time.Now()}); err == nil {
			t.Error("no error for a value SQLite does not store")
		}
	})
}

func TestForeignBytes(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		ok   bool
	}{
		{`"plain"`, "plain", true},
		{`"esc\u00e9\n"`, "esc\u00e9\n", true},
		{`{"$blob":"AAH/"}`, "\x00\x01\xff", true},
		{`{"$text":"b2v/"}`, "ok\xff", true},
		{`{"$blob":"!!"}`, "", false},
		{`{"other":"x"}`, "", false},
		{`{"$blob":"AA==","$text":"AA=="}`, "", false},
		{`12`, "", false},
		{`null`, "", false},
		{``, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok := foreignBytes(json.RawMessage(tt.raw))
			if ok != tt.ok || ok && string(got) != tt.want {
				t.Errorf("foreignBytes(%s) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// foreignTestDB creates a database in a new folder with one table t of
// every storage class, and returns its path.
func foreignTestDB(t *testing.T, journal string) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"PRAGMA journal_mode=" + journal,
		"PRAGMA wal_autocheckpoint=0",
		// Declared types the driver would convert, were the values read bare.
		"CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, at TIMESTAMP, ok BOOLEAN, f REAL, b BLOB, z)",
		"INSERT INTO t VALUES ('a', 1, 1757160000000, 1, 2.0, x'00ff', NULL)",
		"INSERT INTO t VALUES ('b', -9007199254740993, '2025-09-06', 0, 1e308, 'text in a blob column', 3.25)",
		"INSERT INTO t VALUES ('c', NULL, NULL, NULL, NULL, x'', CAST(x'6f6bff' AS TEXT))",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path, db
}

// foreignTestRows reads table t of a copy as records named "t:<id>".
func foreignTestRows(ctx context.Context, db *sql.DB) ([]reel.RawRecord, error) {
	cols, err := foreignColumns(ctx, db, "t")
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, "SELECT "+foreignSelect(cols)+" FROM t ORDER BY id")
	if err != nil {
		return nil, err
	}
	got, err := foreignScan(rows, len(cols))
	if err != nil {
		return nil, err
	}
	var recs []reel.RawRecord
	for _, r := range got {
		data, err := foreignRowJSON(cols, r)
		if err != nil {
			return nil, err
		}
		recs = append(recs, reel.RawRecord{Name: "t:" + r[0].(string), Data: data})
	}
	return recs, nil
}

func TestForeignDBs_Use(t *testing.T) {
	for _, journal := range []string{"WAL", "DELETE"} {
		t.Run(journal, func(t *testing.T) {
			tmp := foreignPrivateTemp(t)
			path, src := foreignTestDB(t, journal)
			dir := filepath.Dir(path)
			if _, err := os.Stat(path + "-wal"); (err == nil) != (journal == "WAL") {
				t.Fatalf("-wal present: %v, want %v", err == nil, journal == "WAL")
			}
			before := foreignListing(t, dir)
			builds := 0
			dbs := newForeignDBs(func(ctx context.Context, db *sql.DB) ([]reel.RawRecord, error) {
				builds++
				return foreignTestRows(ctx, db)
			})
			defer dbs.Close()
			var recs []reel.RawRecord
			read := func() {
				t.Helper()
				err := dbs.use(context.Background(), path, func(s *foreignSnapshot[[]reel.RawRecord]) error {
					recs = s.index
					// The copy's folder is gone while the copy is open.
					foreignCheckNoCopies(t, tmp)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			read()
			read()
			if builds != 1 {
				t.Errorf("%d copies for an unchanged database, want 1", builds)
			}
			if len(recs) != 3 {
				t.Fatalf("%d rows, want 3", len(recs))
			}
			foreignCheckRows(t, src, []*sessionRun{{raw: recs}})
			if after := foreignListing(t, dir); !slices.Equal(after, before) {
				t.Errorf("the database's folder changed:\nbefore %q\nafter  %q", before, after)
			}

			// A write, in the WAL or the file, makes a new copy that has it.
			if _, err := src.Exec("INSERT INTO t VALUES ('d', 4, 0, 0, 0.0, x'01', 'new')"); err != nil {
				t.Fatal(err)
			}
			before = foreignListing(t, dir)
			read()
			if builds != 2 || len(recs) != 4 {
				t.Errorf("after a write: %d copies and %d rows, want 2 and 4", builds, len(recs))
			}
			if after := foreignListing(t, dir); !slices.Equal(after, before) {
				t.Errorf("the database's folder changed:\nbefore %q\nafter  %q", before, after)
			}
			dbs.Close()
			foreignCheckNoCopies(t, tmp)
		})
	}
}

// TestForeignDBs_HotJournal reads a rollback-journal database in the
// middle of a write transaction that already spilled pages into the file:
// the copy must show the last committed state, as SQLite would.
func TestForeignDBs_HotJournal(t *testing.T) {
	foreignPrivateTemp(t)
	path, src := foreignTestDB(t, "DELETE")
	ctx := context.Background()
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := src.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"PRAGMA cache_size=2", "BEGIN IMMEDIATE"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 500 {
		if _, err := conn.ExecContext(ctx, "INSERT INTO t (id, b) VALUES (?, randomblob(2000))", fmt.Sprint("spill", i)); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(path + "-journal"); err != nil || fi.Size() == 0 {
		t.Fatalf("no hot journal beside the database: %v", err)
	}
	if spilled, err := os.ReadFile(path); err != nil || string(spilled) == string(committed) {
		t.Fatalf("the transaction wrote nothing into the database file yet (%v): the test proves nothing", err)
	}
	before := foreignListing(t, filepath.Dir(path))
	dbs := newForeignDBs(foreignTestRows)
	defer dbs.Close()
	err = dbs.use(ctx, path, func(s *foreignSnapshot[[]reel.RawRecord]) error {
		if len(s.index) != 3 {
			t.Errorf("%d rows, want the 3 committed", len(s.index))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := foreignListing(t, filepath.Dir(path)); !slices.Equal(after, before) {
		t.Errorf("the database's folder changed:\nbefore %q\nafter  %q", before, after)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
}

func TestForeignDBs_Errors(t *testing.T) {
	tmp := foreignPrivateTemp(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 400)), 0o644); err != nil {
		t.Fatal(err)
	}
	dbs := newForeignDBs(foreignTestRows)
	defer dbs.Close()
	tests := []struct {
		name, path, code string
	}{
		{"ErrNotFound", filepath.Join(dir, "missing.db"), reel.ENOTFOUND},
		{"ErrCorrupt", junk, reel.ECORRUPT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := dbs.use(context.Background(), tt.path, func(*foreignSnapshot[[]reel.RawRecord]) error {
				t.Error("fn called")
				return nil
			})
			if reel.ErrorCode(err) != tt.code {
				t.Errorf("err = %v (code %q), want code %q", err, reel.ErrorCode(err), tt.code)
			}
		})
	}
	t.Run("ErrFromFn", func(t *testing.T) {
		path, _ := foreignTestDB(t, "WAL")
		want := errors.New("stop")
		if err := dbs.use(context.Background(), path, func(*foreignSnapshot[[]reel.RawRecord]) error { return want }); err != want {
			t.Errorf("err = %v, want %v", err, want)
		}
	})
	dbs.Close()
	foreignCheckNoCopies(t, tmp)
}

func TestForeignDBs_Idle(t *testing.T) {
	foreignPrivateTemp(t)
	path, _ := foreignTestDB(t, "WAL")
	dbs := newForeignDBs(foreignTestRows)
	dbs.idle = 10 * time.Millisecond
	var first *foreignSnapshot[[]reel.RawRecord]
	use := func() *foreignSnapshot[[]reel.RawRecord] {
		var got *foreignSnapshot[[]reel.RawRecord]
		if err := dbs.use(context.Background(), path, func(s *foreignSnapshot[[]reel.RawRecord]) error { got = s; return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	first = use()
	deadline := time.Now().Add(5 * time.Second)
	for {
		dbs.mu.Lock()
		closed := first.conn == nil
		dbs.mu.Unlock()
		if closed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an idle copy was not closed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if again := use(); again == first || again.conn == nil {
		t.Error("a closed copy was served again")
	}
	dbs.Close()
}

func TestForeignSweep(t *testing.T) {
	tmp := foreignPrivateTemp(t)
	old := filepath.Join(tmp, foreignPrefix+"crashed")
	young := filepath.Join(tmp, foreignPrefix+"copying")
	other := filepath.Join(tmp, "someone-elses")
	for _, d := range []string{old, young, other} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "db"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * foreignStale)
	for _, d := range []string{old, other} {
		if err := os.Chtimes(d, past, past); err != nil {
			t.Fatal(err)
		}
	}
	foreignSweep()
	for d, want := range map[string]bool{old: false, young: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}

// foreignImmutable opens a database that no one writes, read-only and
// without locks, so that the test's own reads create no files beside it.
func foreignImmutable(t testing.TB, path string) *sql.DB {
	t.Helper()
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: "mode=ro&immutable=1"}
	db, err := sql.Open("sqlite3", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestForeignDBs_Concurrent uses one cache from many goroutines while the
// source is written to: each sees a whole committed state, never fewer
// rows than it saw before, and no copy outlives Close.
func TestForeignDBs_Concurrent(t *testing.T) {
	tmp := foreignPrivateTemp(t)
	path, src := foreignTestDB(t, "WAL")
	dbs := newForeignDBs(func(ctx context.Context, db *sql.DB) (int, error) {
		var n int
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
		return n, err
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 40 {
			if _, err := src.Exec("INSERT INTO t (id) VALUES (?)", fmt.Sprint("w", i)); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			seen := 0
			for range 30 {
				err := dbs.use(context.Background(), path, func(s *foreignSnapshot[int]) error {
					var n int
					if err := s.conn.db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
						return err
					}
					if n != s.index || n < seen {
						return fmt.Errorf("a copy with %d rows indexed %d, after one with %d", n, s.index, seen)
					}
					seen = n
					return nil
				})
				if err != nil && reel.ErrorCode(err) != reel.EBUSY {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	<-done
	dbs.Close()
	foreignCheckNoCopies(t, tmp)
}

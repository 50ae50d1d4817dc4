package postgres

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/postgres/pgtest"
)

// withParam returns u with query parameter k set to v.
func withParam(t testing.TB, u, k, v string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}

// withPassword returns u with its user's password set to pw.
func withPassword(t testing.TB, u, pw string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	name := "postgres"
	if p.User != nil {
		name = p.User.Username()
	}
	p.User = url.UserPassword(name, pw)
	return p.String()
}

// query runs a statement on the store's own pool, in its schema.
func queryInt(t testing.TB, s *Store, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestOpen_Errors(t *testing.T) {
	base := pgtest.URL(t)
	const secret = "s3cret-Pa55word"
	// A port nothing listens on: bind one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dead := strings.Replace(withPassword(t, base, secret), "127.0.0.1:5432", "127.0.0.1:"+strconv.Itoa(deadPort), 1)
	if !strings.Contains(dead, strconv.Itoa(deadPort)) {
		t.Skipf("test server URL %s is not on 127.0.0.1:5432; cannot derive a dead port", base)
	}
	tests := []struct {
		name, url, code string
	}{
		{"ErrEmpty", "", reel.EINVALID},
		{"ErrNotURL", "host=localhost password=" + secret, reel.EINVALID},
		{"ErrScheme", "mysql://root:" + secret + "@localhost/test", reel.EINVALID},
		{"ErrBadParam", withParam(t, withPassword(t, base, secret), "sslmode", "sometimes"), reel.EINVALID},
		{"ErrUnreachable", dead, reel.EINTERNAL},
		{"ErrNoDatabase", strings.Replace(withPassword(t, base, secret), "/test?", "/reel_no_such_db?", 1), reel.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.url)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded", tt.url)
			}
			if got := reel.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q (%v), want %q", got, err, tt.code)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(reel.ErrorHint(err), secret) {
				t.Errorf("error shows the password: %v (hint %q)", err, reel.ErrorHint(err))
			}
			if reel.ErrorHint(err) == "" {
				t.Errorf("error %v has no hint", err)
			}
		})
	}
}

func TestOpen_LocationHidesPassword(t *testing.T) {
	const secret = "s3cret-Pa55word"
	// Trust authentication accepts any password, so the store opens.
	u := withParam(t, withPassword(t, pgtest.Schema(t, pgtest.URL(t)), secret), "password", secret)
	s := openURL(t, u)
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(st.Location, secret) || st.Driver != "postgres" {
		t.Errorf("Stats = driver %q, location %q; want postgres and no password", st.Driver, st.Location)
	}
	if !strings.Contains(st.Location, "xxxxx") {
		t.Errorf("location %q does not show that a password was redacted", st.Location)
	}
}

func TestOpen_Schema(t *testing.T) {
	// schema= puts the tables in that schema, created if missing, and two
	// schemas of one database are two stores.
	ctx := context.Background()
	base := pgtest.URL(t)
	owner := pgtest.Schema(t, base) // dropped at the end, with what is in it
	name := "reel_schema_param_" + strings.TrimPrefix(mustParam(t, owner, "search_path"), "reel_test_")
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err == nil {
			conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`)
			conn.Close(ctx)
		}
	})
	a := openURL(t, withParam(t, base, "schema", name))
	b := openURL(t, owner)
	if err := a.Apply(ctx, message("codex", "in-a", 0, "only in a")); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, a, `SELECT count(*) FROM `+pgx.Identifier{name, "events"}.Sanitize()); n != 1 {
		t.Errorf("events in schema %s = %d, want 1", name, n)
	}
	if _, err := b.Session(ctx, reel.SessionID("codex", "in-a")); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("other schema sees the session: %v", err)
	}
}

func mustParam(t testing.TB, u, k string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Query().Get(k)
}

func TestOpen_MigrationsOnce(t *testing.T) {
	ctx := context.Background()
	u := pgtest.Schema(t, pgtest.URL(t))
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(ctx, message("codex", "kept", 0, "survives a reopen")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for range 2 {
		s := openURL(t, u)
		n := queryInt(t, s, `SELECT count(*) FROM schema_migrations`)
		latest := queryInt(t, s, `SELECT max(version) FROM schema_migrations`)
		if n != int64(len(ms)) || latest != int64(ms[len(ms)-1].Version) {
			t.Errorf("schema_migrations has %d rows up to %d, want %d up to %d", n, latest, len(ms), ms[len(ms)-1].Version)
		}
		if evs, err := s.Events(ctx, reel.SessionID("codex", "kept"), reel.Filter{}); err != nil || len(evs) != 1 {
			t.Errorf("events after reopen = %v, %v", evs, err)
		}
	}
}

func TestOpen_ConcurrentFirstOpen(t *testing.T) {
	// Stores opening a new schema at once migrate it once: the advisory
	// lock makes the others wait, and they find it migrated.
	u := withParam(t, pgtest.Schema(t, pgtest.URL(t)), "pool_max_conns", "2")
	var wg sync.WaitGroup
	errs := make([]error, 6)
	stores := make([]*Store, len(errs))
	for i := range errs {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), u) })
	}
	wg.Wait()
	for _, s := range stores {
		if s != nil {
			defer s.Close()
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	if n := queryInt(t, stores[0], `SELECT count(*) FROM schema_migrations`); n != int64(len(ms)) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}

func TestOpen_ErrNewerSchema(t *testing.T) {
	u := pgtest.Schema(t, pgtest.URL(t))
	s := openURL(t, u)
	if _, err := s.pool.Exec(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), u)
	if reel.ErrorCode(err) != reel.EUNSUPPORT {
		t.Fatalf("Open = %v, want %s", err, reel.EUNSUPPORT)
	}
}

func TestStore_Features(t *testing.T) {
	s := openTest(t)
	f, err := s.Features(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f["server"], "PostgreSQL ") || f["pgvector"] == "" || !strings.HasPrefix(f["schema"], "reel_test_") {
		t.Errorf("Features = %v", f)
	}
	// What the catalog says, asked another way.
	avail := queryInt(t, s, `SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'`)
	if got := f["pgvector"] != "not available"; got != (avail > 0) {
		t.Errorf("pgvector = %q, but pg_available_extensions lists it %d times", f["pgvector"], avail)
	}
}

package postgres

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/user"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/reel-sh/reel"
)

// Store is a reel.Store in a PostgreSQL database, through a pgx
// connection pool. It is safe for concurrent use by several goroutines,
// and any number of Stores, in any number of processes on any number of
// hosts, may share one database.
type Store struct {
	pool *pgxpool.Pool
	// location is the URL without its password, for messages and Stats.
	location string
	// host and user are written to each session row this Store writes.
	host, user string
	// retries counts the operations tried again, for tests and tracing.
	retries atomic.Int64
}

var _ reel.Store = (*Store)(nil)

// Open connects to the database at rawURL (postgres:// or postgresql://)
// and applies any pending migrations. The URL may carry any parameter
// that libpq's URLs do (sslmode, search_path, pool_max_conns, ...), plus
// schema=NAME, which puts reel's tables in that schema, created if
// missing. The password, whether in the URL, in PGPASSWORD or in
// ~/.pgpass, never appears in an error or in Stats.
//
// EINVALID if the URL is malformed or the server refuses the user or the
// database, EINTERNAL if the server cannot be reached, EUNSUPPORT if the
// schema was migrated by a newer reel.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	cfg, location, schema, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	s := &Store{location: location}
	s.host, s.user = identity()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, s.wrap("open database", err)
	}
	s.pool = pool
	err = s.retry(ctx, func(ctx context.Context) error { return s.migrate(ctx, schema) })
	if err != nil {
		pool.Close()
		return nil, s.wrap("open database", err)
	}
	return s, nil
}

// parseURL checks rawURL and returns the pool's configuration, the URL
// to show (without a password) and the schema that schema= names.
func parseURL(rawURL string) (cfg *pgxpool.Config, location, schema string, err error) {
	invalid := func(format string, args ...any) error {
		return reel.Errorf(reel.EINVALID, "open database: "+format, args...).
			WithHint("give a URL like postgres://user@host:5432/dbname?sslmode=disable")
	}
	u, perr := url.Parse(rawURL)
	if perr != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// The parse error would quote the URL, password and all.
		return nil, "", "", invalid("not a postgres:// URL")
	}
	q := u.Query()
	schema = q.Get("schema")
	q.Del("schema")
	u.RawQuery = q.Encode()
	location = redact(u)
	cfg, perr = pgxpool.ParseConfig(u.String())
	if perr != nil {
		return nil, "", "", invalid("bad URL %s", location)
	}
	rp := cfg.ConnConfig.RuntimeParams
	if schema != "" {
		rp["search_path"] = pgx.Identifier{schema}.Sanitize()
	}
	// Apply's correctness rests on each statement seeing what committed
	// before it (see doc.go), whatever the server's default.
	rp["default_transaction_isolation"] = "read committed"
	if rp["application_name"] == "" {
		rp["application_name"] = "reel"
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	return cfg, location, schema, nil
}

// redact returns u as text without its password, in the user info or in
// the query.
func redact(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	q := c.Query()
	for _, k := range []string{"password", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
		}
	}
	c.RawQuery = q.Encode()
	return c.String()
}

// identity returns this machine's host name (REEL_HOST, else the host
// name) and the operating-system user running reel, as best known.
func identity() (host, name string) {
	if host = os.Getenv("REEL_HOST"); host == "" {
		host, _ = os.Hostname()
	}
	if u, err := user.Current(); err == nil {
		name = u.Username
	} else {
		name = os.Getenv("USER")
	}
	return host, name
}

// Location returns the database's URL without its password.
func (s *Store) Location() string { return s.location }

// Close releases the store's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// encTime returns t as unix nanoseconds for a bigint column, or NULL for
// the zero time.
func encTime(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

// decTime is encTime's inverse; times come back in UTC.
func decTime(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return time.Unix(0, *v).UTC()
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

// args collects a query's arguments and names their placeholders.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// where collects AND-ed SQL conditions.
type where []string

func (w where) sql() string {
	if len(w) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w, " AND ")
}

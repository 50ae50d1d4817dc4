package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server tests use when $REEL_TEST_POSTGRES is unset:
// a local server with trust authentication and a database named test.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// schemaPrefix starts the name of every schema Schema creates; the unix
// time of its creation follows, so that Sweep can tell stale ones.
const schemaPrefix = "reel_test_"

var (
	mu      sync.Mutex
	checked = map[string]error{} // by URL: nil when the server answered
)

// URL returns the test server's URL ($REEL_TEST_POSTGRES, or DefaultURL).
// It skips the test if the server cannot be reached, or fails it under
// CI=true. The first call per URL also drops the test schemas that
// crashed runs left behind more than a day ago.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("REEL_TEST_POSTGRES")
	if u == "" {
		u = DefaultURL
	}
	mu.Lock()
	err, done := checked[u]
	if !done {
		err = sweep(u, 24*time.Hour)
		checked[u] = err
	}
	mu.Unlock()
	if err != nil {
		msg := fmt.Sprintf("no PostgreSQL server at %s (%v); set REEL_TEST_POSTGRES=postgres://user@host:port/db?sslmode=disable to run this test against one",
			redact(u), err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return u
}

// Schema creates an empty schema for the test and returns base with its
// search_path set to it. The schema and everything in it are dropped when
// the test ends, after the cleanups registered later (closing stores).
func Schema(t testing.TB, base string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := schemaPrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + hex.EncodeToString(b[:])
	if err := exec(base, `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(base, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// exec runs one statement on a connection of its own.
func exec(u, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func connect(ctx context.Context, u string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	cfg.ConnectTimeout = 5 * time.Second
	return pgx.ConnectConfig(ctx, cfg)
}

// sweep connects to the server at u and drops the test schemas created
// more than age ago.
func sweep(u string, age time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, schemaPrefix)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, name := range names {
		ts, _, _ := strings.Cut(strings.TrimPrefix(name, schemaPrefix), "_")
		created, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || time.Since(time.Unix(created, 0)) < age {
			continue
		}
		// Another run may be dropping it too.
		_, _ = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`)
	}
	return nil
}

// redact returns u without its password.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	if p.User != nil {
		p.User = url.User(p.User.Username())
	}
	return p.String()
}

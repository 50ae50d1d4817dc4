package pgtest

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestSchema(t *testing.T) {
	base := URL(t)
	var name string
	exists := func() bool {
		t.Helper()
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	t.Run("OK", func(t *testing.T) {
		u, err := url.Parse(Schema(t, base))
		if err != nil {
			t.Fatal(err)
		}
		name = u.Query().Get("search_path")
		conn, err := pgx.Connect(context.Background(), u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var current string
		if err := conn.QueryRow(context.Background(), `SELECT current_schema()`).Scan(&current); err != nil {
			t.Fatal(err)
		}
		if current != name || !exists() {
			t.Errorf("current_schema() = %q, want the new schema %q", current, name)
		}
	})
	if name == "" || exists() {
		t.Errorf("schema %q still exists after its test ended", name)
	}
}

func TestSweep(t *testing.T) {
	base := URL(t)
	stale := schemaPrefix + "1000000000_0123456789ab" // 2001
	fresh := schemaPrefix + "9000000000_0123456789ab" // 2255
	for _, n := range []string{stale, fresh} {
		if err := exec(base, `CREATE SCHEMA IF NOT EXISTS `+n); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { exec(base, `DROP SCHEMA IF EXISTS `+fresh) })
	if err := sweep(base, time.Hour); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var got []string
	rows, _ := conn.Query(context.Background(), `SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) ORDER BY 1`, []string{stale, fresh})
	got, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(got) != 1 || got[0] != fresh {
		t.Errorf("schemas left = %v (%v), want only %s", got, err, fresh)
	}
}

package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations returns the embedded migrations in version order.
func migrations() ([]migration.Migration, error) { return migration.List(migrationFS) }

// migrateLockClass is the first key of the advisory lock that migrations
// take ("reel" in ASCII); the second is a hash of the schema's name, so
// that only migrations of the same schema wait for each other.
const migrateLockClass = 0x7265656c

// migrate creates schema if it is named and missing, and applies the
// migrations it lacks, in order, in one transaction that first takes a
// transaction-level advisory lock: processes opening a new database at
// once wait for each other there, and the later ones find the schema
// already migrated. The lock goes with the transaction, so a process
// that dies mid-migration leaves neither a lock nor half a schema.
func (s *Store) migrate(ctx context.Context, schema string) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(coalesce(nullif($2, ''), current_schema(), '')))`,
		int32(migrateLockClass), schema); err != nil {
		return fmt.Errorf("lock schema: %w", err)
	}
	if schema != "" {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema %s: %w", schema, err)
		}
	}
	var current *string
	if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&current); err != nil {
		return err
	}
	if current == nil {
		return reel.Errorf(reel.EINVALID, "database %s: no schema of the search path exists", s.location).
			WithHint("add schema=NAME to the URL, or create the schema that search_path names")
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now(),
		applied_by text        NOT NULL DEFAULT ''
	)`); err != nil {
		return err
	}
	var version int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return err
	}
	if latest := ms[len(ms)-1].Version; version > latest {
		return &reel.Error{
			Code:    reel.EUNSUPPORT,
			Message: fmt.Sprintf("database %s (schema %s) has schema version %d; this reel knows up to %d", s.location, *current, version, latest),
			Hint:    "upgrade reel",
		}
	}
	for _, m := range ms {
		if m.Version <= version {
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_by) VALUES ($1, $2, $3)`,
			m.Version, m.Name, encText(s.user+"@"+s.host)); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return tx.Commit(ctx)
}

//go:build !sqlite_fts5

package sqlite

// reel's full-text index needs SQLite's FTS5 module, which the driver only
// compiles in with the sqlite_fts5 build tag. This undefined name stops a
// build without it, and the compiler error names the fix.
var _ = build_reel_with__tags_sqlite_fts5

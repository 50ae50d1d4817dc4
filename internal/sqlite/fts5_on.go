//go:build sqlite_fts5

package sqlite

// fts5Compiled reports whether the driver was built with SQLite's FTS5
// module; see fts5_tag.go.
const fts5Compiled = true

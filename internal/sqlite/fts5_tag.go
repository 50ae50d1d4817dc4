//go:build !sqlite_fts5

package sqlite

// fts5Compiled reports whether the driver was built with SQLite's FTS5
// module, which it compiles in only with the sqlite_fts5 build tag.
// Without it the package still builds, so go vet and editors work on any
// tags, and Open refuses with an error that names the fix.
const fts5Compiled = false

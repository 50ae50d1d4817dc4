// Package sqlite is the embedded reel.Store: one SQLite database file,
// through the cgo driver github.com/mattn/go-sqlite3, which must be built
// with -tags sqlite_fts5 for the full-text index (a build without the tag
// stops with an error that names it).
//
// # Durability
//
// The database runs in WAL mode with synchronous=NORMAL. A committed Apply
// survives the reel process being killed at any moment. After a power loss
// or an operating-system crash, the last transactions before it may be
// rolled back (never half-applied): the database stays consistent, and
// since each file's cursor is rolled back with its events, the next sync
// reads those records again from the session files. synchronous=FULL
// would close that window at the cost of an fsync per commit.
//
// # Concurrency
//
// Every write transaction is BEGIN IMMEDIATE and waits up to 10 s for
// another process's write lock (EBUSY after that); writers of one Store
// queue on a mutex first. Reads use separate connections with deferred
// transactions, so they never take the write lock and never wait for a
// writer. The file and its -wal and -shm companions are created with mode
// 0600, in a folder created with mode 0700.
//
// # Schema
//
// Migrations are embedded SQL files (migrations/NNNN_*.sql), applied in
// order inside one transaction and recorded in schema_migrations. A
// shipped migration is never edited; a change is a new file. A database
// migrated by a newer reel is refused with EUNSUPPORT.
//
// Times are INTEGER unix nanoseconds in UTC (NULL for the zero time), so
// they round-trip exactly between the years 1678 and 2262; Apply refuses
// others with EINVALID.
//
// # Full-text index
//
// Event text is indexed by an external-content FTS5 table (tokenizer
// unicode61, diacritics removed) over a view of the events table, so the
// text is stored once. Only the first 32768 characters of an event are
// indexed and used for snippets; Events returns the whole text. Apply
// indexes and unindexes a batch's events with one statement each.
//
// Indexing dominates the cost of Apply: on a 2-core machine, with events
// of 10 to 60 words and a 600-byte raw record each, Apply writes about
// 50,000 events/s in batches of 250 and about 67,000 events/s in batches
// of 1000 or more, of which FTS5 takes over half (tokenizing, then writing
// and merging index segments at each commit). Larger batches amortise the
// per-commit work.
//
// # Search
//
// A query is rendered from reel.Query with every word quoted, so no input
// is FTS5 syntax. An ASCII prefix term is expanded through the index's
// vocabulary into the (at most 32) words it covers, because FTS5 would
// otherwise merge every matching doclist again in each statement.
//
// bm25 ranking costs about 0.8 µs per ranked row, plus, for each word of
// the query, about 14 ns per event that contains it anywhere in the index
// (FTS5 counts them for the word's weight, whatever rowid range the query
// is limited to: 4 ms for a word in 300,000 events). So Search first
// reads the newest matches that pass the filters, up to 2000 (300 when
// there are filters, since checking them reads each match's event):
//
//   - If that is all of them, they are ranked by bm25 and Hit.Score is the
//     bm25 score.
//   - If more match, the hits are the newest matches (the most recently
//     ingested), newest first, with Score 0. For words this common,
//     recency is the more useful order anyway, and ranking them would cost
//     tens to hundreds of milliseconds.
//
// Snippets are built only for the hits returned. A SessionID filter is
// turned into the rowid range of the session's events, which FTS5 seeks
// to; other filters are checked match by match, newest first, so a filter
// that keeps very few of a very common word's matches reads all of them
// (about 0.4 to 1 µs each: 100 ms for 300,000 matches).
package sqlite

// Package postgres is the server-backed reel.Store: one PostgreSQL
// database (or one schema of it) shared by any number of reel processes
// on any number of hosts, through pgx v5 and its connection pool. It
// behaves as the SQLite store does, and passes the same conformance
// suite (internal/storetest).
//
// # Connecting
//
// Open takes a postgres:// or postgresql:// URL with libpq's parameters
// (sslmode, search_path, connect_timeout, pool_max_conns, ...) and one
// of reel's own, schema=NAME, which puts reel's tables in that schema and
// creates it if missing. The password may come from the URL, PGPASSWORD or
// ~/.pgpass; errors, hints and Stats name the database by its URL with the
// password left out. An unreachable server is EINTERNAL, a refused login
// or a missing database EINVALID, each with a hint.
//
// Tested with PostgreSQL 15; the schema needs 10 or later (identity
// columns). No extension is needed. Features reports the server's
// version and whether the pgvector extension is installed or available,
// for reel status; vector search does not use it yet.
//
// # Schema
//
// Migrations are embedded SQL files (migrations/NNNN_*.sql), applied in
// order in one transaction and recorded in schema_migrations. The
// transaction first takes an advisory lock (pg_advisory_xact_lock, keyed
// by reel and the schema's name), so processes opening a new database at
// once wait for each other and migrate it once; the lock goes with the
// transaction, so a process that dies mid-migration leaves neither a lock
// nor half a schema. A schema migrated by a newer reel is refused with
// EUNSUPPORT. A shipped migration is never edited.
//
// The tables are the SQLite store's: sessions, events, raw_records and
// cursors. Times are bigint unix nanoseconds (timestamptz keeps only
// microseconds, and reel promises nanoseconds). Sessions have a bigint
// surrogate key that events and raw records point at; whichever host
// inserts a session first picks it, and nothing outside the store sees
// it. Each session row also records the host and operating-system user of
// the reel that last wrote it (ingested_by_host, ingested_by_user).
//
// PostgreSQL text cannot hold NUL or bytes that are not UTF-8, which
// reel's strings may (a tool's output, a file name). Text columns hold an
// escaped form that decodes exactly (text.go): ordinary text is stored as
// it is, so the escape only shows in rows that needed it.
//
// # Full-text search
//
// Each event row has a tsvector column, indexed by GIN, which reel builds
// from the first 32768 characters of the text itself (word.go) rather
// than with to_tsvector. Words split as SQLite's unicode61 tokenizer
// splits them: runs of letters and digits, lowercased, with the
// diacritics of Latin letters removed; every other character separates
// words. PostgreSQL's parser reads "foo.bar" as one host name,
// "./internal/migrate" as a file path and "rate-limit" as three words,
// so that "foo" or "migrate" would not find them; with reel's splitting
// they do, and the two stores find the same events. For plain words the
// result is exactly to_tsvector('simple', text): no stemming and no stop
// words, so identifiers and code stay searchable (a test checks this
// against the server).
//
// A query is built from reel's parsed query, never from the user's text:
// each term's and phrase's words become quoted lexemes joined by <->
// ("followed by", so "config:path" is the phrase "config path"), a prefix
// term's last lexeme gets :*, and AND, OR and NOT become &, | and !. No
// input is tsquery syntax, and none can make the query fail.
//
// Search reads the newest matches that pass the filters, one more than
// it may rank: 2000, or 300 with filters (the SQLite store's limits). If
// that is all of them, they are ranked by ts_rank_cd normalised by the
// log of the event's length, and Score is that rank; otherwise the hits
// are the newest matches, with Score 0, as in the SQLite store. The
// planner picks between walking the newest events and reading the
// word's GIN entry, so each search is planned with its arguments. Source
// and project filters are turned into the list of sessions they select
// (up to 1000) before the search, so that the planner sees how many
// events they hold; a project filter is matched in Go against the
// distinct projects, as the SQLite store matches it, whatever the
// server's locale. One statement finds, ranks and reads the hits, so it
// sees one snapshot.
//
// Snippets and highlights are built in Go from the hits' text, with the
// same word splitting as the index: the snippet is the 24-word window
// that holds the most distinct query phrases, and each phrase instance in
// it is one highlighted byte range. ts_headline is not used: it would
// split words with PostgreSQL's parser, and miss "config:path".
//
// # Convergence
//
// Several hosts may sync the same session files into one database at the
// same moment. Session ids are derived from the source and the source's
// own id (reel.SessionID), so every host writes the same rows, and an
// Apply is idempotent: it drops the session's tail from the batch's
// FromSeq and FromRaw, then writes the batch's rows. No lock is held
// across machines, and none outlives a transaction.
//
// An Apply is one transaction of five statements, sent as one pipelined
// batch: one round trip, committed as a whole by the server (an implicit
// transaction) or not at all. The batches of one Apply are first composed
// in memory into one write per session, as applying them one by one
// would leave the rows. The statements take every row of a kind at once,
// as arrays (unnest): upsert the sessions (INSERT ... ON CONFLICT DO
// UPDATE), drop their tails, insert the raw records, insert the events,
// upsert the cursors.
//
// The session upsert comes first and takes the sessions' row locks in id
// order, and every later statement touches only rows of those sessions.
// So two Applies that share a session queue on its row lock rather than
// interleave, and two that share several lock them in the same order and
// never deadlock. Connections run READ COMMITTED (Open sets it, whatever
// the server's default), where each statement sees what committed before
// it started: after waiting for the other Apply's lock, the tail an Apply
// drops includes the rows that Apply wrote. Whatever the interleaving,
// the result is as if the Applies had run one after the other, and since
// every writer ends a file with its last batch, writers that sync the
// same files end with the same rows, once each. TestStore_Converge*
// checks this with four Stores in one process and with four processes
// applying overlapping, regrouped and rewound batches of the same
// sessions at once.
//
// # Retries
//
// Apply and every read are tried again, up to 5 times in all, after a
// serialization failure (40001), a deadlock (40P01), a terminated
// backend (57P01) or a failed or lost connection, with a pause that
// doubles each try (about 10, 20, 40, 80 ms, jittered by half). A retry
// is safe because Apply is idempotent: even when the connection was lost
// during the commit, whether or not it committed, applying the batches
// again leaves the rows as applying them once. RawRecords is not retried
// once its callback has seen a record. A deadlock should not happen (see
// above) but is retried all the same; TestStore_RetriesDeadlock makes one.
//
// # Write speed
//
// On the 2-core test machine, with PostgreSQL 15 on the same host and the
// SQLite store's benchmark corpus, Apply writes about 12,000 events/s
// into an empty table in batches of 250, and 6,200 events/s over a
// 200,000-event load (9,500 with 8 batches per Apply), against SQLite's
// 50,000: the server spends about 45 µs of CPU per event on the rows and
// their B-tree indexes and 20 µs more on the GIN index. Loading the same
// batches with COPY (pgx CopyFrom, one transaction and three round trips
// per Apply) measured no faster than the pipelined INSERT ... SELECT FROM
// unnest, which needs one round trip and no staging table, so Apply uses
// the latter. GIN's
// fastupdate (its default) makes inserts 2 to 3 times faster than
// writing every entry into the index at once, at the cost of a pause
// each time a transaction finds 4 MB of pending entries and merges them.
//
// # Tests
//
// The tests run against the server that $REEL_TEST_POSTGRES names
// (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable),
// each open in a fresh schema dropped when the test ends: see package
// pgtest. Without a server they are skipped, except under CI=true.
package postgres

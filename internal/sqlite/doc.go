// Package sqlite is the embedded reel.Store: one SQLite database file,
// through the cgo driver github.com/mattn/go-sqlite3, which must be built
// with -tags sqlite_fts5 for the full-text index (a build without the tag
// compiles, but Open refuses with an error that names it).
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
// An Apply of many batches indexes all their new events with one
// statement after the last batch, not one per batch: FTS5 writes its
// pending entries out as a segment whenever a later statement of the
// transaction opens a savepoint, which the next batch's session upsert
// did, so each batch cost a segment write (0.6 to 1.4 ms per upsert) and
// the commit more merging. With 32 batches of 250 events per Apply, that
// cut Apply's CPU time by about 15%, and a 200,000-event sync went from
// about 23,000 to 28,000 events/s. Only a batch that replaces events
// already stored (FromSeq before the session's last event) makes Apply
// index the pending events first, so that the replaced ones can be
// unindexed.
//
// # Search
//
// A query is rendered from reel.Query with every word quoted, so no input
// is FTS5 syntax.
//
// bm25 ranking costs about 0.8 µs per ranked row, plus, for each word of
// the query, about 14 ns per event that contains it anywhere in the index
// (FTS5 counts them for the word's weight, whatever rowid range the query
// is limited to: 4 ms for a word in 300,000 events). So Search first
// reads the newest matches that pass the filters, up to 2000 (300 when
// there are filters, since checking them reads each match's event): if
// that is all of them, they are ranked by bm25 and Hit.Score is the bm25
// score.
//
// A query of one word with more matches is ranked from the word's band
// (table fts_bands, migration 0007). bm25 of one word grows with its
// count in an event (tf) and shrinks with the event's length in tokens
// (dl), whatever the idf and the mean length are. An event that at least
// 128 others beat on both counts (equal counts: the newer wins) is never
// among the word's 128 best, so the band keeps only the others: about 128
// events per distinct tf, a few KB per word. Search scores the band with
// FTS5's own formula (k1 1.2, b 0.75, the word's df kept in the band, the
// event count and mean length from FTS5's averages record) and returns
// the same hits and scores as ORDER BY bm25 over every match; ties go to
// the newer event. With filters, the band's best 128 are checked against
// them, and if enough pass they are the hits. A word without a band (a
// limit above the band's depth, or one Apply has not yet found frequent)
// is ranked by FTS5 over all its matches, which costs 0.8 µs a match.
//
// Apply keeps the bands in the transaction that indexes the events, so a
// killed Apply leaves bands that match the index (TestStore_BandsSurviveKill).
// After indexing, it reads the new events' indexed text, counts the words
// that have bands in each (ASCII text split in Go as unicode61 does; text
// with other characters tokenized by FTS5 in a temporary table, so counts
// are exact), and merges them into each band: beating is transitive, so
// the band of a band plus new events is the band of all. One new event in
// 8 is split into all its words; a word in at least one of 200 new events
// is looked up in the vocabulary, and one in more than 2000 events gets a
// band, built from the index (fts5vocab instance and docsize). Replaced
// events are read before they are unindexed and taken out of the bands
// that hold them; each removed member lowers the band's depth by one (the
// events it beat may now belong), and a band below depth 64 is rebuilt.
// This roughly doubles the CPU time of Apply itself (see BENCHMARKS.md).
//
// Other queries with more matches than that (two or more words, phrases,
// prefixes, filters that too few of a band's best pass) still return the
// newest matches, newest first, with Score 0.
//
// Snippets are built only for the hits returned.
//
// Two costs of FTS5 shape the rest. Reading a word's matches newest first
// from an upper rowid bound seeks slowly (about 0.3 ms for a common word,
// against 0.05 ms ascending from a lower bound), so a narrow rowid range
// (under 2048 ids) is read whole in ascending order. And a prefix term
// is evaluated by merging the doclists of every term it covers before
// the first match comes out: "test*" covers 3,700 terms in 610,000 events
// of a million and takes 36 ms, once to find the hits and once more for
// their snippets.
//
// # Prefix terms
//
// For an ASCII prefix, Search reads the newest 300 events (1000 when
// fewer than 10 of those hold the prefix) and splits their text into
// tokens as the tokenizer does. An ASCII token is certain: the tokenizer
// only lowercases it. A run of characters with a non-ASCII letter, digit
// or mark may fold into another term, so an event holding one that could
// start with the prefix is marked unsure; punctuation, symbols and spaces
// below U+3000 and emoji are separators. The words with the prefix that
// at least two sampled events hold (at most 12) are its common words.
//
// A query that is one prefix term with common words is searched term by
// term. FTS5 reads the newest matches of the common words, which are
// plain terms and so cheap. Every other term with the prefix can only
// add hits at least as new as the limit-th of those: they are taken from
// the sampled events (read further down, by up to 2000 events, if need
// be) when none of those is unsure, and otherwise from one pass over the
// other terms' instances in the index (fts5vocab 'instance', over the
// term ranges between the common words). The hits are exactly the newest
// matches, and their snippets come from an expression of the terms they
// hold. When the common words' matches do not show more than 2000
// matches in all, the prefix is ranked as below.
//
// Other prefix terms are expanded through the index's vocabulary into
// the (at most 32) terms they cover, so that FTS5 reads each doclist as
// far as needed instead of merging them all; the vocabulary counts every
// row of each term it lists, so the ranges between the common words are
// listed, never the common words themselves. A prefix that covers more
// terms, or is not ASCII, is left to FTS5.
//
// # Filters
//
// A SessionID filter is turned into the rowid range of the session's
// events, which FTS5 seeks to. A project filter is matched against the
// distinct projects (read from an index on sessions.project), so that
// sessions are selected by equal project and source, and a match's
// session is checked with one lookup by its key. Kinds, Roles and
// Since/Until are checked match by match.
//
// With a source or project filter, the newest matches are checked one
// by one first: as many as the share of sessions selected promises to
// hold the matches wanted, twice over, and as many again (up to 8000)
// if the share that passed promises enough. Past that, the selected
// sessions are taken by their last event, newest first (an index seek
// each), and only their rowid ranges are read, ranges close together in
// one query: when the selected sessions were all ingested before the
// newest others (a first sync reads one source after another), the
// others' matches are never read. A session's range runs from the id of
// its first event to that of its last, by seq: Apply inserts a session's
// events in seq order with ids above every existing one, so its ids grow
// with seq (TestStore_EventIDsFollowSeq pins this).
//
// # Search latency
//
// On a 2-core machine, over a database that reel sync built from a
// generated corpus of a million events (6,941 sessions; all Claude Code
// sessions ingested before all Codex ones), 100 searches per class as
// the bench command makes them, p50 / p95 in ms, medians of 4 runs of the
// old and the new search taken in turns on the same database while the
// machine was otherwise busy (a quiet run of the old search gave prefix
// 18.4 / 81.3 and filtered 3.7 / 28.9):
//
//	class     before          after
//	rare      0.28 / 0.69     0.29 / 0.54
//	common    1.46 / 2.17     1.47 / 2.17
//	phrase    2.09 / 3.46     1.90 / 3.21
//	prefix    21.9 / 99.8     2.32 / 4.37
//	filtered  4.01 / 46.9     3.20 / 12.3
//
// The prefix class is migrat*, deploy*, config*, conn*, test*, valid*,
// serial* and retr*; the filtered class is one of ten common words with
// a source, a project, or the last 7 days. The slowest filtered searches
// are a common word in the Claude Code sessions, whose events all lie
// below the Codex ones (about 5,000 index seeks for the sessions' last
// events, then one range query), and in the two rarest projects (6% of
// sessions: about 5,000 matches checked one by one).
//
// The index's segment count weighs on every search: each word of a query
// is looked up in each of the index's segments (21 in that database).
// After INSERT INTO events_fts(events_fts) VALUES('optimize') (3 s there)
// the prefix searches take about a third of the time and common ones
// half.
package sqlite

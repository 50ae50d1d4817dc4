-- 0001_init: sessions, events, raw records, cursors and the full-text index.
--
-- Times are INTEGER unix nanoseconds in UTC; NULL means unknown (the zero
-- time.Time). Shipped migrations are never edited: add a new file instead.

CREATE TABLE sessions (
    sk                 INTEGER PRIMARY KEY,
    id                 TEXT    NOT NULL UNIQUE,
    source             TEXT    NOT NULL,
    native_id          TEXT    NOT NULL DEFAULT '',
    parent_id          TEXT    NOT NULL DEFAULT '',
    title              TEXT    NOT NULL DEFAULT '',
    project            TEXT    NOT NULL DEFAULT '',
    git_branch         TEXT    NOT NULL DEFAULT '',
    host               TEXT    NOT NULL DEFAULT '',
    model              TEXT    NOT NULL DEFAULT '',
    client_version     TEXT    NOT NULL DEFAULT '',
    started_at         INTEGER,
    ended_at           INTEGER,
    -- active_at is the later of started_at and ended_at (NULL when both
    -- are unknown): "most recently active first" is an index scan on it.
    active_at          INTEGER,
    status             TEXT    NOT NULL DEFAULT '',
    event_count        INTEGER NOT NULL DEFAULT 0,
    tok_input          INTEGER NOT NULL DEFAULT 0,
    tok_output         INTEGER NOT NULL DEFAULT 0,
    tok_cache_read     INTEGER NOT NULL DEFAULT 0,
    tok_cache_creation INTEGER NOT NULL DEFAULT 0,
    tok_reasoning      INTEGER NOT NULL DEFAULT 0,
    path               TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX sessions_active ON sessions (active_at DESC, id);
CREATE INDEX sessions_source ON sessions (source);

-- events.id is the full-text index's rowid, so it grows with ingestion:
-- the newest rows have the highest ids. text is the last column so that
-- reading the others never touches its overflow pages.
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    session_sk         INTEGER NOT NULL REFERENCES sessions (sk) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    time               INTEGER,
    kind               TEXT    NOT NULL DEFAULT '',
    role               TEXT    NOT NULL DEFAULT '',
    tool               TEXT    NOT NULL DEFAULT '',
    call_id            TEXT    NOT NULL DEFAULT '',
    message_id         TEXT    NOT NULL DEFAULT '',
    native_id          TEXT    NOT NULL DEFAULT '',
    model              TEXT    NOT NULL DEFAULT '',
    exit_code          INTEGER,
    is_error           INTEGER NOT NULL DEFAULT 0,
    duration           INTEGER NOT NULL DEFAULT 0,
    tok_input          INTEGER NOT NULL DEFAULT 0,
    tok_output         INTEGER NOT NULL DEFAULT 0,
    tok_cache_read     INTEGER NOT NULL DEFAULT 0,
    tok_cache_creation INTEGER NOT NULL DEFAULT 0,
    tok_reasoning      INTEGER NOT NULL DEFAULT 0,
    input              BLOB,
    raw_index          INTEGER NOT NULL DEFAULT 0,
    text               TEXT    NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX events_session_seq ON events (session_sk, seq);

-- raw_records keeps every source record byte for byte, clustered by
-- session and index so that an export reads them in file order.
CREATE TABLE raw_records (
    session_sk  INTEGER NOT NULL REFERENCES sessions (sk) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    byte_offset INTEGER NOT NULL DEFAULT 0,
    type        TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    data        BLOB    NOT NULL,
    PRIMARY KEY (session_sk, idx)
) WITHOUT ROWID;

-- Only unusual records are indexed by status: Stats counts them without
-- reading every raw record.
CREATE INDEX raw_records_unusual ON raw_records (status, session_sk) WHERE status <> 'ok';

CREATE TABLE cursors (
    path        TEXT    PRIMARY KEY,
    source      TEXT    NOT NULL DEFAULT '',
    session_id  TEXT    NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0,
    mod_time    INTEGER,
    head_hash   TEXT    NOT NULL DEFAULT '',
    byte_offset INTEGER NOT NULL DEFAULT 0,
    next_raw    INTEGER NOT NULL DEFAULT 0,
    next_seq    INTEGER NOT NULL DEFAULT 0,
    state       BLOB
);

-- event_fts_source is what the full-text index sees of an event: the first
-- 32768 characters of its text, with the two bytes that snippets use as
-- highlight markers turned into spaces (the tokenizer splits on both
-- anyway). The index is an external-content FTS5 table over this view, so
-- the text is stored once, and a delete feeds back exactly what was
-- indexed.
CREATE VIEW event_fts_source (id, session_sk, seq, body) AS
    SELECT id, session_sk, seq,
           replace(replace(substr(text, 1, 32768), char(2), ' '), char(3), ' ')
    FROM events;

CREATE VIRTUAL TABLE events_fts USING fts5 (
    body,
    content = 'event_fts_source',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- FTS5 merges index segments 4 at a time by default; 8 at a time writes
-- each token fewer times during ingestion, for slightly more segments to
-- read per query.
INSERT INTO events_fts (events_fts, rank) VALUES ('automerge', 8);

-- The index's vocabulary, one row per distinct term: Search expands a
-- prefix query into the terms it covers, which FTS5 evaluates faster than
-- re-merging every matching doclist in each statement.
CREATE VIRTUAL TABLE events_fts_vocab USING fts5vocab ('events_fts', 'row');

-- 0004_checkpoints: points in a session that a user or hook named.
--
-- A checkpoint is user data, not something read from a session file: it
-- points at its session by key, and Apply, which drops and rewrites a
-- session's events, never touches it. id is global (callers derive it),
-- so it is the primary key; seq may be one past the session's last event.
-- state is the caller's JSON, kept byte for byte (NULL when there is
-- none). time is unix nanoseconds, NULL for the zero time.
CREATE TABLE checkpoints (
    id         TEXT    PRIMARY KEY,
    session_sk INTEGER NOT NULL REFERENCES sessions (sk) ON DELETE CASCADE,
    label      TEXT    NOT NULL DEFAULT '',
    time       INTEGER,
    seq        INTEGER NOT NULL,
    state      BLOB
);

-- Checkpoints lists a session's checkpoints in this order.
CREATE INDEX checkpoints_session ON checkpoints (session_sk, seq, time, id);

-- A label names at most one checkpoint of a session; unlabelled
-- checkpoints are any number.
CREATE UNIQUE INDEX checkpoints_label ON checkpoints (session_sk, label) WHERE label <> '';

-- 0002_checkpoints: points in a session that a user or hook named.
--
-- A checkpoint is user data, not something read from a session file: it
-- points at its session by key, and Apply, which drops and rewrites a
-- session's events, never touches it. id is global (callers derive it,
-- so every host that puts a checkpoint agrees on it): it is the primary
-- key, and hosts putting the same checkpoint at once leave one row. seq
-- may be one past the session's last event. state is the caller's JSON
-- as bytes, not jsonb, which would reorder and respace it. id and label
-- hold reel's escaped text (see text.go); time is unix nanoseconds, NULL
-- for the zero time.
CREATE TABLE checkpoints (
    id         text COLLATE "C" PRIMARY KEY,
    session_sk bigint NOT NULL REFERENCES sessions (sk) ON DELETE CASCADE,
    label      text COLLATE "C" NOT NULL DEFAULT '',
    time       bigint,
    seq        bigint NOT NULL,
    state      bytea
);

-- Checkpoints lists a session's checkpoints through this index.
CREATE INDEX checkpoints_session ON checkpoints (session_sk, seq);

-- A label names at most one checkpoint of a session; unlabelled
-- checkpoints are any number.
CREATE UNIQUE INDEX checkpoints_label ON checkpoints (session_sk, label) WHERE label <> '';

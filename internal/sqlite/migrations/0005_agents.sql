-- 0005_agents: the agent sessions reel supervises in tmux (reel run).
--
-- A row is one reel.AgentSession. id (a UUIDv7) and name are the keys a
-- user names it by, so both are unique; created_at (unix nanoseconds)
-- orders the listing, newest first. record is the whole session as JSON,
-- so that a field added to reel.AgentSession needs no migration.
CREATE TABLE agents (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    record     TEXT    NOT NULL
);

CREATE INDEX agents_created ON agents (created_at DESC, id DESC);

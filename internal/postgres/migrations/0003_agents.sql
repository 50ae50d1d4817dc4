-- 0003_agents: the agent sessions reel supervises in tmux (reel run).
--
-- A row is one reel.AgentSession. id (a UUIDv7) and name are the keys a
-- user names it by, so both are unique; created_at (unix nanoseconds)
-- orders the listing, newest first. record is the whole session as JSON
-- text (not jsonb, which refuses \u0000), so that a field added to
-- reel.AgentSession needs no migration. name holds reel's escaped text
-- (see text.go).
CREATE TABLE agents (
    id         text COLLATE "C" PRIMARY KEY,
    name       text COLLATE "C" NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    record     text NOT NULL
);

CREATE INDEX agents_created ON agents (created_at DESC, id DESC);

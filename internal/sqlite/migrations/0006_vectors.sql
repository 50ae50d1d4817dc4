-- 0006_vectors: event embeddings for vector search.
--
-- A row is one event's vector of one model, int8 quantised with one scale
-- per vector (component i is data[i] * scale): 384 dims take 388 bytes.
-- It belongs to its event: a re-read that discards the event discards
-- the vector with it. vid grows with every vector written, so an
-- in-memory index reads only what is new (model, vid).
CREATE TABLE vectors (
    vid      INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    model    TEXT    NOT NULL,
    dim      INTEGER NOT NULL,
    scale    REAL    NOT NULL,
    data     BLOB    NOT NULL,
    UNIQUE (event_id, model)
);

CREATE INDEX vectors_model ON vectors (model, vid);

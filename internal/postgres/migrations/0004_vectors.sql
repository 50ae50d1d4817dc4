-- 0004_vectors: event embeddings for vector search (no pgvector: the
-- vectors are searched by reel's own in-memory index).
--
-- A row is one event's vector of one model, int8 quantised with one scale
-- per vector (component i is the signed byte data[i] times scale): 384
-- dims take 388 bytes. It belongs to its event: a re-read that discards
-- the event discards the vector with it. vid grows with every vector
-- written, so an in-memory index reads only what is new (model, vid).
CREATE TABLE vectors (
    vid      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    model    text COLLATE "C" NOT NULL,
    dim      integer NOT NULL,
    scale    real    NOT NULL,
    data     bytea   NOT NULL,
    UNIQUE (event_id, model)
);

CREATE INDEX vectors_model ON vectors (model, vid);

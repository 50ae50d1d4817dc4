-- 0007_fts_bands: exact bm25 ranking for the index's most frequent words.
--
-- bm25 ranks a word's matches by how often it occurs in each (tf) and how
-- long each event is (dl, in tokens): more often and shorter is better,
-- whatever the index's averages are. So an event that at least depth
-- others beat on both counts can never be among a word's depth best, and
-- band holds only the events beaten by fewer than depth others: each as
-- its id (delta from the previous, ascending), tf and dl, as unsigned
-- varints. Apply keeps the bands of words in more than 2000 events
-- current in the transaction that indexes or unindexes their events; df
-- is the word's number of matching events, as FTS5 counts it. See
-- internal/sqlite/band.go.
CREATE TABLE fts_bands (
    term  TEXT PRIMARY KEY,
    df    INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    band  BLOB NOT NULL
) WITHOUT ROWID;

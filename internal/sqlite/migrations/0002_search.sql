-- 0002_search: what Search reads beside the full-text index.
--
-- The index's term instances, one row per occurrence of a term: (term,
-- doc, col, offset), in term then rowid order, read straight from the
-- index (the table stores nothing). A prefix that covers thousands of
-- terms is searched as its few common terms through FTS5 plus the rare
-- rest read here, in one pass over their term range, instead of FTS5
-- merging every doclist the prefix covers.
CREATE VIRTUAL TABLE events_fts_instance USING fts5vocab ('events_fts', 'instance');

-- A project filter is a substring, which no index can seek; the distinct
-- projects are few, so Search reads them from this index, matches them
-- itself, and then selects sessions by equal project.
CREATE INDEX sessions_project ON sessions (project);

-- 0003_raw_name: where a raw record came from, for a session made of
-- several files (a relative path) or database rows (table and key).
ALTER TABLE raw_records ADD COLUMN name TEXT NOT NULL DEFAULT '';

package ingest

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// opencodeSchema is opencode's database schema for the tables reel reads,
// as drizzle creates it from session.sql.ts.
const opencodeSchema = "" +
	"CREATE TABLE `session` (`id` text PRIMARY KEY NOT NULL, `project_id` text NOT NULL, `workspace_id` text, " +
	"`parent_id` text, `slug` text NOT NULL, `directory` text NOT NULL, `title` text NOT NULL, `version` text NOT NULL, " +
	"`share_url` text, `summary_additions` integer, `summary_deletions` integer, `summary_files` integer, " +
	"`summary_diffs` text, `revert` text, `permission` text, `time_created` integer NOT NULL, " +
	"`time_updated` integer NOT NULL, `time_compacting` integer, `time_archived` integer);\n" +
	"CREATE INDEX `session_parent_idx` ON `session` (`parent_id`);\n" +
	"CREATE TABLE `message` (`id` text PRIMARY KEY NOT NULL, `session_id` text NOT NULL, " +
	"`time_created` integer NOT NULL, `time_updated` integer NOT NULL, `data` text NOT NULL, " +
	"FOREIGN KEY (`session_id`) REFERENCES `session`(`id`) ON UPDATE no action ON DELETE cascade);\n" +
	"CREATE INDEX `message_session_time_created_id_idx` ON `message` (`session_id`,`time_created`,`id`);\n" +
	"CREATE TABLE `part` (`id` text PRIMARY KEY NOT NULL, `message_id` text NOT NULL, `session_id` text NOT NULL, " +
	"`time_created` integer NOT NULL, `time_updated` integer NOT NULL, `data` text NOT NULL, " +
	"FOREIGN KEY (`message_id`) REFERENCES `message`(`id`) ON UPDATE no action ON DELETE cascade);\n" +
	"CREATE INDEX `part_message_id_id_idx` ON `part` (`message_id`,`id`);\n" +
	"CREATE INDEX `part_session_idx` ON `part` (`session_id`);\n"

// opencodeOpenDB opens (creating) a database at path the way opencode
// does: WAL mode, with the schema.
func opencodeOpenDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: it keeps the WAL alive
	t.Cleanup(func() { db.Close() })
	for _, stmt := range []string{"PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0", opencodeSchema} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return db
}

// opencodeMigrate copies the file tree under storage into db as opencode's
// JSON migration (json-migration.ts) does: ids and times from the paths
// and objects, the rest of each message and part as data.
func opencodeMigrate(t testing.TB, db *sql.DB, storage string) {
	t.Helper()
	read := func(path string) map[string]any {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return m
	}
	ms := func(m map[string]any, key string) int64 {
		tm, _ := m["time"].(map[string]any)
		if f, ok := tm[key].(float64); ok {
			return int64(f)
		}
		if f, ok := tm["created"].(float64); ok {
			return int64(f)
		}
		if f, ok := tm["start"].(float64); ok {
			return int64(f)
		}
		return 1757160000000
	}
	str := func(m map[string]any, key string) string { s, _ := m[key].(string); return s }
	exec := func(q string, args ...any) {
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	infos, _ := filepath.Glob(filepath.Join(storage, "session", "*", "*.json"))
	for _, path := range infos {
		s := read(path)
		var parent any
		if p := str(s, "parentID"); p != "" {
			parent = p
		}
		exec("INSERT INTO session (id, project_id, parent_id, slug, directory, title, version, time_created, time_updated) VALUES (?,?,?,?,?,?,?,?,?)",
			strings.TrimSuffix(filepath.Base(path), ".json"), filepath.Base(filepath.Dir(path)), parent,
			str(s, "slug"), str(s, "directory"), str(s, "title"), str(s, "version"), ms(s, "created"), ms(s, "updated"))
	}
	msgs, _ := filepath.Glob(filepath.Join(storage, "message", "*", "*.json"))
	sessionOf := map[string]string{}
	for _, path := range msgs {
		m := read(path)
		id, sid := strings.TrimSuffix(filepath.Base(path), ".json"), filepath.Base(filepath.Dir(path))
		sessionOf[id] = sid
		delete(m, "id")
		delete(m, "sessionID")
		data, _ := json.Marshal(m)
		exec("INSERT INTO message VALUES (?,?,?,?,?)", id, sid, ms(m, "created"), ms(m, "updated"), string(data))
	}
	parts, _ := filepath.Glob(filepath.Join(storage, "part", "*", "*.json"))
	for _, path := range parts {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		if json.Unmarshal(data, &p) != nil {
			continue // opencode's migration skips files it cannot read
		}
		id, mid := strings.TrimSuffix(filepath.Base(path), ".json"), filepath.Base(filepath.Dir(path))
		delete(p, "id")
		delete(p, "messageID")
		delete(p, "sessionID")
		data, _ = json.Marshal(p)
		exec("INSERT INTO part VALUES (?,?,?,?,?,?)", id, mid, sessionOf[mid], ms(p, "created"), ms(p, "updated"), string(data))
	}
}

package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// The composers of testdata/cursor/vscdb/rows.json.
const (
	cursorModern = "8d1f6c2a-3b4e-4f5a-9c7d-1e2f3a4b5c6d"
	cursorLegacy = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
	cursorEmpty  = "f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0"
	cursorTask   = "task-toolu_01Vb8Nm2Qw4Er6Ty8Ui0Op2A"
)

// cursorStateDB writes the rows of testdata/cursor/vscdb/rows.json into a
// new state.vscdb the way Cursor does: VS Code's key-value tables, JSON
// values bound as text (one as a blob, which the column also allows), in
// the journal mode given, with the writing connection left open.
func cursorStateDB(t *testing.T, dir, journal string) (string, *sql.DB) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(cursorCase("vscdb"), "rows.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Table string          `json:"table"`
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
		Blob  bool            `json:"blob"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state.vscdb")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"PRAGMA journal_mode=" + journal,
		"PRAGMA wal_autocheckpoint=0",
		"PRAGMA user_version = 1",
		"CREATE TABLE IF NOT EXISTS ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)",
		"CREATE TABLE IF NOT EXISTS cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, r := range rows {
		var value any
		var s string
		if json.Unmarshal(r.Value, &s) == nil {
			value = s // a string value is stored as its text
		} else {
			var b bytes.Buffer
			if err := json.Compact(&b, r.Value); err != nil {
				t.Fatal(err)
			}
			value = b.String()
		}
		if r.Blob {
			value = []byte(value.(string))
		}
		table := r.Table
		if table == "" {
			table = "cursorDiskKV"
		}
		if _, err := db.Exec("INSERT INTO "+table+" (key, value) VALUES (?, ?)", r.Key, value); err != nil {
			t.Fatal(err)
		}
	}
	return path, db
}

func TestCursor_Database(t *testing.T) {
	for _, journal := range []string{"WAL", "DELETE"} {
		t.Run(journal, func(t *testing.T) {
			tmp := foreignPrivateTemp(t)
			dir := filepath.Join(t.TempDir(), "User", "globalStorage")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path, db := cursorStateDB(t, dir, journal)
			if fi, err := os.Stat(path + "-wal"); journal == "WAL" && (err != nil || fi.Size() == 0) {
				t.Fatalf("the rows are not in a live -wal file: %v", err)
			}
			before := foreignListing(t, dir)
			imp := NewCursor()
			defer imp.Close()
			// Cursor's configuration folder, two levels up, is recognised.
			runs := checkSessions(t, imp, filepath.Dir(filepath.Dir(dir)))
			if after := foreignListing(t, dir); !slices.Equal(after, before) {
				t.Errorf("reading changed the database's folder:\nbefore %q\nafter  %q", before, after)
			}
			foreignCheckRows(t, db, runs)
			var ids []string
			for _, r := range runs {
				ids = append(ids, r.file.NativeID)
				if r.file.Path != path || r.file.Key != r.file.NativeID || r.file.Layout != reel.LayoutCustom {
					t.Errorf("file %+v", r.file)
				}
			}
			if want := []string{cursorLegacy, cursorModern, cursorEmpty, cursorTask}; !slices.Equal(ids, want) {
				t.Errorf("composers %q, want %q", ids, want)
			}
			cursorCheckComposer(t, foreignRun(t, runs, cursorModern))
			cursorCheckOthers(t, runs)
			imp.Close()
			foreignCheckNoCopies(t, tmp)
		})
	}
}

// cursorCheckComposer checks the modern composer: its rows in header order,
// its events, tools and tokens.
func cursorCheckComposer(t *testing.T, run *sessionRun) {
	t.Helper()
	b := func(i int) string {
		return "cursorDiskKV:bubbleId:" + cursorModern + ":1a2b3c0" + string(rune('0'+i)) + "-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	}
	// Headers order the bubbles (one names a bubble with no row); the
	// bubble no header names comes last. Other keys of the composer, such
	// as its checkpoints, are no part of it.
	want := []string{"cursorDiskKV:composerData:" + cursorModern, b(0), b(1), b(2), b(3), b(4),
		"cursorDiskKV:bubbleId:" + cursorModern + ":1a2b3c0a-5e6f-4a7b-8c9d-0e1f2a3b4c5d", b(5), b(9)}
	if got := foreignNames(run); !slices.Equal(got, want) {
		t.Errorf("records\n%q\nwant\n%q", got, want)
	}
	if r := run.raw[6]; r.Status != reel.RecordUnknown || r.Reason != "unknown bubble type 7" {
		t.Errorf("the bubble of an unknown type: %+v", r)
	}
	if !strings.Contains(string(run.raw[7].Data), `"value":{"$blob":"`) {
		t.Errorf("the blob value is not marked: %.80s", run.raw[7].Data)
	}
	wantEvents := []string{
		"message:Search for a phrase takes 2 s on a million events. Make it fast.",
		"reasoning:The query planner probably scans the events table before using the FTS index.",
		"tool_call:go test -tags sqlite_fts5 -run TestSearch -bench Phrase ./internal/sqlite/",
		`tool_result:{"output":"BenchmarkPhrase-8   \t       1\t2031445112 ns/op\nFAIL\n","exitCode":1,"rejected":false}`,
		"tool_call:targetFile: internal/sqlite/search_fts.go",
		"tool_result:File not found: internal/sqlite/search_fts.go",
		"tool_call:List every SQL query in internal/sqlite/search.go that joins events before matching FTS.",
		`tool_result:{"agentId":"ag-31","summary":"search.go:88 joins events first."}`,
		"other:A kind of bubble a newer Cursor writes.",
		"message:The phrase search now matches FTS first and joins the few hits: 2 s became 9 ms.",
		"tool_call:target_file: internal/sqlite/search.go",
	}
	if got := foreignTexts(run.events); !slices.Equal(got, wantEvents) {
		t.Errorf("events\n%q\nwant\n%q", got, wantEvents)
	}
	term, termRes := run.events[2], run.events[3]
	if term.Tool != "run_terminal_command_v2" || term.CallID != "toolu_01Jk4Lm6Nb8Vc0Xz2As4Df6G" || termRes.CallID != term.CallID ||
		termRes.ExitCode == nil || *termRes.ExitCode != 1 || termRes.IsError || !strings.Contains(string(term.Input), `"is_background":false`) {
		t.Errorf("terminal call %+v, result %+v", term, termRes)
	}
	if read := run.events[5]; !read.IsError || read.Tool != "read_file_v2" {
		t.Errorf("failed read %+v", read)
	}
	if task := run.events[6]; task.Tool != "task_v2" || !strings.Contains(string(task.Input), `"name":"general-purpose"`) {
		t.Errorf("task call %+v", task)
	}
	answer := run.events[9]
	if answer.Tokens != (reel.Tokens{Input: 48211, Output: 1874}) || answer.Model != "claude-4.5-sonnet-thinking" ||
		!answer.Time.Equal(time.Date(2025, 12, 25, 19, 48, 41, 731e6, time.UTC)) {
		t.Errorf("answer %+v", answer)
	}
	s := run.session
	if s.Title != "Speed up the FTS query" || s.Project != "/home/dev/projects/reel" || s.GitBranch != "main" ||
		s.Model != "claude-4.5-sonnet-thinking" || s.Tokens != answer.Tokens ||
		!s.StartedAt.Equal(time.UnixMilli(1766691308486)) || !s.EndedAt.Equal(time.UnixMilli(1766692125731)) {
		t.Errorf("session %+v", s)
	}
}

// cursorCheckOthers checks the legacy, empty and subagent composers.
func cursorCheckOthers(t *testing.T, runs []*sessionRun) {
	t.Helper()
	legacy := foreignRun(t, runs, cursorLegacy)
	if got := foreignTexts(legacy.events); !slices.Equal(got, []string{"message:What does the --json flag of reel show print?", "message:One event per line, as JSON."}) {
		t.Errorf("legacy events %q", got)
	}
	if s := legacy.session; s.Title != "What does the --json flag of reel show print?" || !legacy.events[1].Time.Equal(time.UnixMilli(1738420122390)) {
		t.Errorf("legacy session %+v, events %+v", s, legacy.events)
	}
	if empty := foreignRun(t, runs, cursorEmpty); len(empty.events) != 0 || len(empty.raw) != 1 {
		t.Errorf("empty composer: %d records, events %q", len(empty.raw), foreignTexts(empty.events))
	}
	task := foreignRun(t, runs, cursorTask)
	if task.file.ParentNativeID != cursorModern || task.session.ParentID != reel.SessionID(reel.SourceCursor, cursorModern) {
		t.Errorf("subagent: file %+v, session %+v", task.file, task.session)
	}
	if got := foreignTexts(task.events); len(got) != 2 || task.session.Tokens.Output != 210 {
		t.Errorf("subagent events %q, session %+v", got, task.session)
	}
}

// TestCursor_DatabaseChanges changes a live database between reads: the
// stamp of the composer written to changes, no other, and the change is
// read; transcripts of composers the database holds are skipped.
func TestCursor_DatabaseChanges(t *testing.T) {
	tmp := foreignPrivateTemp(t)
	dir := t.TempDir()
	path, db := cursorStateDB(t, dir, "WAL")
	imp := NewCursor()
	defer imp.Close()
	files := discoverAll(t, imp, path)
	stamps := map[string]reel.Stamp{}
	for _, f := range files {
		st, err := imp.Stamp(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		stamps[f.Key] = st
	}
	// Cursor rewrites a bubble whole when it streams into it.
	key := "bubbleId:" + cursorModern + ":1a2b3c05-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	if _, err := db.Exec(`INSERT INTO cursorDiskKV VALUES (?, '{"_v":3,"type":2,"bubbleId":"1a2b3c05-5e6f-4a7b-8c9d-0e1f2a3b4c5d","text":"Now 7 ms.","createdAt":"2025-12-25T19:48:41.731Z"}')`, key); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		st, err := imp.Stamp(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if changed := st != stamps[f.Key]; changed != (f.Key == cursorModern) {
			t.Errorf("%s: stamp changed %v", f.Key, changed)
		}
	}
	run := readSession(t, imp, files[slices.IndexFunc(files, func(f reel.SourceFile) bool { return f.Key == cursorModern })])
	if !slices.Contains(foreignTexts(run.events), "message:Now 7 ms.") {
		t.Errorf("the rewritten bubble was not read: %q", foreignTexts(run.events))
	}

	// A transcript of a composer the database holds is left to it.
	home := t.TempDir()
	transcripts := filepath.Join(home, "projects", "p", "agent-transcripts")
	if err := os.MkdirAll(transcripts, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{cursorModern, "11111111-2222-4333-8444-555555555555"} {
		if err := os.WriteFile(filepath.Join(transcripts, id+".jsonl"), []byte(`{"role":"user","message":{"content":[{"type":"text","text":"hi"}]}}`+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, f := range discoverAll(t, imp, home) {
		got = append(got, f.NativeID)
	}
	if !slices.Equal(got, []string{"11111111-2222-4333-8444-555555555555"}) {
		t.Errorf("transcripts %q", got)
	}
	imp.Close()
	foreignCheckNoCopies(t, tmp)
}

func TestCursor_DatabaseWithoutConversations(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "state.vscdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)"); err != nil {
		t.Fatal(err)
	}
	imp := NewCursor()
	defer imp.Close()
	if files := discoverAll(t, imp, dir); len(files) != 0 {
		t.Errorf("%d sessions in a workspace database", len(files))
	}
}

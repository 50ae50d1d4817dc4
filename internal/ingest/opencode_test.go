package ingest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// The sessions of testdata/opencode/normal: a session that runs a failing
// test, delegates a search to a subagent and edits a file, and the
// subagent's own session.
const (
	opencodeParent = "ses_6a1f0c2e3ffeQk9ZbT4mNpRs2w"
	opencodeChild  = "ses_6a1f0b9d1ffdHx3LpQ8vWcYt7k"
	opencodeCwd    = "/home/dev/projects/reel"
)

func opencodeCase(name string) string { return filepath.Join("testdata", "opencode", name) }

func TestOpencode_Discover(t *testing.T) {
	tests := []struct {
		name    string
		root    string
		want    []string // native ids, in order
		parents []string
	}{
		{"OK", opencodeCase("normal"), []string{opencodeChild, opencodeParent}, []string{opencodeParent, ""}},
		{"Empty", opencodeCase("empty"), []string{"ses_6a1e99f01ffeWm3Nq7Rt1Yv5Zb"}, []string{""}},
		{"MissingRoot", filepath.Join(t.TempDir(), "nothing"), nil, nil},
		{"UnrelatedFolder", t.TempDir(), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := discoverAll(t, NewOpencode(), tt.root)
			var ids, parents []string
			for _, f := range files {
				ids, parents = append(ids, f.NativeID), append(parents, f.ParentNativeID)
				if f.Layout != reel.LayoutCustom || f.Key != f.NativeID || !filepath.IsAbs(f.Path) {
					t.Errorf("%+v: want a custom layout keyed by the session id, at an absolute path", f)
				}
			}
			if !slices.Equal(ids, tt.want) || !slices.Equal(parents, tt.parents) {
				t.Errorf("sessions %q with parents %q, want %q with %q", ids, parents, tt.want, tt.parents)
			}
		})
	}
}

func TestOpencode_Normal(t *testing.T) {
	runs := checkSessions(t, NewOpencode(), opencodeCase("normal"))
	parent, child := foreignRun(t, runs, opencodeParent), foreignRun(t, runs, opencodeChild)

	t.Run("Records", func(t *testing.T) {
		names := foreignNames(parent)
		if len(names) != 16 || !strings.HasPrefix(names[0], "storage/session/") ||
			names[1] != "storage/message/"+opencodeParent+"/msg_99c4e1a20001Aq7Bz3Xw8Ke2Lm.json" ||
			names[2] != "storage/part/msg_99c4e1a20001Aq7Bz3Xw8Ke2Lm/prt_99c4e1a20003Kd2Wq6Zs0Yb5Nf.json" ||
			names[5] != "storage/message/"+opencodeParent+"/msg_99c4e1a60002Hn5Tc1Vr4Jq9Ps.json" {
			t.Errorf("records %q", names)
		}
		for _, r := range parent.raw {
			if r.Status != reel.RecordOK {
				t.Errorf("%s: status %s (%s)", r.Name, r.Status, r.Reason)
			}
		}
	})
	t.Run("Events", func(t *testing.T) {
		want := []string{
			"message:The test in internal/sqlite fails with \"database is locked\" since yesterday. Find out why and fix it, please.",
			"system:internal/sqlite/apply.go (text/plain)",
			"system:Called the Read tool with the following input: {\"filePath\":\"/home/dev/projects/reel/internal/sqlite/apply.go\"}",
			"reasoning:A locked database in tests usually means two connections write at once. Run the test first to see which one.",
			"tool_call:go test ./internal/sqlite/ -run TestApply",
			"tool_result:--- FAIL: TestApply (5.01s)",
			"system:",
			"tool_call:Find every place in internal/sqlite that opens a write transaction while another is open.",
			"tool_result:apply.go:88 opens a second connection inside the batch loop.",
			"tool_call:filePath: /home/dev/projects/reel/internal/sqlite/apply.go",
			"tool_result:",
			"message:The batch loop in apply.go opened a second connection while the transaction held the write lock. It now reuses the transaction; the test passes.",
			"system:",
			"system:patch 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
		}
		if got := foreignTexts(parent.events); !slices.Equal(got, want) {
			t.Errorf("events:\n%q\nwant\n%q", got, want)
		}
		for i := 1; i < len(parent.events); i++ {
			if parent.events[i].Time.Before(parent.events[i-1].Time) {
				t.Errorf("event %d at %v, before event %d at %v", i, parent.events[i].Time, i-1, parent.events[i-1].Time)
			}
		}
	})
	t.Run("Tools", func(t *testing.T) {
		bash, res := parent.events[4], parent.events[5]
		if bash.Tool != "bash" || bash.CallID != "toolu_01QmZ8jF3xRr6pTnYw2Ke5Sa" || !strings.Contains(string(bash.Input), `"command":"go test`) {
			t.Errorf("bash call %+v", bash)
		}
		if res.CallID != bash.CallID || res.Tool != "bash" || res.ExitCode == nil || *res.ExitCode != 1 || res.IsError ||
			res.Duration != 5200*time.Millisecond || res.Role != reel.RoleTool {
			t.Errorf("bash result %+v", res)
		}
		if task := parent.events[7]; task.Tool != "task" || parent.events[8].CallID != task.CallID {
			t.Errorf("task call %+v, result %+v", task, parent.events[8])
		}
		// The subagent's failed read, and its grep still running.
		read, readRes, grep := child.events[1], child.events[2], child.events[3]
		if read.Tool != "read" || !readRes.IsError || readRes.CallID != read.CallID || !strings.HasPrefix(readRes.Text, "Error: File not found") {
			t.Errorf("read %+v, result %+v", read, readRes)
		}
		if grep.Kind != reel.KindToolCall || grep.Tool != "grep" || child.events[4].Kind == reel.KindToolResult {
			t.Errorf("a running tool has a result: %q", foreignTexts(child.events))
		}
	})
	t.Run("Session", func(t *testing.T) {
		s := parent.session
		// Tokens are counted per step: the message's own count is only its
		// last step's.
		wantTokens := reel.Tokens{Input: 12, Output: 329, CacheRead: 22230, CacheCreation: 8602}
		if s.NativeID != opencodeParent || s.Title != "Fix the locked sqlite test" || s.Project != opencodeCwd ||
			s.Model != "claude-sonnet-4-5" || s.Version != "1.0.134" || s.Tokens != wantTokens || s.ParentID != "" {
			t.Errorf("session %+v", s)
		}
		if !s.StartedAt.Equal(time.UnixMilli(1757160000000)) || !s.EndedAt.Equal(time.UnixMilli(1757160095000)) {
			t.Errorf("span %v to %v", s.StartedAt, s.EndedAt)
		}
		var sum reel.Tokens
		for _, e := range parent.events {
			sum = sum.Add(e.Tokens)
		}
		if sum != s.Tokens {
			t.Errorf("events carry %+v tokens, the session %+v", sum, s.Tokens)
		}
		c := child.session
		if c.ParentID != reel.SessionID(reel.SourceOpencode, opencodeParent) || c.Title != "Find the second writer (@general subagent)" {
			t.Errorf("child session %+v", c)
		}
		if last := child.events[len(child.events)-1]; last.Kind != reel.KindSystem || !last.IsError || last.Text != "The operation was aborted." {
			t.Errorf("aborted message: %+v", last)
		}
	})
}

func TestOpencode_Cases(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		runs := checkSessions(t, NewOpencode(), opencodeCase("empty"))
		s := runs[0].session
		// The placeholder title is not a title.
		if len(runs[0].events) != 0 || s.Title != "" || s.Project != opencodeCwd || s.StartedAt.IsZero() {
			t.Errorf("events %q, session %+v", foreignTexts(runs[0].events), s)
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		runs := readAll(t, NewOpencode(), opencodeCase("truncated"))
		if len(runs) != 1 {
			t.Fatalf("%d sessions", len(runs))
		}
		run := runs[0]
		checkLossless(t, opencodeCase("truncated"), run)
		if len(run.errs) != 1 || run.errs[4] == nil {
			t.Fatalf("errors %v, want one for record 4, the cut part", run.errs)
		}
		if run.raw[4].Status != reel.RecordInvalid || !strings.Contains(run.errs[4].Error(), "prt_99c4f0000004Aq1Sw2De3Fr4Gt") {
			t.Errorf("record 4: %+v, %v", run.raw[4], run.errs[4])
		}
		if got := foreignTexts(run.events); !slices.Equal(got, []string{"message:What does internal/syncer/claim.go decide?"}) {
			t.Errorf("events %q", got)
		}
		if run.session.Model != "gpt-5" || run.session.Title != "Explain the cursor package" {
			t.Errorf("session %+v", run.session)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		runs := checkSessions(t, NewOpencode(), opencodeCase("unknown"))
		run := runs[0]
		var unknown []string
		for _, r := range run.raw {
			if r.Status == reel.RecordUnknown {
				unknown = append(unknown, r.Type+": "+r.Reason)
			}
		}
		want := []string{
			`part/voice-note: unknown part type "voice-note"`,
			`message/observer: unknown message role "observer"`,
			`: not a JSON object`,
		}
		if !slices.Equal(unknown, want) {
			t.Errorf("unknown records %q, want %q", unknown, want)
		}
		var other []string
		for _, e := range run.events {
			if e.Kind == reel.KindOther {
				other = append(other, e.Text)
			}
		}
		want = []string{"and keep the old tables readable", "observer\na role this version of reel does not know", "not\nan\nobject"}
		if !slices.Equal(other, want) {
			t.Errorf("unknown records' text %q, want %q", other, want)
		}
	})
}

func TestOpencode_Fixtures(t *testing.T) {
	fixtures := filepath.Join(testenv.FixturesDir(t), "git-ai", "tests", "fixtures")
	t.Run("Storage", func(t *testing.T) {
		root := filepath.Join(fixtures, "opencode-storage")
		before := foreignListing(t, root)
		runs := checkSessions(t, NewOpencode(), root)
		run := runs[0]
		// The fixture has no session/ folder: the session is known from
		// its messages. prt-004 is an empty synthetic text part.
		if len(runs) != 1 || run.file.NativeID != "test-session-123" || len(run.raw) != 7 {
			t.Fatalf("%d sessions; first %+v with %d records", len(runs), run.file, len(run.raw))
		}
		want := []string{
			"message:Update the comment in index.ts to say 'Hello World'",
			"message:I'll update the comment in index.ts for you.",
			"tool_call:filePath: /Users/test/project/index.ts",
			"tool_result:Edit applied successfully.",
			"message:Done! I've updated the comment to 'Hello World'.",
		}
		if got := foreignTexts(run.events); !slices.Equal(got, want) {
			t.Errorf("events %q", got)
		}
		if run.events[2].CallID != "call-001" || run.events[3].CallID != "call-001" || run.events[2].Tool != "edit" {
			t.Errorf("tool pair %+v %+v", run.events[2], run.events[3])
		}
		if s := run.session; s.Title != want[0][len("message:"):] || s.Model != "claude-3-5-sonnet-20241022" {
			t.Errorf("session %+v", s)
		}
		if after := foreignListing(t, root); !slices.Equal(after, before) {
			t.Errorf("reading changed the fixture folder")
		}
	})
	t.Run("SQLite", func(t *testing.T) {
		tmp := foreignPrivateTemp(t)
		root := filepath.Join(fixtures, "opencode-sqlite")
		before := foreignListing(t, root)
		imp := NewOpencode()
		runs := checkSessions(t, imp, root)
		imp.Close()
		foreignCheckNoCopies(t, tmp)
		if after := foreignListing(t, root); !slices.Equal(after, before) {
			t.Errorf("reading changed the fixture folder:\nbefore %q\nafter  %q", before, after)
		}
		run := runs[0]
		wantNames := []string{"session:test-session-123", "message:msg-user-sql-001", "part:prt-sql-001",
			"message:msg-assistant-sql-001", "part:prt-sql-002", "part:prt-sql-003", "part:prt-sql-004"}
		if len(runs) != 1 || !slices.Equal(foreignNames(run), wantNames) {
			t.Fatalf("%d sessions; records %q", len(runs), foreignNames(run))
		}
		if run.file.ParentNativeID != "parent-session-456" || run.file.Path != filepath.Join(root, "opencode.db") {
			t.Errorf("file %+v", run.file)
		}
		s := run.session
		if s.Title != "Test Session" || s.Project != "/Users/test/project" || s.Version != "1.0" || s.Model != "gpt-5" ||
			s.Tokens != (reel.Tokens{Input: 10, Output: 20}) || s.ParentID != reel.SessionID(reel.SourceOpencode, "parent-session-456") {
			t.Errorf("session %+v", s)
		}
		want := []string{"message:Please update index.ts using sqlite transcript data", "system:",
			"message:I will make the edit from sqlite.", "tool_call:filePath: /Users/test/project/index.ts",
			"tool_result:Edit applied", "message:Done from sqlite source."}
		if got := foreignTexts(run.events); !slices.Equal(got, want) {
			t.Errorf("events %q", got)
		}
		db := foreignImmutable(t, filepath.Join(root, "opencode.db"))
		foreignCheckRows(t, db, runs)
	})
	t.Run("SQLiteEmpty", func(t *testing.T) {
		root := filepath.Join(fixtures, "opencode-sqlite-empty")
		if files := discoverAll(t, NewOpencode(), root); len(files) != 0 {
			t.Errorf("%d sessions in an empty database", len(files))
		}
	})
}

// TestOpencode_Database reads the normal tree migrated into a database the
// way opencode migrates it: the same sessions give the same events, read
// from rows in a live WAL database whose folder is left as it was.
func TestOpencode_Database(t *testing.T) {
	tmp := foreignPrivateTemp(t)
	root := t.TempDir()
	db := opencodeOpenDB(t, filepath.Join(root, "opencode.db"))
	opencodeMigrate(t, db, filepath.Join(opencodeCase("normal"), "storage"))
	if fi, err := os.Stat(filepath.Join(root, "opencode.db-wal")); err != nil || fi.Size() == 0 {
		t.Fatalf("the rows are not in a live -wal file: %v", err)
	}
	before := foreignListing(t, root)
	imp := NewOpencode()
	defer imp.Close()
	runs := checkSessions(t, imp, root)
	if after := foreignListing(t, root); !slices.Equal(after, before) {
		t.Errorf("reading changed the database's folder:\nbefore %q\nafter  %q", before, after)
	}
	foreignCheckRows(t, db, runs)

	files := readAll(t, NewOpencode(), opencodeCase("normal"))
	for _, id := range []string{opencodeParent, opencodeChild} {
		fromRows, fromFiles := foreignRun(t, runs, id), foreignRun(t, files, id)
		if got, want := foreignTexts(fromRows.events), foreignTexts(fromFiles.events); !slices.Equal(got, want) {
			t.Errorf("%s: from rows\n%q\nfrom files\n%q", id, got, want)
		}
		r, f := fromRows.session, fromFiles.session
		if r.Title != f.Title || r.Project != f.Project || r.Tokens != f.Tokens || r.ParentID != f.ParentID || r.Model != f.Model {
			t.Errorf("%s: from rows %+v\nfrom files %+v", id, r, f)
		}
	}

	// A new part changes the session's stamp, not the other's, and is read.
	stamp := func(id string) reel.Stamp {
		st, err := imp.Stamp(context.Background(), foreignRun(t, runs, id).file)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	parentStamp, childStamp := stamp(opencodeParent), stamp(opencodeChild)
	if _, err := db.Exec(`INSERT INTO part VALUES ('prt_99c4e1a60020Qq1Ww2Ee3Rr4Tt', 'msg_99c4e1a60002Hn5Tc1Vr4Jq9Ps', ?, 1757160096000, 1757160096000, '{"type":"text","text":"One more thing."}')`, opencodeParent); err != nil {
		t.Fatal(err)
	}
	if stamp(opencodeParent) == parentStamp {
		t.Error("the parent's stamp did not change with a new part")
	}
	if stamp(opencodeChild) != childStamp {
		t.Error("the child's stamp changed with another session's part")
	}
	run := readSession(t, imp, foreignRun(t, runs, opencodeParent).file)
	if last := run.events[len(run.events)-1]; last.Text != "One more thing." {
		t.Errorf("the new part was not read: %q", foreignTexts(run.events))
	}
	if after := foreignListing(t, root); len(after) != len(before) {
		t.Errorf("files beside the database: %q, want %d", after, len(before))
	}
	imp.Close()
	foreignCheckNoCopies(t, tmp)
}

// TestOpencode_BothForms reads a data folder holding the database and the
// file tree it was migrated from: each session is read once, from rows.
func TestOpencode_BothForms(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "storage"), os.DirFS(filepath.Join(opencodeCase("normal"), "storage"))); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(root, "storage"), os.DirFS(filepath.Join(opencodeCase("truncated"), "storage"))); err != nil {
		t.Fatal(err)
	}
	db := opencodeOpenDB(t, filepath.Join(root, "opencode.db"))
	opencodeMigrate(t, db, filepath.Join(opencodeCase("normal"), "storage"))
	imp := NewOpencode()
	defer imp.Close()
	var got []string
	for _, f := range discoverAll(t, imp, root) {
		got = append(got, filepath.Base(f.Path)+"#"+f.Key)
	}
	want := []string{"opencode.db#" + opencodeChild, "opencode.db#" + opencodeParent, filepath.Base(root) + "#ses_6a1e98a40ffcPl2Ok3Ij4Uh5Yg"}
	if !slices.Equal(got, want) {
		t.Errorf("sessions %q, want %q", got, want)
	}
}

// TestOpencode_UnreadableDatabase: when the database cannot be read, its
// error is returned and the file tree is not read in its place.
func TestOpencode_UnreadableDatabase(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(opencodeCase("normal"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "opencode.db"), []byte(strings.Repeat("torn ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	imp := NewOpencode()
	defer imp.Close()
	var found []string
	err := imp.Discover(context.Background(), root, func(f reel.SourceFile) error {
		found = append(found, f.CursorPath())
		return nil
	})
	if reel.ErrorCode(err) != reel.ECORRUPT || len(found) != 0 {
		t.Errorf("err = %v, sessions %q; want a corrupt database error and none", err, found)
	}
}

func TestOpencode_Stamp(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(opencodeCase("normal"))); err != nil {
		t.Fatal(err)
	}
	imp := NewOpencode()
	f := foreignRun(t, readAll(t, imp, root), opencodeParent).file
	stamp := func() reel.Stamp {
		st, err := imp.Stamp(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	first := stamp()
	if first != stamp() || first.Size == 0 || first.ModTime.IsZero() {
		t.Fatalf("stamp %+v, then another", first)
	}
	part := filepath.Join(root, "storage", "part", "msg_99c4e1a60002Hn5Tc1Vr4Jq9Ps", "prt_99c4e1a60017Nm7Bv8Cx9Za0Qw.json")
	data, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	// The same size and time, another name: only the digest tells.
	moved := filepath.Join(filepath.Dir(part), "prt_99c4e1a60017Nm7Bv8Cx9Za0Qx.json")
	if err := os.Rename(part, moved); err != nil {
		t.Fatal(err)
	}
	if second := stamp(); second == first || second.Size != first.Size {
		t.Errorf("a renamed file: stamp %+v, was %+v", second, first)
	}
	if err := os.WriteFile(moved, append(data, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	if third := stamp(); third.Size != first.Size+1 {
		t.Errorf("a grown file: stamp %+v, was %+v", third, first)
	}
}

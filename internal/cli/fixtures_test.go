package cli_test

import (
	"archive/tar"
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/reel-sh/reel/internal/testenv"
)

// fxPlaced is one shared fixture copied into a home folder where its
// client keeps such files.
type fxPlaced struct {
	source string
	from   string // under the fixtures folder
	to     string // under the home folder: a file, or a folder for a tree
	// sessions is how many sessions the file holds: 1 for a session file,
	// 0 for a sidecar or an empty database, the row sessions of a
	// database, the runs of an aider history.
	sessions int
}

// fxLayout lists every fixture of the sources beyond Claude Code and
// Codex, placed as each client lays out its files (see each importer's
// Discover). appSupport is where VS Code keeps its User folders.
func fxLayout(appSupport string) []fxPlaced {
	const (
		gitai = "git-ai/tests/fixtures/"
		av    = "agentsview/internal/parser/testdata/"
		ws    = "workspaceStorage/"
	)
	code := appSupport + "/Code/User/"
	geminiDoc := func(name string) fxPlaced {
		// The files' projectHash; the CLI names a chat by its start time
		// and id, here by the fixture's name, as the ids collide.
		return fxPlaced{"gemini", av + "gemini/" + name + ".json", ".gemini/tmp/abc123def456/chats/session-2024-01-01T10-00-" + name + ".json", 1}
	}
	chat := func(name, hash string) fxPlaced {
		return fxPlaced{"copilot", gitai + name, code + ws + hash + "/chatSessions/" + name, 1}
	}
	transcript := func(name string) fxPlaced {
		return fxPlaced{"copilot", gitai + name, code + ws + "5c1d7e8f90a1b2c3/GitHub.copilot-chat/transcripts/" + name, 1}
	}
	return []fxPlaced{
		// Gemini CLI: a newer JSONL chat in a slug-named project, older
		// whole-document chats in a hash-named one.
		{"gemini", gitai + "gemini-session-simple.jsonl", ".gemini/tmp/testing-git/chats/session-2025-12-06T18-25-38b36361.jsonl", 1},
		geminiDoc("standard_session"), geminiDoc("thinking_only"), geminiDoc("tool_calls"),
		geminiDoc("tool_calls_with_results"), geminiDoc("system_messages"),

		// opencode: the database in its data folder; and another
		// machine's data folder, configured as an extra root, with the
		// storage tree opencode kept before its database and a database
		// just created, with empty tables. Both the tree and opencode.db
		// hold session test-session-123: read from two roots, it is
		// stored twice, once per place.
		{"opencode", gitai + "opencode-sqlite/opencode.db", ".local/share/opencode/opencode.db", 1},
		{"opencode", gitai + "opencode-storage", "old-laptop/opencode/storage", 1},
		{"opencode", gitai + "opencode-sqlite-empty/opencode.db", "old-laptop/opencode/opencode.db", 0},

		// Cursor's agent transcripts, per project.
		{"cursor", gitai + "cursor-session-simple.jsonl", ".cursor/projects/Users-test-project/agent-transcripts/cursor-session-simple.jsonl", 1},

		// aider writes into the repository it runs in; config names the
		// folder of repositories. Three runs, the last one empty.
		{"aider", av + "aider/myrepo/.aider.chat.history.md", "src/myrepo/.aider.chat.history.md", 3},

		// pi: a folder per working directory, <time>_<id>.jsonl.
		{"pi", gitai + "pi-session-simple.jsonl", ".pi/agent/sessions/--tmp-project--/2026-03-31T10-00-00-000Z_pi-session-123.jsonl", 1},
		{"pi", gitai + "pi-session-tool.jsonl", ".pi/agent/sessions/--tmp-project--/2026-03-31T10-10-00-000Z_pi-session-456.jsonl", 1},
		{"pi", gitai + "pi-session-ignorable.jsonl", ".pi/agent/sessions/--tmp-project--/2026-03-31T10-20-00-000Z_pi-session-789.jsonl", 1},
		{"pi", av + "pi/session.jsonl", ".pi/agent/sessions/--Users-alice-code-my-project--/2025-01-01T10-00-00-000Z_pi-test-session-uuid.jsonl", 1},

		// Copilot CLI: a folder per session (newer), a file per session
		// (older).
		{"copilot", gitai + "copilot_cli_session_events.jsonl", ".copilot/session-state/301561f1-558a-43e9-a144-82d3ca12ab62/events.jsonl", 1},
		{"copilot", gitai + "copilot_cli_session_no_model.jsonl", ".copilot/session-state/abc12345-0000-1111-2222-333344445555.jsonl", 1},
		// VS Code chat sessions of a workspace, and of an empty window.
		chat("copilot_session_simple.jsonl", "0d4f2a9b7c1e3f58"),
		chat("copilot_session_multiline.jsonl", "0d4f2a9b7c1e3f58"),
		chat("copilot_chat_session_lookup_auto.jsonl", "0d4f2a9b7c1e3f58"),
		chat("copilot_chat_session_lookup_details_only.jsonl", "0d4f2a9b7c1e3f58"),
		chat("copilot_chat_session_lookup_non_auto.jsonl", "0d4f2a9b7c1e3f58"),
		chat("copilot_chat_session_lookup_selected_model.jsonl", "0d4f2a9b7c1e3f58"),
		chat("copilot_chat_session_lookup_json_file.json", "0d4f2a9b7c1e3f58"),
		{"copilot", gitai + "copilot_session_empty_then_patched.jsonl", code + "globalStorage/emptyWindowChatSessions/copilot_session_empty_then_patched.jsonl", 1},
		// The .json form of copilot_session_simple: VS Code keeps a chat
		// as .json until it moves it to the .jsonl log, and within one
		// root the log is preferred, so the .json sits in Insiders' root.
		{"copilot", gitai + "copilot_session_simple.json", appSupport + "/Code - Insiders/User/" + ws + "9e8d7c6b5a4f3e2d/chatSessions/copilot_session_simple.json", 1},
		// The extension's event-stream transcripts.
		transcript("copilot_session_event_stream.jsonl"),
		transcript("copilot_vscode_event_stream.jsonl"),
		transcript("copilot_transcript_session_lookup.jsonl"),
		// A whole workspace folder: workspace.json, a transcript, and the
		// debug log's models.json (neither sidecar is a session).
		{"copilot", gitai + "copilot_vscode_workspace", code + ws + "3b6a1f0e2d4c5b7a", 1},
		// copilot-otel/traces.db is not laid out: it holds OpenTelemetry
		// spans from Copilot Chat, not sessions, and no importer reads it.

		// Amp threads, and a Droid session with its settings sidecar.
		{"amp", gitai + "amp-threads", ".local/share/amp/threads", 2},
		{"droid", gitai + "droid-session.jsonl", ".factory/sessions/-Users-testuser-projects-testing-git/052cb8d0-4616-488a-99fe-bfbbbe9429b3.jsonl", 1},
		{"droid", gitai + "droid-session.settings.json", ".factory/sessions/-Users-testuser-projects-testing-git/052cb8d0-4616-488a-99fe-bfbbbe9429b3.settings.json", 0},
	}
}

// fxNotLaid are the fixtures of these sources that are not laid out, each
// with why.
var fxNotLaid = map[string]string{
	"git-ai/tests/fixtures/copilot-otel/traces.db":           "OpenTelemetry spans, not sessions",
	"git-ai/tests/fixtures/opencode-sqlite/schema.sql":       "the SQL the fixture database was made from; opencode writes no such file",
	"git-ai/tests/fixtures/opencode-sqlite-empty/schema.sql": "likewise",
}

// fxCheckComplete fails when the fixtures folder holds a file of these
// sources that the layout neither places nor names as left out, so that a
// fixture added later cannot go untested.
func fxCheckComplete(t *testing.T, fx string, layout []fxPlaced) {
	t.Helper()
	placed := map[string]bool{}
	for _, p := range layout {
		placed[p.from] = true
	}
	var missing []string
	check := func(dir string, match func(rel string) bool) {
		err := filepath.WalkDir(filepath.Join(fx, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(fx, p)
			rel = filepath.ToSlash(rel)
			if !match(strings.TrimPrefix(rel, dir+"/")) || fxNotLaid[rel] != "" {
				return nil
			}
			for r := rel; r != "."; r = filepath.ToSlash(filepath.Dir(r)) {
				if placed[r] {
					return nil
				}
			}
			missing = append(missing, rel)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("git-ai/tests/fixtures", func(rel string) bool {
		for _, p := range []string{"gemini", "opencode", "cursor", "aider", "pi-", "copilot", "amp", "droid"} {
			if strings.HasPrefix(rel, p) {
				return true
			}
		}
		return false
	})
	check("agentsview/internal/parser/testdata", func(rel string) bool {
		return strings.HasPrefix(rel, "gemini/") || strings.HasPrefix(rel, "pi/") || strings.HasPrefix(rel, "aider/")
	})
	if len(missing) > 0 {
		t.Errorf("fixtures neither laid out nor named as left out: %v", missing)
	}
}

// fxPlace copies a fixture file, or a folder's files, to dst.
func fxPlace(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fxReel runs a real reel process with home and reelHome, and no client
// folder named by the environment, and returns its standard output. It
// fails the test on a non-zero exit.
func fxReel(t *testing.T, home, reelHome string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asReel+"=1", "HOME="+home, "REEL_HOME="+reelHome, "NO_COLOR=1", "REEL_STORE=",
		"XDG_DATA_HOME=", "XDG_CONFIG_HOME=", "HISTFILE=", "GEMINI_CLI_HOME=", "PI_CODING_AGENT_DIR=",
		"PI_CODING_AGENT_SESSION_DIR=", "COPILOT_HOME=", "CODEX_HOME=", "CLAUDE_CONFIG_DIR=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reel %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out
}

// fxBashHistory writes ~/.bash_history with real bash: entries from two
// days ago read back from the file, then new ones, one of several lines,
// written with their times as HISTTIMEFORMAT makes bash do.
func fxBashHistory(t *testing.T, home string) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	hist := filepath.Join(home, ".bash_history")
	// What an earlier bash wrote, in its format; the bash below reads it
	// and writes the whole history back.
	if err := os.WriteFile(hist, []byte("#1763900000\ngit status\n#1763900060\nmake test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `history -c; history -r
history -s 'echo one'
history -s 'for f in *.go; do
  gofmt -l "$f"
done'
history -s 'ls -la  /tmp   # two spaces'
history -w; unset HISTFILE`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-ic", script)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "HISTFILE=" + hist, "HISTTIMEFORMAT=%F %T ", "TERM=dumb"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("#1763900000\ngit status\n")) || !bytes.Contains(data, []byte("gofmt -l")) {
		t.Fatalf("bash wrote an unexpected history:\n%s", data)
	}
	return hist
}

// fxStatus is the part of reel status --json checked here.
type fxStatus struct {
	Sources []struct {
		reel.SourceStats
		Enabled bool `json:"enabled"`
	} `json:"sources"`
}

// TestSync_AllFixtures lays out every shared fixture of the sources beyond
// Claude Code and Codex in a home folder as their clients keep them, runs
// a plain reel sync as a new user would, and checks that each session
// exports back exactly what was read: a file's bytes, the opencode
// storage tree as a tar of its files, database rows as JSON lines, and
// the slices of one file (aider runs, shell history days) together as the
// file. A second sync reads nothing.
func TestSync_AllFixtures(t *testing.T) {
	fx := testenv.FixturesDir(t)
	home, reelHome := t.TempDir(), t.TempDir()
	appSupport := ".config"
	if runtime.GOOS == "darwin" {
		appSupport = "Library/Application Support"
	}
	layout := fxLayout(appSupport)
	fxCheckComplete(t, fx, layout)
	want := map[string]int{} // sessions per source
	for _, p := range layout {
		fxPlace(t, filepath.Join(fx, p.from), filepath.Join(home, p.to))
		want[p.source] += p.sessions
	}
	// A real bash history in the home: a plain sync must leave it alone,
	// as shell history is read only when enabled; reel import reads it.
	hist := fxBashHistory(t, home)
	config := "[sources.aider]\npaths = [\"~/src\"]\n\n[sources.opencode]\npaths = [\"~/old-laptop/opencode\"]\n"
	if err := os.WriteFile(filepath.Join(reelHome, "config.toml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range want {
		total += n
	}

	// 1. A plain sync finds every session; the one broken record is
	// agentsview's pi session's line 10, which is not JSON.
	var rec syncer.Record
	fxJSON(t, fxReel(t, home, reelHome, "sync", "--json"), &rec)
	found := map[string]int{}
	for _, s := range rec.Sources {
		found[s.Source] += s.Files
	}
	for src, n := range want {
		if found[src] != n {
			t.Errorf("sync found %d %s sessions, want %d", found[src], src, n)
		}
	}
	if rec.FilesSeen != total || rec.FilesNew != total {
		t.Errorf("sync: %d files seen, %d new; want %d", rec.FilesSeen, rec.FilesNew, total)
	}
	piBroken := filepath.Join(home, layout[slices.IndexFunc(layout, func(p fxPlaced) bool { return p.from == "agentsview/internal/parser/testdata/pi/session.jsonl" })].to)
	if rec.SkippedRecords != 1 || rec.SkippedFiles != 0 || rec.RepairedRecords != 0 || rec.Outcome != syncer.OutcomePartial {
		t.Errorf("sync: outcome %s, %d records skipped, %d repaired, %d files skipped; want partial, 1, 0, 0",
			rec.Outcome, rec.SkippedRecords, rec.RepairedRecords, rec.SkippedFiles)
	}
	for _, is := range rec.Issues {
		if is.Path != piBroken || is.Line != 10 || is.Action != "skipped" {
			t.Errorf("unexpected issue: %s", is)
		}
	}
	if len(rec.Issues) != 1 {
		t.Errorf("sync issues %v, want the pi session's line 10 alone", rec.Issues)
	}

	// The bash history, imported: one session per day, the day the
	// earlier entries were written and today.
	var imp syncer.Record
	fxJSON(t, fxReel(t, home, reelHome, "import", "--json", hist), &imp)
	if imp.FilesSeen != 2 || len(imp.Issues) != 0 || imp.Outcome != syncer.OutcomeOK {
		t.Errorf("import %s: %d days (want 2), outcome %s, issues %v", hist, imp.FilesSeen, imp.Outcome, imp.Issues)
	}
	want["shell-history"] = 2

	// 2. Every session exports what was read.
	var sessions []reel.Session
	fxJSON(t, fxReel(t, home, reelHome, "sessions", "--json", "--limit", "0"), &sessions)
	listed := map[string]int{}
	kinds := map[string]int{}       // how each export was checked
	paths := map[string]bool{}      // file part of every session's path
	pieces := map[string][][]byte{} // aider and shell history: exports per file
	for _, s := range sessions {
		listed[s.Source]++
		out := fxReel(t, home, reelHome, "export", s.ID, "--format", "native")
		file, key, keyed := strings.Cut(s.Path, "#")
		paths[file] = true
		fi, err := os.Stat(file)
		if err != nil {
			t.Errorf("session %s (%s): path %s: %v", s.ID, s.Source, s.Path, err)
			continue
		}
		switch {
		case s.Source == "opencode" && keyed && fi.IsDir():
			kinds["tar"]++
			fxCheckTar(t, file, s.Path, out)
		case s.Source == "opencode" && keyed:
			kinds["rows"]++
			fxCheckRows(t, file, key, out)
		case s.Source == "aider" || s.Source == "shell-history":
			kinds["slice"]++
			if !keyed {
				t.Errorf("%s session %s: path %s names no slice of the file", s.Source, s.ID, s.Path)
			}
			pieces[file] = append(pieces[file], out)
		case keyed:
			t.Errorf("%s session %s: unexpected keyed path %s", s.Source, s.ID, s.Path)
		default:
			kinds["file"]++
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, data) {
				t.Errorf("%s (%s): export of %d bytes differs from the file's %d", s.Path, s.Source, len(out), len(data))
			}
		}
	}
	if !reflect.DeepEqual(listed, fxNonZero(want)) {
		t.Errorf("sessions per source %v, want %v", listed, fxNonZero(want))
	}
	// Every fixture that holds sessions is read: a session's path is the
	// file, a file in the folder placed (a workspace), or for opencode's
	// storage tree the data folder holding it.
	for _, p := range layout {
		to := filepath.Join(home, p.to)
		read := paths[to] || fxAnyUnder(paths, to) || (filepath.Base(to) == "storage" && paths[filepath.Dir(to)])
		if p.sessions > 0 && !read {
			t.Errorf("fixture %s (%s): no session read from it", p.from, p.to)
		}
	}
	for file, parts := range pieces {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !fxCover(data, parts) {
			lens := make([]int, len(parts))
			for i, p := range parts {
				lens[i] = len(p)
			}
			t.Errorf("%s: its %d sessions' exports (%v bytes) do not cover its %d bytes exactly once", file, len(parts), lens, len(data))
		}
	}

	// 3. reel status counts, per source, the sessions and the records
	// kept raw: the pi line that is not JSON, and the records of types
	// reel does not know.
	var st fxStatus
	fxJSON(t, fxReel(t, home, reelHome, "status", "--json"), &st)
	got := map[string][3]int64{}
	for _, s := range st.Sources {
		if s.Sessions > 0 || s.Invalid > 0 || s.Unrecognised > 0 {
			got[s.Source] = [3]int64{s.Sessions, s.Invalid, s.Unrecognised}
		}
		if s.Enabled != (s.Source != "shell-history") {
			t.Errorf("status: %s enabled %v", s.Source, s.Enabled)
		}
	}
	wantStats := map[string][3]int64{}
	for src, n := range fxNonZero(want) {
		wantStats[src] = [3]int64{int64(n), 0, fxUnrecognised[src]}
	}
	pi := wantStats["pi"]
	pi[1] = 1
	wantStats["pi"] = pi
	if !reflect.DeepEqual(got, wantStats) {
		t.Errorf("status [sessions invalid unrecognised] per source:\n got %v\nwant %v", got, wantStats)
	}

	// 4. A second sync finds every file unchanged and reads nothing.
	var again syncer.Record
	fxJSON(t, fxReel(t, home, reelHome, "sync", "--json"), &again)
	if again.FilesSeen != total || again.FilesUnchanged != again.FilesSeen || again.EventsInserted != 0 ||
		again.SessionsInserted != 0 || again.SessionsUpdated != 0 || again.RecordsRead != 0 || len(again.Issues) != 0 {
		t.Errorf("re-sync: %d of %d files unchanged (want %d), %d sessions inserted, %d updated, %d records read, %d events inserted, issues %v",
			again.FilesUnchanged, again.FilesSeen, total, again.SessionsInserted, again.SessionsUpdated, again.RecordsRead, again.EventsInserted, again.Issues)
	}
	t.Logf("%d sessions checked: %v; exports checked as %v", len(sessions), listed, kinds)
}

// fxUnrecognised is how many records of a type reel does not know each
// source's fixtures hold.
var fxUnrecognised = map[string]int64{
	"pi": 1, // agentsview pi/session.jsonl line 11: "unknown_future_entry_type"
}

// fxNonZero returns m without its zero counts.
func fxNonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// fxAnyUnder reports whether a path in paths is dir or under it.
func fxAnyUnder(paths map[string]bool, dir string) bool {
	for p := range paths {
		if p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// fxCover reports whether parts, each non-empty and used once, laid end
// to end in some order, are exactly data.
func fxCover(data []byte, parts [][]byte) bool {
	used := make([]bool, len(parts))
	var from func(pos, left int) bool
	from = func(pos, left int) bool {
		if left == 0 {
			return pos == len(data)
		}
		for i, p := range parts {
			if !used[i] && len(p) > 0 && bytes.HasPrefix(data[pos:], p) {
				used[i] = true
				if from(pos+len(p), left-1) {
					return true
				}
				used[i] = false
			}
		}
		return false
	}
	return from(0, len(parts))
}

// fxCheckTar checks that a multi-file session's export is a tar archive
// whose entries are the files they name, under root, and every file of
// the tree's session.
func fxCheckTar(t *testing.T, root, what string, data []byte) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: export is not a tar archive: %v", what, err)
		}
		got, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: entry %s: %v", what, h.Name, err)
		}
		want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(h.Name)))
		if err != nil {
			t.Errorf("%s: entry %s: %v", what, h.Name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: entry %s differs from its file", what, h.Name)
		}
		names = append(names, h.Name)
	}
	// The fixture tree is one session's: every file in it is one entry.
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	slices.Sort(names)
	if !slices.Equal(names, files) {
		t.Errorf("%s: archive holds %v, the tree %v", what, names, files)
	}
}

// fxCheckRows checks that a database session's export is its rows as JSON
// lines: the session row, then each message (by time, then id) followed
// by its parts (by id), each line one row's columns, as read directly
// from a copy of the database.
func fxCheckRows(t *testing.T, dbPath, id string, export []byte) {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "copy.db")
	data, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+cp+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	read := func(q string, args ...any) []map[string]any {
		rows, err := db.Query(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []map[string]any
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := map[string]any{}
			for i, c := range cols {
				switch v := vals[i].(type) {
				case nil, string:
					row[c] = v
				case int64:
					row[c] = json.Number(strconv.FormatInt(v, 10))
				default:
					t.Fatalf("%s: column %s holds a %T, which this check does not read", dbPath, c, v)
				}
			}
			out = append(out, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := read(`SELECT * FROM session WHERE id = ?`, id)
	for _, m := range read(`SELECT * FROM message WHERE session_id = ? ORDER BY time_created, id`, id) {
		want = append(want, m)
		want = append(want, read(`SELECT * FROM part WHERE session_id = ? AND message_id = ? ORDER BY id`, id, m["id"])...)
	}
	all := len(read(`SELECT id FROM session WHERE id = ?`, id)) + len(read(`SELECT id FROM message WHERE session_id = ?`, id)) +
		len(read(`SELECT id FROM part WHERE session_id = ?`, id))
	if all != len(want) || all == 0 {
		t.Fatalf("%s#%s: %d rows, %d of them in message order; this check expects every part under a message", dbPath, id, all, len(want))
	}
	var got []map[string]any
	for i, line := range bytes.SplitAfter(export, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var row map[string]any
		if err := dec.Decode(&row); err != nil || row == nil || !bytes.HasSuffix(line, []byte("\n")) {
			t.Errorf("%s#%s: line %d is not one JSON object: %q", dbPath, id, i+1, line)
			continue
		}
		got = append(got, row)
	}
	if len(got) != len(want) {
		t.Errorf("%s#%s: export has %d rows, the database %d", dbPath, id, len(got), len(want))
		return
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s#%s: row %d exported as %v, the database holds %v", dbPath, id, i+1, got[i], want[i])
		}
	}
}

// fxJSON decodes reel's JSON output into v.
func fxJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

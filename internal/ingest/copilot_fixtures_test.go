package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// copilotFixtureRoots lays the shared Copilot fixtures out as the clients
// do (the fixtures folder holds them loose, beside other sources' files)
// and returns the CLI's session-state folder and a VS Code User folder.
// copilot-otel/traces.db is not laid out: it holds OpenTelemetry spans a
// collector wrote, not a session store the client keeps.
func copilotFixtureRoots(t *testing.T, src string) (cli, user string) {
	t.Helper()
	root := t.TempDir()
	cli = filepath.Join(root, "session-state")
	user = filepath.Join(root, "User")
	droidCopyFile(t, filepath.Join(src, "copilot_cli_session_events.jsonl"),
		filepath.Join(cli, "301561f1-558a-43e9-a144-82d3ca12ab62", "events.jsonl"))
	for _, name := range []string{
		"copilot_cli_session_no_model.jsonl", "copilot_session_event_stream.jsonl",
		"copilot_vscode_event_stream.jsonl", "copilot_transcript_session_lookup.jsonl",
	} {
		droidCopyFile(t, filepath.Join(src, name), filepath.Join(cli, name))
	}
	ws := filepath.Join(user, "workspaceStorage", "7c1f0e")
	chats := filepath.Join(ws, "chatSessions")
	for _, name := range []string{
		"copilot_session_simple.json", "copilot_session_multiline.jsonl", "copilot_session_empty_then_patched.jsonl",
		"copilot_chat_session_lookup_auto.jsonl", "copilot_chat_session_lookup_details_only.jsonl",
		"copilot_chat_session_lookup_non_auto.jsonl", "copilot_chat_session_lookup_selected_model.jsonl",
		"copilot_chat_session_lookup_json_file.json",
	} {
		droidCopyFile(t, filepath.Join(src, name), filepath.Join(chats, name))
	}
	// The same chat as a log, under another id so both are read.
	droidCopyFile(t, filepath.Join(src, "copilot_session_simple.jsonl"),
		filepath.Join(user, "globalStorage", "emptyWindowChatSessions", "copilot_session_simple_log.jsonl"))
	if err := os.WriteFile(filepath.Join(ws, "workspace.json"), []byte(`{"folder":"file:///Users/svarlamov/projects/testing-git"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return cli, user
}

func TestCopilot_Fixtures(t *testing.T) {
	src := filepath.Join(testenv.FixturesDir(t), "git-ai", "tests", "fixtures")
	cliRoot, userRoot := copilotFixtureRoots(t, src)

	t.Run("CLI", func(t *testing.T) {
		runs := checkSessions(t, NewCopilot(), cliRoot)
		if len(runs) != 5 {
			t.Fatalf("%d sessions, want 5", len(runs))
		}
		for _, run := range runs {
			droidCheckPairs(t, run)
		}
		cli := droidRunByID(t, runs, "301561f1-558a-43e9-a144-82d3ca12ab62")
		want := reel.Session{
			Source: reel.SourceCopilot, NativeID: "301561f1-558a-43e9-a144-82d3ca12ab62",
			Title: "create a hello world file", Project: "/Users/test/project", GitBranch: "master",
			Model: "gpt-4.1", Version: "1.0.45", StartedAt: cli.session.StartedAt, EndedAt: cli.session.EndedAt,
		}
		if !reflect.DeepEqual(cli.session, want) {
			t.Errorf("session\n got %+v\nwant %+v", cli.session, want)
		}
		calls := droidEventsOf(cli, reel.KindToolCall)
		results := droidEventsOf(cli, reel.KindToolResult)
		if len(calls) != 1 || calls[0].Tool != "create" || len(results) != 1 || results[0].Text != "Created file /Users/test/project/hello.py" {
			t.Errorf("calls %+v, results %+v", calls, results)
		}
		if m := droidRunByID(t, runs, "copilot_cli_session_no_model").session.Model; m != "" {
			t.Errorf("model of a session that names none = %q", m)
		}
		// Tools that start and never complete are calls without results.
		stream := droidRunByID(t, runs, "copilot_session_event_stream")
		if n, r := len(droidEventsOf(stream, reel.KindToolCall)), len(droidEventsOf(stream, reel.KindToolResult)); n != 2 || r != 0 {
			t.Errorf("event stream: %d calls, %d results", n, r)
		}
		vs := droidRunByID(t, runs, "copilot_vscode_event_stream")
		if n, r := len(droidEventsOf(vs, reel.KindToolCall)), len(droidEventsOf(vs, reel.KindToolResult)); n != 2 || r != 2 {
			t.Errorf("vscode stream: %d calls, %d results", n, r)
		}
		if vs.session.Version != "0.47.0" || vs.session.Title != "Add a comment to the file" {
			t.Errorf("vscode stream session %+v", vs.session)
		}
	})
	t.Run("VSCode", func(t *testing.T) {
		runs := checkSessions(t, NewCopilot(), userRoot)
		models := map[string]string{}
		for _, run := range runs {
			models[run.file.NativeID] = run.session.Model
			droidCheckPairs(t, run)
		}
		want := map[string]string{
			"copilot_chat_session_lookup_auto":           "Claude Sonnet 4.5",
			"copilot_chat_session_lookup_details_only":   "Claude Sonnet 4.5",
			"copilot_chat_session_lookup_non_auto":       "gpt-4o",
			"copilot_chat_session_lookup_selected_model": "claude-sonnet-4",
			"copilot_chat_session_lookup_json_file":      "gpt-4o-mini",
			"copilot_session_simple":                     "claude-sonnet-4",
			"copilot_session_simple_log":                 "claude-sonnet-4",
			"copilot_session_multiline":                  "gpt-4o",
			"copilot_session_empty_then_patched":         "gpt-4o",
		}
		if !reflect.DeepEqual(models, want) {
			t.Errorf("models\n got %v\nwant %v", models, want)
		}

		doc := droidRunByID(t, runs, "copilot_session_simple")
		log := droidRunByID(t, runs, "copilot_session_simple_log")
		if !reflect.DeepEqual(copilotTexts(doc), copilotTexts(log)) {
			t.Errorf("the same chat as a document and as a log differs:\n %q\n %q", copilotTexts(doc), copilotTexts(log))
		}
		if doc.session.Title != "Assistance with TypeScript project tasks" || doc.session.Project != "/Users/svarlamov/projects/testing-git" || log.session.Project != "" {
			t.Errorf("title %q, projects %q (workspace) and %q (empty window)", doc.session.Title, doc.session.Project, log.session.Project)
		}
		if n := len(droidEventsOf(doc, reel.KindToolCall)); n != 2 {
			t.Errorf("%d tool calls in the simple chat, want 2", n)
		}

		multi := droidRunByID(t, runs, "copilot_session_multiline")
		var prompts []string
		for _, e := range multi.events {
			if e.Role == reel.RoleUser {
				prompts = append(prompts, e.Text)
			}
		}
		if !reflect.DeepEqual(prompts, []string{"Add a joke about 7sadfh32u23gdaWF to jokes.csv", "follow up message"}) {
			t.Errorf("prompts = %q", prompts)
		}
		if multi.session.Title != "Adding a joke to jokes.csv file" || multi.session.Tokens != (reel.Tokens{Input: 19671, Output: 73}) {
			t.Errorf("multiline session %+v", multi.session)
		}

		patched := droidRunByID(t, runs, "copilot_session_empty_then_patched")
		if got := copilotTexts(patched); !reflect.DeepEqual(got, []string{
			"message:What is the meaning of life?", "message:The meaning of life is 42.",
		}) {
			t.Errorf("patched chat: %q", got)
		}
	})
	t.Run("Workspace", func(t *testing.T) {
		runs := checkSessions(t, NewCopilot(), filepath.Join(src, "copilot_vscode_workspace"))
		if len(runs) != 1 {
			t.Fatalf("%d sessions, want the transcript", len(runs))
		}
		run := runs[0]
		if run.session.NativeID != "test-session-abc" || run.session.Project != "/Users/test/project" {
			t.Errorf("transcript session %+v", run.session)
		}
		droidCheckPairs(t, run)
		if got := copilotTexts(run); !reflect.DeepEqual(got, []string{
			"message:Fix the bug", "tool_call:filePath: /Users/test/project/src/app.ts\nstartLine: 1\nendLine: 20", "tool_result:",
		}) {
			t.Errorf("events %q", got)
		}
	})
}

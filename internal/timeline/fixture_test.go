package timeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/reel-sh/reel/internal/testenv"
)

// syncFixture lays one shared fixture file or folder under a home folder
// at dst, syncs it with the real importer, and returns the store and the
// one session read from it.
func syncFixture(t *testing.T, imp reel.Importer, root, src, dst string) (*sqlite.Store, reel.Session) {
	t.Helper()
	fx := testenv.FixturesDir(t)
	home := t.TempDir()
	from := filepath.Join(fx, src)
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		to := filepath.Join(home, dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	ctx := context.Background()
	if _, err := syncer.Run(ctx, syncer.Options{Store: st, Host: "test", Workers: 1,
		Sources: []syncer.Source{{Importer: imp, Root: filepath.Join(home, root)}}}); err != nil {
		t.Fatalf("sync %s: %v", src, err)
	}
	ss, err := st.Sessions(ctx, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 {
		t.Fatalf("sync %s: %d sessions, want 1", src, len(ss))
	}
	return st, ss[0]
}

// TestTimeline_Fixtures diffs and replays whole sessions that the real
// importers read from the shared fixtures, between a checkpoint at the
// start and one at the end.
func TestTimeline_Fixtures(t *testing.T) {
	const (
		gitai = "git-ai/tests/fixtures/"
		av    = "agentsview/internal/parser/testdata/"
		codex = ".codex/sessions/2026/01/02/rollout-2026-01-02T03-04-05-"
	)
	tests := []struct {
		name      string
		imp       reel.Importer
		root      string
		src, dst  string
		files     map[string][]string // a subset of the diff's files
		commands  []string
		tools     map[string]int64 // a subset of the counts
		stepTool  string           // a step of this tool …
		stepReply string           // … has a result that starts so
	}{
		{"ClaudeCode", ingest.NewClaude(), ".claude/projects", gitai + "example-claude-code.jsonl", ".claude/projects/-ghq/s.jsonl",
			map[string][]string{
				"/Users/aidancunniffe/Desktop/ghq/src/app/globals.css":     {"read", "edit"},
				"/Users/aidancunniffe/Desktop/ghq/src/game/HistoryLog.tsx": {"read", "edit"},
				"/Users/aidancunniffe/Desktop/ghq/package.json":            {"read"},
			}, []string{},
			map[string]int64{"Read": 4, "Edit": 2, "MultiEdit": 1, "Glob": 2, "Grep": 2, "TodoWrite": 2},
			"Edit", "The file /Users/aidancunniffe/Desktop/ghq/src/app/globals.css has been updated"},
		{"ClaudeCodeBash", ingest.NewClaude(), ".claude/projects", "claude-code-log/representative_messages.jsonl", ".claude/projects/-tmp/r.jsonl",
			map[string][]string{"/tmp/decorator_example.py": {"edit"}}, []string{"python /tmp/decorator_example.py"},
			map[string]int64{"Bash": 1, "Edit": 1}, "Bash", "Hello, Alice!"},
		{"Codex", ingest.NewCodex(), ".codex/sessions", gitai + "codex-session-updated.jsonl", codex + "u.jsonl",
			map[string][]string{"src/main.rs": {"edit"}}, []string{"cargo test"},
			map[string]int64{"apply_patch": 1, "shell_command": 1}, "", ""},
		{"CodexPatchOfTwoFiles", ingest.NewCodex(), ".codex/sessions", av + "codex/fc_args_2.jsonl", codex + "p.jsonl",
			map[string][]string{"internal/parser/codex.go": {"edit"}, "internal/parser/parser_test.go": {"edit"}}, []string{},
			map[string]int64{"apply_patch": 1}, "", ""},
		{"CodexExecCommand", ingest.NewCodex(), ".codex/sessions", av + "codex/fc_args_1.jsonl", codex + "e.jsonl",
			map[string][]string{}, []string{"rg --files"}, map[string]int64{"exec_command": 1}, "", ""},
		{"Gemini", ingest.NewGemini(), ".gemini/tmp", gitai + "gemini-session-simple.jsonl", ".gemini/tmp/testing-git/chats/session-2025-12-06T18-25-38b36361.jsonl",
			map[string][]string{"/Users/svarlamov/projects/testing-git/index.ts": {"edit", "read"}}, []string{},
			map[string]int64{"replace": 2, "read_file": 2}, "", ""},
		{"GeminiResults", ingest.NewGemini(), ".gemini/tmp", av + "gemini/tool_calls_with_results.json", ".gemini/tmp/abc/chats/session-2024-01-01T10-00-x.json",
			map[string][]string{".planning/ONE-PAGER.md": {"read"}}, []string{"ls -la"},
			map[string]int64{"read_file": 1, "run_command": 1}, "run_command", "total 42"},
		{"Opencode", ingest.NewOpencode(), ".local/share/opencode", gitai + "opencode-storage", ".local/share/opencode/storage",
			map[string][]string{"/Users/test/project/index.ts": {"edit"}}, []string{}, map[string]int64{"edit": 1}, "edit", "Edit applied"},
		{"Pi", ingest.NewPi(), ".pi/agent/sessions", gitai + "pi-session-tool.jsonl", ".pi/agent/sessions/--tmp-project--/2026-03-31T10-10-00-000Z_pi-session-456.jsonl",
			map[string][]string{"src/main.rs": {"edit"}}, []string{}, map[string]int64{"edit": 1}, "edit", "Applied edit to src/main.rs"},
		{"Droid", ingest.NewDroid(), ".factory/sessions", gitai + "droid-session.jsonl", ".factory/sessions/-Users-x/052cb8d0-4616-488a-99fe-bfbbbe9429b3.jsonl",
			map[string][]string{"/Users/testuser/projects/testing-git/index.ts": {"read", "edit"}}, []string{},
			map[string]int64{"Read": 2, "ApplyPatch": 1, "TodoWrite": 2}, "ApplyPatch", `{"success":true`},
		{"Copilot", ingest.NewCopilot(), ".copilot/session-state", gitai + "copilot_cli_session_events.jsonl", ".copilot/session-state/301561f1-558a-43e9-a144-82d3ca12ab62/events.jsonl",
			map[string][]string{"/Users/test/project/hello.py": {"write"}}, []string{}, map[string]int64{"create": 1}, "create", "Created file"},
		{"Cursor", ingest.NewCursor(), ".cursor/projects", gitai + "cursor-session-simple.jsonl", ".cursor/projects/Users-test-project/agent-transcripts/cursor-session-simple.jsonl",
			map[string][]string{"/Users/aidancunniffe/Desktop/testing-gitflows-git-ai/hbo-shows-1990s.txt": {"write"}}, []string{},
			map[string]int64{"Read": 3, "Write": 1, "WebSearch": 4}, "", ""},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ss := syncFixture(t, tt.imp, tt.root, tt.src, tt.dst)
			checkpoints(t, st, ss.ID,
				reel.Checkpoint{ID: "fx-start", Label: "start", Seq: 0},
				reel.Checkpoint{ID: "fx-end", Label: "end", Seq: ss.EventCount})
			tl := New(st)
			d, err := tl.Diff(ctx, ss.ID, "end", "start")
			if err != nil {
				t.Fatal(err)
			}
			if d.Events != ss.EventCount {
				t.Errorf("events = %d, want the session's %d", d.Events, ss.EventCount)
			}
			if d.Tokens != ss.Tokens && !ss.Tokens.IsZero() {
				t.Errorf("tokens = %+v, want the session's %+v", d.Tokens, ss.Tokens)
			}
			got := map[string][]string{}
			for _, f := range d.Files {
				got[f.Path] = f.Ops
			}
			for p, ops := range tt.files {
				equal(t, "ops of "+p, got[p], ops)
			}
			if !slices.IsSortedFunc(d.Files, func(a, b reel.FileTouch) int { return strings.Compare(a.Path, b.Path) }) {
				t.Errorf("files not sorted: %v", d.Files)
			}
			equal(t, "commands", d.Commands, tt.commands)
			for tool, n := range tt.tools {
				if d.Tools[tool] != n {
					t.Errorf("tool %s called %d times, want %d (all: %v)", tool, d.Tools[tool], n, d.Tools)
				}
			}

			steps, err := tl.Replay(ctx, reel.EventQuery{Session: ss.ID, FromCheckpoint: "start", ToCheckpoint: "end"})
			if err != nil {
				t.Fatal(err)
			}
			var calls int64
			for _, n := range d.Tools {
				calls += n
			}
			if int64(len(steps)) != calls+int64(len(d.Commands))-countShell(d.Tools) {
				t.Errorf("%d steps, want one per tool call (%d) and recorded command", len(steps), calls)
			}
			if tt.stepTool == "" {
				return
			}
			for _, s := range steps {
				if s.Tool == tt.stepTool && s.ResultSeq > s.Seq && strings.HasPrefix(s.Result, tt.stepReply) {
					return
				}
			}
			t.Errorf("no %s step with a result starting %q in %+v", tt.stepTool, tt.stepReply, steps)
		})
	}
}

// countShell counts the calls of shell tools, whose commands Diff lists
// beside recorded commands.
func countShell(tools map[string]int64) int64 {
	var n int64
	for tool, c := range tools {
		if isShellTool(tool) {
			n += c
		}
	}
	return n
}

package timeline

import (
	"context"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

func TestTimeline_Diff(t *testing.T) {
	ctx := context.Background()
	tl, ss := spanSession(t)
	whole := reel.Diff{
		SessionID: ss.ID,
		Events:    8,
		Files: []reel.FileTouch{
			{Path: "a.go", Ops: []string{"edit"}},
			{Path: "b.go", Ops: []string{"read"}},
			{Path: "old.txt", Ops: []string{"command"}},
		},
		Commands: []string{"go test ./...", "rm -f old.txt"},
		Tools:    map[string]int64{"Bash": 1, "Edit": 1, "Read": 1},
		Tokens:   reel.Tokens{Input: 30, Output: 15},
	}
	tests := []struct {
		name, a, b string
		from, to   string // checkpoint ids
		want       reel.Diff
	}{
		{"OKLabels", "start", "late", "c1aaaa", "c3cccc", whole},
		{"OKReversed", "late", "start", "c1aaaa", "c3cccc", whole},
		{"OKIDPrefixes", "c1a", "c3c", "c1aaaa", "c3cccc", whole},
		{"OKSecondHalf", "mid", "c4dddd", "c2bbbb", "c4dddd", reel.Diff{
			SessionID: ss.ID, Events: 6,
			Files:    []reel.FileTouch{{Path: "b.go", Ops: []string{"read"}}, {Path: "old.txt", Ops: []string{"command"}}},
			Commands: []string{"rm -f old.txt"}, Tools: map[string]int64{"Read": 1},
			Tokens: reel.Tokens{Input: 21, Output: 3},
		}},
		{"OKSameCheckpoint", "mid", "c2bbbb", "c2bbbb", "c2bbbb", reel.Diff{
			SessionID: ss.ID, Files: []reel.FileTouch{}, Commands: []string{}, Tools: map[string]int64{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tl.Diff(ctx, ss.ID[:8], tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if d.From.ID != tt.from || d.To.ID != tt.to {
				t.Errorf("from %s to %s, want %s to %s", d.From.ID, d.To.ID, tt.from, tt.to)
			}
			d.From, d.To = reel.Checkpoint{}, reel.Checkpoint{}
			equal(t, "diff", d, tt.want)
		})
	}

	errs := []struct {
		name, session, a, b, code, text string
	}{
		{"ErrMissingA", ss.ID, "before-refactor", "late", reel.ENOTFOUND, `checkpoint "before-refactor" not found`},
		{"ErrMissingB", ss.ID, "start", "after", reel.ENOTFOUND, `checkpoint "after" not found`},
		{"ErrAmbiguous", ss.ID, "c", "late", reel.EAMBIGUOUS, `"c"`},
		{"ErrNoSession", "ffff", "start", "late", reel.ENOTFOUND, "ffff"},
		{"ErrOneCheckpoint", ss.ID, "start", "", reel.EINVALID, "two checkpoints"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tl.Diff(ctx, tt.session, tt.a, tt.b)
			wantCode(t, err, tt.code)
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not hold %q", err, tt.text)
			}
		})
	}
}

func TestCallTouches(t *testing.T) {
	patch := "*** Begin Patch\n*** Add File: new.go\n+package x\n*** Update File: old.go\n*** Move to: moved.go\n@@\n-a\n+b\n*** Delete File: gone.go\n*** End Patch"
	tests := []struct {
		name  string
		tool  string
		input any
		text  string
		want  []touch
	}{
		{"OKClaudeRead", "Read", map[string]any{"file_path": "/src/a.go"}, "", []touch{{"/src/a.go", opRead}}},
		{"OKClaudeWrite", "Write", map[string]any{"file_path": "a.go", "content": "x"}, "", []touch{{"a.go", opWrite}}},
		{"OKClaudeMultiEdit", "MultiEdit", map[string]any{"file_path": "a.go", "edits": []any{}}, "", []touch{{"a.go", opEdit}}},
		{"OKClaudeNotebookEdit", "NotebookEdit", map[string]any{"notebook_path": "n.ipynb"}, "", []touch{{"n.ipynb", opEdit}}},
		{"OKGeminiReadFile", "read_file", map[string]any{"absolute_path": "/p/x.md"}, "", []touch{{"/p/x.md", opRead}}},
		{"OKGeminiWriteFile", "write_file", map[string]any{"file_path": "x.md"}, "", []touch{{"x.md", opWrite}}},
		{"OKGeminiReplace", "replace", map[string]any{"file_path": "x.md"}, "", []touch{{"x.md", opEdit}}},
		{"OKGeminiReadMany", "read_many_files", map[string]any{"paths": []string{"a", "b"}}, "", []touch{{"a", opRead}, {"b", opRead}}},
		{"OKOpencodeEdit", "edit", map[string]any{"filePath": "/p/i.ts"}, "", []touch{{"/p/i.ts", opEdit}}},
		{"OKAmpEditFile", "edit_file", map[string]any{"path": "j.csv"}, "", []touch{{"j.csv", opEdit}}},
		{"OKCopilotCreate", "create", map[string]any{"path": "h.py"}, "", []touch{{"h.py", opWrite}}},
		{"OKCursorDelete", "delete_file", map[string]any{"target_file": "t.txt"}, "", []touch{{"t.txt", opDelete}}},
		{"OKEditorCommand", "str_replace_editor", map[string]any{"command": "view", "path": "v.go"}, "", []touch{{"v.go", opRead}}},
		{"OKCodexApplyPatch", "apply_patch", map[string]any{"patch": patch}, patch,
			[]touch{{"new.go", opWrite}, {"old.go", opEdit}, {"moved.go", opWrite}, {"gone.go", opDelete}}},
		{"OKDroidApplyPatchInput", "ApplyPatch", map[string]any{"input": patch}, "input: " + patch,
			[]touch{{"new.go", opWrite}, {"old.go", opEdit}, {"moved.go", opWrite}, {"gone.go", opDelete}}},
		{"OKCodexShellArgvPatch", "shell", map[string]any{"command": []string{"apply_patch", "*** Begin Patch\n*** Update File: s.go\n*** End Patch"}},
			"apply_patch '*** Begin Patch\n*** Update File: s.go\n*** End Patch'", []touch{{"s.go", opEdit}}},
		{"OKBashRm", "Bash", map[string]any{"command": "rm -rf build && go build ./..."}, "", []touch{{"build", opCommand}}},
		{"OKCodexShellArgv", "shell", map[string]any{"command": []string{"bash", "-lc", "mv a.txt b.txt"}}, "mv a.txt b.txt",
			[]touch{{"a.txt", opCommand}, {"b.txt", opCommand}}},
		{"OKExecCommandCmd", "exec_command", map[string]any{"cmd": "sed -i 's/a/b/' x.go"}, "", []touch{{"x.go", opCommand}}},
		{"OKGrepNoFile", "Grep", map[string]any{"pattern": "x", "path": "src"}, "", nil},
		{"OKGlobNoFile", "Glob", map[string]any{"pattern": "**/*.go"}, "", nil},
		{"OKTodoWriteNoFile", "TodoWrite", map[string]any{"todos": []any{}, "path": "x"}, "", nil},
		{"OKUnknownToolWithPath", "fs_write_text", map[string]any{"path": "w.txt"}, "", []touch{{"w.txt", opWrite}}},
		{"OKNoInput", "Read", nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := call(tt.tool, "id", tt.input, 0)
			if tt.text != "" {
				e.Text = tt.text
			}
			equal(t, "touches", callTouches(e), tt.want)
		})
	}
}

func TestCommandTouches(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"rm a.txt", []string{"a.txt"}},
		{"rm -rf -- -weird build/", []string{"-weird", "build/"}},
		{"/bin/rm 'with space.txt' \"dq file\" es\\ caped", []string{"with space.txt", "dq file", "es caped"}},
		{"mv -f old new; cp -r src dst", []string{"old", "new", "src", "dst"}},
		{"touch -d 2020-01-01 stamp -r ref made", []string{"stamp", "made"}},
		{"sudo FOO=1 rm x", []string{"x"}},
		{"sudo -u root rm x", []string{"x"}},
		{"bash -lc 'rm -f z && touch w'", []string{"z", "w"}},
		{"echo $(mv a b)", []string{"a", "b"}},
		{"rm out 2>/dev/null >>log", []string{"out"}},
		{"sed -i 's/a/b/' f1 f2", []string{"f1", "f2"}},
		{"sed -i.bak -e 's/a/b/' -e 's/c/d/' f", []string{"f"}},
		{"sed -ne 's/x/y/p' -i f", []string{"f"}},
		{"sed --in-place=.orig 's/a/b/' g", []string{"g"}},
		{"sed 's/a/b/' notinplace", nil},
		{"go test ./... 2>&1 | tee log.txt", nil},
		{"cat x > y && rm y 2>/dev/null", []string{"y"}},
		{"(cd sub && rm z) || echo rm not-a-file", []string{"z"}},
		{"echo hi # rm commented", nil},
		{"ls\nrm second-line", []string{"second-line"}},
		{"rm 'unterminated", []string{"unterminated"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			var got []string
			for _, tc := range commandTouches(tt.line) {
				got = append(got, tc.path)
			}
			equal(t, "paths", got, tt.want)
		})
	}
}

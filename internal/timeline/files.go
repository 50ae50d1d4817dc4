package timeline

import (
	"encoding/json"
	"strings"

	"github.com/reel-sh/reel"
)

// File operations, as FileTouch.Ops names them.
const (
	opRead    = "read"
	opWrite   = "write"
	opEdit    = "edit"
	opDelete  = "delete"
	opCommand = "command"
)

// touch is one file operation a span's event made.
type touch struct {
	path, op string
}

// toolName folds a tool's name for matching: lower case, without the
// underscores, dashes and spaces that clients spell names with
// (MultiEdit, read_file, run-shell-command).
func toolName(tool string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', ' ', '.':
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, tool)
}

// shellTools are the folded names of the tools that run a shell command:
// Claude Code's Bash, Codex's shell, shell_command, exec_command and
// local_shell, Gemini's run_shell_command, opencode's and pi's bash,
// Cursor's run_terminal_cmd, Copilot's run_in_terminal, Droid's Execute.
var shellTools = map[string]bool{
	"bash": true, "shell": true, "shellcommand": true, "execcommand": true, "localshell": true,
	"localshellcall": true, "containerexec": true, "runshellcommand": true, "runcommand": true,
	"runterminalcmd": true, "runinterminal": true, "execute": true, "terminal": true, "exec": true,
}

// fileTools maps the folded names of the tools that read or change files
// to what they do: Claude Code's Read, Write, Edit, MultiEdit and
// NotebookEdit; Gemini's read_file, write_file and replace; opencode's,
// pi's and Amp's read, write and edit; Cursor's and Copilot's names.
var fileTools = map[string]string{
	"read": opRead, "readfile": opRead, "view": opRead, "viewfile": opRead, "notebookread": opRead,
	"readmanyfiles": opRead, "cat": opRead,
	"write": opWrite, "writefile": opWrite, "create": opWrite, "createfile": opWrite,
	"edit": opEdit, "multiedit": opEdit, "notebookedit": opEdit, "replace": opEdit, "editfile": opEdit,
	"strreplace": opEdit, "strreplacebasedtool": opEdit, "searchreplace": opEdit, "editnotebook": opEdit,
	"insert": opEdit, "patch": opEdit,
	"delete": opDelete, "deletefile": opDelete, "remove": opDelete, "removefile": opDelete, "rm": opDelete,
}

// editorCommands are the actions of text-editor tools that take a
// "command" beside the path (str_replace_editor and the like).
var editorCommands = map[string]string{
	"view": opRead, "create": opWrite, "str_replace": opEdit, "insert": opEdit, "undo_edit": opEdit,
	"delete": opDelete,
}

// pathKeys are the input fields that name one file, in the spellings the
// sources use; listKeys name several.
var (
	pathKeys = []string{"file_path", "filePath", "path", "notebook_path", "notebookPath", "absolute_path",
		"target_file", "targetFile", "filename", "file"}
	listKeys = []string{"paths", "file_paths", "filePaths", "files"}
)

// isShellTool reports whether a tool runs shell commands.
func isShellTool(tool string) bool { return shellTools[toolName(tool)] }

// fileOp returns what a tool does to the files its input names, guessing
// from the words of an unknown tool's name; "" for a tool that touches no
// file (Grep, Glob, WebFetch, TodoWrite …).
func fileOp(tool string, in input) string {
	name := toolName(tool)
	if op, ok := editorCommands[in.str("command")]; ok && strings.Contains(name, "editor") {
		return op
	}
	if op, ok := fileTools[name]; ok {
		return op
	}
	if strings.HasPrefix(name, "todo") {
		return ""
	}
	for _, w := range []struct{ word, op string }{
		{"delete", opDelete}, {"remove", opDelete},
		{"edit", opEdit}, {"replace", opEdit}, {"patch", opEdit},
		{"write", opWrite}, {"create", opWrite},
		{"read", opRead}, {"view", opRead},
	} {
		if strings.Contains(name, w.word) {
			return w.op
		}
	}
	return ""
}

// inputPaths returns the files a tool's input names.
func inputPaths(in input) []string {
	var out []string
	for _, k := range pathKeys {
		if s := strings.TrimSpace(in.str(k)); s != "" {
			return []string{s}
		}
	}
	for _, k := range listKeys {
		for _, s := range in.strs(k) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// patchTouches returns the files a patch in the apply_patch format names
// (Codex, Droid): "*** Add File: p" writes p, "*** Update File: p" edits
// it, "*** Delete File: p" deletes it and "*** Move to: p" writes p. It
// returns nil for text that holds no patch.
func patchTouches(text string) []touch {
	if !strings.Contains(text, "*** Begin Patch") {
		return nil
	}
	var out []touch
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		for _, m := range []struct{ prefix, op string }{
			{"*** Add File:", opWrite}, {"*** Update File:", opEdit},
			{"*** Delete File:", opDelete}, {"*** Move to:", opWrite},
		} {
			if p, ok := strings.CutPrefix(line, m.prefix); ok {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, touch{p, m.op})
				}
			}
		}
	}
	return out
}

// callTouches returns the files a tool call touched: those its patch
// names, those a shell command it ran names, or those its input names
// for a tool that reads or changes files.
func callTouches(e reel.Event) []touch {
	in := parseInput(e.Input)
	for _, v := range in {
		var s string
		if json.Unmarshal(v, &s) == nil {
			if ts := patchTouches(s); ts != nil {
				return ts
			}
		}
	}
	if ts := patchTouches(e.Text); ts != nil {
		return ts
	}
	if isShellTool(e.Tool) {
		return commandTouches(shellCommand(e))
	}
	op := fileOp(e.Tool, in)
	if op == "" {
		return nil
	}
	var out []touch
	for _, p := range inputPaths(in) {
		out = append(out, touch{p, op})
	}
	return out
}

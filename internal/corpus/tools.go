package corpus

import (
	"strconv"
	"strings"
)

// Claude Code tool inputs and results, in the shapes the client writes.

type bashInput struct {
	Command     string `json:"command"`
	Description string `json:"description,omitempty"`
}

type bashResult struct {
	Stdout      string `json:"stdout"`
	Stderr      string `json:"stderr"`
	Interrupted bool   `json:"interrupted"`
	IsImage     bool   `json:"isImage"`
}

type readInput struct {
	FilePath string `json:"file_path"`
}

type readResult struct {
	Type string   `json:"type"`
	File readFile `json:"file"`
}

type readFile struct {
	FilePath   string `json:"filePath"`
	Content    string `json:"content"`
	NumLines   int    `json:"numLines"`
	StartLine  int    `json:"startLine"`
	TotalLines int    `json:"totalLines"`
}

type editInput struct {
	FilePath  string `json:"file_path"`
	OldString string `json:"old_string"`
	NewString string `json:"new_string"`
}

type editResult struct {
	FilePath        string      `json:"filePath"`
	OldString       string      `json:"oldString"`
	NewString       string      `json:"newString"`
	OriginalFile    *string     `json:"originalFile"`
	StructuredPatch []patchHunk `json:"structuredPatch"`
	UserModified    bool        `json:"userModified"`
	ReplaceAll      bool        `json:"replaceAll"`
}

type patchHunk struct {
	OldStart int      `json:"oldStart"`
	OldLines int      `json:"oldLines"`
	NewStart int      `json:"newStart"`
	NewLines int      `json:"newLines"`
	Lines    []string `json:"lines"`
}

type grepInput struct {
	Pattern    string `json:"pattern"`
	Path       string `json:"path,omitempty"`
	OutputMode string `json:"output_mode"`
}

type grepResult struct {
	Mode      string   `json:"mode"`
	Filenames []string `json:"filenames"`
	NumFiles  int      `json:"numFiles"`
}

type globInput struct {
	Pattern string `json:"pattern"`
}

type globResult struct {
	Filenames  []string `json:"filenames"`
	DurationMs int      `json:"durationMs"`
	NumFiles   int      `json:"numFiles"`
	Truncated  bool     `json:"truncated"`
}

type writeInput struct {
	FilePath string `json:"file_path"`
	Content  string `json:"content"`
}

type writeResult struct {
	Type            string      `json:"type"`
	FilePath        string      `json:"filePath"`
	Content         string      `json:"content"`
	StructuredPatch []patchHunk `json:"structuredPatch"`
}

type todo struct {
	Content    string `json:"content"`
	Status     string `json:"status"`
	ActiveForm string `json:"activeForm"`
}

type todoInput struct {
	Todos []todo `json:"todos"`
}

type todoResult struct {
	OldTodos []todo `json:"oldTodos"`
	NewTodos []todo `json:"newTodos"`
}

// claudeCall is a drawn tool call: what the assistant sent and what the
// result needs to know of it.
type claudeCall struct {
	name  string
	input any
	file  string // relative path, for file tools
	cmd   string
	todos []todo
}

// claudeInput draws the input of a tool call of kind k.
func claudeInput(g *textGen, k tool) claudeCall {
	switch k {
	case toolRead:
		f := g.path()
		return claudeCall{name: "Read", file: f, input: readInput{FilePath: g.cwd + "/" + f}}
	case toolEdit:
		f := g.path()
		n := 1 + g.r.IntN(4)
		return claudeCall{name: "Edit", file: f, input: editInput{FilePath: g.cwd + "/" + f,
			OldString: strings.Join(g.code(n), "\n"), NewString: strings.Join(g.code(n+g.r.IntN(3)), "\n")}}
	case toolGrep:
		return claudeCall{name: "Grep", input: grepInput{Pattern: g.ident(), Path: g.cwd + "/" + g.dir(), OutputMode: "files_with_matches"}}
	case toolGlob:
		ext := map[string]string{langGo: "go", langTS: "{ts,tsx}", langPy: "py"}[g.proj.lang]
		return claudeCall{name: "Glob", input: globInput{Pattern: g.dir() + "/**/*." + ext}}
	case toolWrite:
		f := g.path()
		return claudeCall{name: "Write", file: f, input: writeInput{FilePath: g.cwd + "/" + f, Content: strings.Join(g.code(5+g.r.IntN(20)), "\n")}}
	case toolTodo:
		var todos []todo
		for i, n := 0, 2+g.r.IntN(4); i < n; i++ {
			v, noun := g.verb(), g.noun()
			status := []string{"completed", "in_progress", "pending"}[min(i, 2)]
			todos = append(todos, todo{Content: title(v) + " the " + noun, Status: status, ActiveForm: title(v) + "ing the " + noun})
		}
		return claudeCall{name: "TodoWrite", todos: todos, input: todoInput{Todos: todos}}
	}
	cmd := g.command()
	return claudeCall{name: "Bash", cmd: cmd, input: bashInput{Command: cmd, Description: title(g.verb()) + " the " + g.noun()}}
}

// toolOutcome is a tool result: the text the model saw, the client's
// structured toolUseResult, and whether it failed.
type toolOutcome struct {
	text    string
	use     any
	isError bool
}

func numbered(lines []string, from int) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		n := strconv.Itoa(from + i)
		b.WriteString(strings.Repeat(" ", max(0, 6-len(n))))
		b.WriteString(n)
		b.WriteString("→")
		b.WriteString(l)
	}
	return b.String()
}

// claudeResult draws the result of call c.
func claudeResult(g *textGen, k tool, c *claudeCall) toolOutcome {
	switch k {
	case toolRead:
		lines := g.code(8 + g.r.IntN(50))
		abs := g.cwd + "/" + c.file
		return toolOutcome{text: numbered(lines, 1), use: readResult{Type: "text",
			File: readFile{FilePath: abs, Content: strings.Join(lines, "\n"), NumLines: len(lines), StartLine: 1, TotalLines: len(lines)}}}
	case toolEdit:
		in := c.input.(editInput)
		if g.r.IntN(12) == 0 {
			msg := "String to replace not found in file.\nString: " + in.OldString
			return toolOutcome{text: "<tool_use_error>" + msg + "</tool_use_error>", use: "Error: " + msg, isError: true}
		}
		at := 10 + g.r.IntN(200)
		newLines := strings.Split(in.NewString, "\n")
		var hunk []string
		for _, l := range strings.Split(in.OldString, "\n") {
			hunk = append(hunk, "-"+l)
		}
		for _, l := range newLines {
			hunk = append(hunk, "+"+l)
		}
		return toolOutcome{
			text: "The file " + in.FilePath + " has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n" + numbered(newLines, at),
			use: editResult{FilePath: in.FilePath, OldString: in.OldString, NewString: in.NewString,
				StructuredPatch: []patchHunk{{OldStart: at, OldLines: len(hunk) - len(newLines), NewStart: at, NewLines: len(newLines), Lines: hunk}}},
		}
	case toolGrep, toolGlob:
		var files []string
		for i, n := 0, g.r.IntN(9); i < n; i++ {
			files = append(files, g.absPath())
		}
		if k == toolGlob {
			return toolOutcome{text: strings.Join(files, "\n"), use: globResult{Filenames: nonNil(files), DurationMs: 3 + g.r.IntN(80), NumFiles: len(files)}}
		}
		text := "No files found"
		if len(files) > 0 {
			text = "Found " + strconv.Itoa(len(files)) + " files\n" + strings.Join(files, "\n")
		}
		return toolOutcome{text: text, use: grepResult{Mode: "files_with_matches", Filenames: nonNil(files), NumFiles: len(files)}}
	case toolWrite:
		in := c.input.(writeInput)
		return toolOutcome{text: "File created successfully at: " + in.FilePath,
			use: writeResult{Type: "create", FilePath: in.FilePath, Content: in.Content, StructuredPatch: []patchHunk{}}}
	case toolTodo:
		return toolOutcome{
			text: "Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress. Please proceed with the current tasks if applicable",
			use:  todoResult{OldTodos: []todo{}, NewTodos: c.todos},
		}
	}
	out, exit := g.output(c.cmd)
	if exit != 0 {
		text := "Exit code " + strconv.Itoa(exit) + "\n" + out
		return toolOutcome{text: text, use: "Error: " + text, isError: true}
	}
	return toolOutcome{text: out, use: bashResult{Stdout: out}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

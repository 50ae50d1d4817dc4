package ingest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// codexImage stands for an image in a message's text: images are never
// indexed, but a message made only of images should not read as empty.
const codexImage = "[image]"

// codexContentText joins the text parts of a message's content: input_text,
// output_text and the like, and refusals. Images are left out.
func codexContentText(raw json.RawMessage) string {
	if s := codexStr(raw); s != "" {
		return s
	}
	var parts []string
	images := 0
	for _, item := range codexList(raw) {
		o := codexDecode(item)
		switch t := o.str("type"); {
		case strings.Contains(t, "image"):
			images++
		case t == "refusal":
			parts = codexAppendText(parts, o.str("refusal"))
		default:
			parts = codexAppendText(parts, o.str("text"))
		}
	}
	if len(parts) == 0 && images > 0 {
		return codexImage
	}
	return strings.Join(parts, "\n")
}

func codexAppendText(parts []string, s string) []string {
	if strings.TrimSpace(s) == "" {
		return parts
	}
	return append(parts, s)
}

// codexArguments returns a tool call's arguments as JSON for Event.Input and
// decoded, when they are an object. Codex writes them as a string holding
// JSON (the Responses API form) or, in some files, as the object itself.
func codexArguments(raw json.RawMessage) (json.RawMessage, codexObj, string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil, ""
	}
	if raw[0] == '"' {
		s := codexStr(raw)
		if strings.TrimSpace(s) == "" {
			return nil, nil, ""
		}
		if json.Valid([]byte(s)) {
			return json.RawMessage(s), codexDecode([]byte(s)), s
		}
		// raw is part of the record line, which the caller may reuse.
		return bytes.Clone(raw), nil, s
	}
	// raw is part of the validated line, which the caller may reuse.
	return bytes.Clone(raw), codexDecode(raw), ""
}

// codexArgKeys are the argument fields that best say what a tool call does,
// in order of preference: the command of the shell tools, the patch, the
// query or the message.
var codexArgKeys = []string{
	"command", "cmd", "patch", "input", "query", "q", "message", "prompt",
	"chars", "path", "file_path", "url", "pattern",
}

// codexCallText returns the readable text of a tool call: its command,
// patch or query first, else its arguments as they are.
func codexCallText(name string, args codexObj, argText string) string {
	if name == "update_plan" && args != nil {
		if text := codexPlanText(args); text != "" {
			return text
		}
	}
	for _, key := range codexArgKeys {
		raw, ok := args[key]
		if !ok {
			continue
		}
		if s := codexStr(raw); s != "" {
			return s
		}
		if words := codexStrings(raw); len(words) > 0 {
			return codexShellText(words)
		}
	}
	if argText != "" {
		return argText
	}
	if args == nil {
		return ""
	}
	b, err := json.Marshal(args)
	if err != nil {
		return ""
	}
	return string(b)
}

// codexPlanText renders update_plan arguments as a checklist.
func codexPlanText(args codexObj) string {
	var lines []string
	if e := strings.TrimSpace(args.str("explanation")); e != "" {
		lines = append(lines, e)
	}
	for _, raw := range args.list("plan") {
		step := codexDecode(raw)
		if s := step.str("step"); s != "" {
			lines = append(lines, "- ["+step.str("status")+"] "+s)
		}
	}
	return strings.Join(lines, "\n")
}

// codexStrings decodes raw as an array of strings, or returns nil.
func codexStrings(raw json.RawMessage) []string {
	if len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	elems := jsonElems(raw)
	words := make([]string, len(elems))
	for i, e := range elems {
		switch {
		case string(e) == "null":
			// json.Unmarshal leaves the word empty.
		case e[0] == '"':
			words[i], _ = jsonUnquote(e)
		default:
			return nil
		}
	}
	return words
}

// codexShellText renders an argv as one command line. The common
// ["bash", "-lc", script] wrapper is reduced to the script itself.
func codexShellText(argv []string) string {
	if len(argv) == 3 && (argv[1] == "-lc" || argv[1] == "-c") {
		switch shell := argv[0][strings.LastIndexByte(argv[0], '/')+1:]; shell {
		case "bash", "sh", "zsh", "dash", "fish":
			return argv[2]
		}
	}
	quoted := make([]string, len(argv))
	for i, w := range argv {
		quoted[i] = codexQuote(w)
	}
	return strings.Join(quoted, " ")
}

// codexQuote single-quotes a word for a POSIX shell when it needs it.
func codexQuote(w string) string {
	if w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./:=@%+,", r)))
	}) < 0 {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// codexResult is what a tool's output record says.
type codexResult struct {
	Text     string
	ExitCode *int
	Duration time.Duration
	IsError  bool
}

// codexOutput reads the output of function_call_output and
// custom_tool_call_output. On the wire it is a string or an array of content
// items; older files wrap it as an object. Shell tools encode their exit code
// and duration inside the string, either as JSON
// {"output": ..., "metadata": {"exit_code", "duration_seconds"}} or as a text
// header ("Exit code: 0", "Wall time: 1.2 seconds", "Output:").
func codexOutput(raw json.RawMessage) codexResult {
	var res codexResult
	switch {
	case len(raw) > 0 && raw[0] == '"':
		res.Text = codexStr(raw)
	case len(raw) > 0 && raw[0] == '[':
		res.Text = codexContentText(raw)
	case len(raw) > 0 && raw[0] == '{':
		o := codexDecode(raw)
		res.Text = o.str("content")
		if res.Text == "" {
			res.Text = o.str("output")
		}
		if res.Text == "" {
			res.Text = codexContentText(o["content_items"])
		}
		if ok, isBool := codexBool(o["success"]); isBool && !ok {
			res.IsError = true
		}
	}
	if s := strings.TrimLeft(res.Text, " \t\r\n"); strings.HasPrefix(s, `{"output"`) {
		// The output is text that only looks like JSON: check it first.
		if o := codexDecodeText(s); o != nil {
			if md := o.obj("metadata"); md != nil {
				res.Text = o.str("output")
				if code, ok := md.int("exit_code"); ok {
					c := int(code)
					res.ExitCode = &c
				}
				if secs, ok := md.float("duration_seconds"); ok && secs > 0 {
					res.Duration = time.Duration(secs * float64(time.Second))
				}
			}
		}
	} else {
		res.ExitCode, res.Duration = codexOutputHeader(res.Text)
	}
	if res.ExitCode != nil && *res.ExitCode != 0 {
		res.IsError = true
	}
	return res
}

func codexBool(raw json.RawMessage) (value, ok bool) {
	switch string(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// codexHeaderLines is how far an output header can reach; the header ends at
// an "Output:" line, and text without one has no header.
const codexHeaderLines = 8

// codexOutputHeader reads the exit code and wall time from the header Codex
// puts above a shell command's output.
func codexOutputHeader(text string) (*int, time.Duration) {
	var code *int
	var dur time.Duration
	rest := text
	for i := 0; i < codexHeaderLines && rest != ""; i++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		switch {
		case line == "Output:":
			return code, dur
		case strings.HasPrefix(line, "Exit code:"):
			code = codexAtoi(strings.TrimPrefix(line, "Exit code:"))
		case strings.HasPrefix(line, "Process exited with code"):
			code = codexAtoi(strings.TrimPrefix(line, "Process exited with code"))
		case strings.HasPrefix(line, "Wall time:"):
			dur = codexWallTime(strings.TrimPrefix(line, "Wall time:"))
		}
	}
	return nil, 0
}

func codexAtoi(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return &n
}

// codexWallTime parses "1.2 seconds" or "1.2s".
func codexWallTime(s string) time.Duration {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimSuffix(s, " seconds"), "s")
	secs, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || secs < 0 || secs > 1e9 {
		return 0
	}
	return time.Duration(secs * float64(time.Second))
}

// codexDuration reads a duration as Codex serialises it: {"secs", "nanos"}
// (Rust's Duration), a number of seconds, or a string such as "1.2s".
func codexDuration(raw json.RawMessage) time.Duration {
	if o := codexDecode(raw); o != nil {
		secs, _ := o.int("secs")
		nanos, _ := o.int("nanos")
		if secs < 0 || secs > 1e9 {
			return 0
		}
		return time.Duration(secs)*time.Second + time.Duration(nanos)
	}
	if s := codexStr(raw); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0
		}
		return d
	}
	if secs, ok := codexNumber(raw); ok && secs > 0 && secs < 1e9 {
		return time.Duration(secs * float64(time.Second))
	}
	return 0
}

// codexIsContext reports whether a user-role message is context that Codex
// injects rather than something the user typed: a whole message wrapped in
// one tag (<environment_context>, <user_instructions>,
// <permissions instructions>, <user_shell_command>, ...) or the AGENTS.md
// preamble.
func codexIsContext(text string) bool {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "# AGENTS.md instructions") {
		return true
	}
	if len(t) < 3 || t[0] != '<' {
		return false
	}
	end := strings.IndexByte(t, '>')
	if end < 2 || end > 64 {
		return false
	}
	tag := t[1:end]
	for _, r := range tag {
		if !(r == '_' || r == '-' || r == ' ' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return strings.HasSuffix(t, "</"+tag+">")
}

// codexTitleRunes is how long a title may be.
const codexTitleRunes = 100

// codexTitle returns the first line of a prompt, shortened to a title. Very
// old Codex put the user's instructions and the request in one message,
// separated by a fixed heading; only the request counts.
func codexTitle(text string) string {
	const request = "## My request for Codex:"
	if i := strings.Index(text, request); i >= 0 {
		text = text[i+len(request):]
	}
	for rest := text; rest != ""; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if utf8.RuneCountInString(line) <= codexTitleRunes {
			return line
		}
		runes := []rune(line)
		return strings.TrimSpace(string(runes[:codexTitleRunes-1])) + "…"
	}
	return ""
}

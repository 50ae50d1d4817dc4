package ingest

import (
	"encoding/json"
	"strings"
)

// geminiContentText returns the text of a message's content, which the CLI
// writes as the Gemini API's PartListUnion: a string, one part, or a list
// of strings and parts. Text parts are joined as the CLI joins them, with
// nothing between; thought parts, function calls and function responses
// are left out (thoughts and tool calls are recorded apart), and inline
// data stands as a placeholder.
func geminiContentText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		return codexStr(raw)
	case '{':
		return geminiPartText(codexDecode(raw))
	case '[':
		var sb strings.Builder
		for _, e := range codexList(raw) {
			if len(e) > 0 && e[0] == '"' {
				sb.WriteString(codexStr(e))
				continue
			}
			sb.WriteString(geminiPartText(codexDecode(e)))
		}
		return sb.String()
	}
	return ""
}

// geminiPartText returns the text of one content part.
func geminiPartText(part codexObj) string {
	if part == nil || string(part["thought"]) == "true" {
		return ""
	}
	if text, ok := part["text"]; ok {
		return codexStr(text)
	}
	if data := part.obj("inlineData"); data != nil {
		return geminiPlaceholder(data.str("mimeType"))
	}
	if data := part.obj("fileData"); data != nil {
		return data.str("fileUri")
	}
	if code := part.obj("executableCode"); code != nil {
		return code.str("code")
	}
	if res := part.obj("codeExecutionResult"); res != nil {
		return res.str("output")
	}
	return ""
}

// geminiPlaceholder stands for inline data, which is never indexed.
func geminiPlaceholder(mime string) string {
	if strings.HasPrefix(mime, "image/") {
		return "[image]"
	}
	return "[file]"
}

// geminiThoughtText renders one thought summary: its subject and what it
// says.
func geminiThoughtText(t codexObj) string {
	subject := strings.TrimSpace(t.str("subject"))
	desc := strings.TrimSpace(t.str("description"))
	switch {
	case subject == "":
		return desc
	case desc == "":
		return subject
	}
	return subject + "\n" + desc
}

// geminiArgKeys are the tool arguments that best say what a call does, in
// order of preference: the shell command, the search pattern or query,
// the file or folder, the URL or prompt of a fetch, a fact to remember.
var geminiArgKeys = []string{
	"command", "pattern", "query", "file_path", "absolute_path", "path",
	"dir_path", "url", "prompt", "fact",
}

// geminiBodyKeys are the arguments that hold what a call writes: they
// follow the summary line, so written code is searchable too.
var geminiBodyKeys = []string{"new_string", "content"}

// geminiCallText returns the readable text of a tool call: its main
// argument, then what it writes; else the description the CLI recorded,
// else the arguments as they are.
func geminiCallText(raw json.RawMessage, description string) string {
	args := codexDecode(raw)
	var lines []string
	for _, key := range geminiArgKeys {
		if s := codexStr(args[key]); s != "" {
			lines = append(lines, s)
			break
		}
		if list := codexStrings(args[key+"s"]); len(list) > 0 {
			lines = append(lines, strings.Join(list, "\n"))
			break
		}
	}
	for _, key := range geminiBodyKeys {
		if s := codexStr(args[key]); s != "" {
			lines = append(lines, s)
			break
		}
	}
	if len(lines) > 0 {
		return strings.Join(lines, "\n")
	}
	if d := strings.TrimSpace(description); d != "" {
		return d
	}
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	// raw, not args re-encoded: json.Marshal passes invalid UTF-8 in
	// raw values through, and the text must be clean.
	return string(claudeCleanJSON(raw))
}

// geminiResultText returns the text of a tool call's result parts: each
// function response's output, or its error (which makes the result an
// error), or else the text it holds; and any other parts' text.
func geminiResultText(raw json.RawMessage) (string, bool) {
	var parts []json.RawMessage
	switch {
	case len(raw) == 0:
		return "", false
	case raw[0] == '[':
		parts = codexList(raw)
	default:
		parts = []json.RawMessage{raw}
	}
	var texts []string
	isErr := false
	for _, part := range parts {
		if len(part) > 0 && part[0] == '"' {
			texts = codexAppendText(texts, codexStr(part))
			continue
		}
		o := codexDecode(part)
		fr := o.obj("functionResponse")
		if fr == nil {
			texts = codexAppendText(texts, geminiPartText(o))
			continue
		}
		resp := fr.obj("response")
		switch {
		case resp.str("output") != "":
			texts = append(texts, resp.str("output"))
		case resp.str("error") != "":
			texts, isErr = append(texts, resp.str("error")), true
		case resp != nil:
			texts = codexAppendText(texts, codexCollectText(fr["response"]))
		}
	}
	return strings.Join(texts, "\n"), isErr
}

package ingest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
)

// message reads a message entry by its role: what the user sent, a model
// response, a tool's result, a shell command the user ran with !, or a
// message an extension injected.
func (p *piParser) message(e *piEntry) []reel.Event {
	m := e.obj.obj("message")
	role := m.str("role")
	switch role {
	case "user":
		text := piContentText(m["content"])
		if strings.TrimSpace(text) == "" {
			return nil
		}
		if p.st.Title == "" {
			p.st.Title = claudeTitle(text)
		}
		return []reel.Event{e.event(reel.KindMessage, reel.RoleUser, text)}
	case "assistant":
		return p.assistant(e, m)
	case "toolResult":
		ev := e.event(reel.KindToolResult, reel.RoleTool, piContentText(m["content"]))
		ev.Tool, ev.CallID = m.str("toolName"), m.str("toolCallId")
		ev.IsError = string(m["isError"]) == "true"
		return []reel.Event{ev}
	case "bashExecution":
		return piBash(e, m)
	case "custom", "hookMessage":
		// hookMessage is what session format 2 called a custom message.
		if text := piContentText(m["content"]); strings.TrimSpace(text) != "" {
			return []reel.Event{e.event(reel.KindSystem, reel.RoleSystem, text)}
		}
		return nil
	case "branchSummary", "compactionSummary":
		if text := strings.TrimSpace(m.str("summary")); text != "" {
			return []reel.Event{e.event(reel.KindSummary, reel.RoleSystem, text)}
		}
		return nil
	}
	e.rec.Status, e.rec.Reason = reel.RecordUnknown, fmt.Sprintf("unknown message role %q", claudeClip(role, claudeTypeRunes))
	return piOther(e.rec, e.obj["message"], e.time)
}

// assistant reads a model response: its thinking, text and tool calls in
// the order the model produced them, and an error it ended with. Its
// token usage goes on its first text, or else its first event, once.
func (p *piParser) assistant(e *piEntry, m codexObj) []reel.Event {
	if model := m.str("model"); model != "" {
		p.st.Model = model
	}
	var evs []reel.Event
	add := func(ev reel.Event) {
		ev.MessageID, ev.Model = e.id, p.st.Model
		evs = append(evs, ev)
	}
	text := -1
	images := 0
	for _, raw := range m.list("content") {
		b := codexDecode(raw)
		switch b.str("type") {
		case "thinking":
			if t := strings.TrimSpace(b.str("thinking")); t != "" {
				add(e.event(reel.KindReasoning, reel.RoleAssistant, t))
			}
		case "text":
			if t := b.str("text"); strings.TrimSpace(t) != "" {
				if text < 0 {
					text = len(evs)
				}
				add(e.event(reel.KindMessage, reel.RoleAssistant, t))
			}
		case "toolCall":
			ev := e.event(reel.KindToolCall, reel.RoleAssistant, piCallText(b["arguments"]))
			ev.Tool, ev.CallID = b.str("name"), b.str("id")
			if args := b["arguments"]; len(args) > 0 && string(args) != "null" {
				ev.Input = claudeCleanJSON(args)
			}
			add(ev)
		case "image":
			images++
		}
	}
	if text < 0 && images > 0 {
		text = len(evs)
		add(e.event(reel.KindMessage, reel.RoleAssistant, codexImage))
	}
	if msg := strings.TrimSpace(m.str("errorMessage")); msg != "" {
		ev := e.event(reel.KindSystem, reel.RoleSystem, msg)
		ev.IsError = m.str("stopReason") != "aborted"
		add(ev)
	}
	tok, ok := piUsage(m.obj("usage"))
	if !ok || e.copied {
		return evs
	}
	p.st.Tokens = p.st.Tokens.Add(tok)
	if text < 0 && len(evs) > 0 {
		text = 0
	}
	if text >= 0 {
		evs[text].Tokens = tok
	}
	return evs
}

// piUsage reads a response's token usage. pi counts cached input apart
// from the rest, as reel does.
func piUsage(u codexObj) (reel.Tokens, bool) {
	if u == nil {
		return reel.Tokens{}, false
	}
	input, _ := u.int("input")
	output, _ := u.int("output")
	read, _ := u.int("cacheRead")
	write, _ := u.int("cacheWrite")
	tok := reel.Tokens{Input: max(0, input), Output: max(0, output), CacheRead: max(0, read), CacheCreation: max(0, write)}
	return tok, !tok.IsZero()
}

// piBash reads a shell command the user ran with ! and what it printed.
func piBash(e *piEntry, m codexObj) []reel.Event {
	cmd := e.event(reel.KindCommand, reel.RoleUser, m.str("command"))
	out := e.event(reel.KindOutput, reel.RoleTool, m.str("output"))
	if code, ok := m.int("exitCode"); ok {
		c := int(code)
		cmd.ExitCode, out.ExitCode = &c, &c
		out.IsError = c != 0
	}
	if string(m["cancelled"]) == "true" {
		out.IsError = true
	}
	return []reel.Event{cmd, out}
}

// piContentText joins the text of a message's content: a string, or text
// and image blocks.
func piContentText(raw json.RawMessage) string {
	if s := codexStr(raw); s != "" {
		return s
	}
	var parts []string
	images := 0
	for _, b := range codexList(raw) {
		o := codexDecode(b)
		switch o.str("type") {
		case "text":
			parts = codexAppendText(parts, o.str("text"))
		case "image":
			images++
		}
	}
	if len(parts) == 0 && images > 0 {
		return codexImage
	}
	return strings.Join(parts, "\n")
}

// piArgKeys are the tool arguments that best say what a call does, in
// order of preference, and piBodyKeys the ones that hold what it writes.
var (
	piArgKeys  = []string{"command", "pattern", "query", "path", "file_path", "url"}
	piBodyKeys = []string{"newText", "content"}
)

// piCallText returns the readable text of a tool call: its main argument,
// then what it writes (for an edit, each replacement's new text); else the
// arguments as they are.
func piCallText(raw json.RawMessage) string {
	args := codexDecode(raw)
	var lines []string
	for _, key := range piArgKeys {
		if s := codexStr(args[key]); s != "" {
			lines = append(lines, s)
			break
		}
	}
	for _, key := range piBodyKeys {
		if s := codexStr(args[key]); s != "" {
			lines = append(lines, s)
			break
		}
	}
	for _, raw := range args.list("edits") {
		lines = codexAppendText(lines, codexDecode(raw).str("newText"))
	}
	if len(lines) > 0 {
		return strings.Join(lines, "\n")
	}
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	// raw, not args re-encoded: json.Marshal passes invalid UTF-8 in
	// raw values through, and the text must be clean.
	return string(claudeCleanJSON(raw))
}

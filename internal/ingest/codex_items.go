package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
)

// codexSilentItems are response items that hold nothing to search: tool
// definitions, undo snapshots of the work tree, request controls.
var codexSilentItems = map[string]bool{
	"additional_tools":   true,
	"ghost_snapshot":     true,
	"compaction_trigger": true,
}

// responseItem reads a response_item payload: what the model was sent or
// produced, in the Responses API's item shapes.
func (p *codexParser) responseItem(r *codexRecord, item codexObj, raw []byte) []reel.Event {
	typ := item.str("type")
	if _, hasRole := item["role"]; typ == "" && hasRole {
		// Some writers leave out the type of a message item.
		typ = "message"
		r.rec.Type = "response_item/message"
	}
	switch typ {
	case "message":
		return p.message(r, item)
	case "agent_message":
		return p.agentItem(r, item)
	case "reasoning":
		return p.reasoning(r, item)
	case "function_call":
		args, obj, argText := codexArguments(item["arguments"])
		text := codexCallText(item.str("name"), obj, argText)
		if text == "" {
			text = item.str("summary")
		}
		return p.toolCall(r, item, item.str("name"), item.str("call_id"), args, text)
	case "custom_tool_call":
		input := item.str("input")
		args, _ := json.Marshal(input)
		return p.toolCall(r, item, item.str("name"), item.str("call_id"), args, input)
	case "local_shell_call":
		action := item.obj("action")
		return p.toolCall(r, item, "shell", codexFirst(item.str("call_id"), item.str("id")),
			codexRaw(item["action"]), codexShellText(codexStrings(action["command"])))
	case "web_search_call":
		return p.toolCall(r, item, "web_search", item.str("id"), codexRaw(item["action"]),
			codexSearchText(item.obj("action")))
	case "image_generation_call":
		// result is the image itself, in base64: never indexed.
		return p.toolCall(r, item, "image_generation", item.str("id"), nil, item.str("revised_prompt"))
	case "tool_search_call":
		args, obj, argText := codexArguments(item["arguments"])
		return p.toolCall(r, item, "tool_search", item.str("call_id"), args, codexCallText("", obj, argText))
	case "function_call_output", "custom_tool_call_output":
		return p.toolResult(r, item, codexOutput(item["output"]))
	case "tool_search_output":
		var names []string
		for _, t := range item.list("tools") {
			if n := codexDecode(t).str("name"); n != "" {
				names = append(names, n)
			}
		}
		return p.toolResult(r, item, codexResult{Text: strings.Join(names, "\n")})
	case "compaction", "compaction_summary", "context_compaction":
		// The summary is encrypted: the event only marks where it happened.
		return []reel.Event{r.event(reel.KindSummary, reel.RoleSystem, "")}
	}
	if codexSilentItems[typ] {
		return nil
	}
	reason := fmt.Sprintf("unknown response_item type %q", typ)
	if typ == "" {
		reason = "response_item without type"
	}
	return p.unknown(r, "", raw, reason)
}

// message reads a message item. User and assistant text goes through the
// mirror (see codexMirror); developer and system messages, and the context
// Codex injects as user messages, become system events.
func (p *codexParser) message(r *codexRecord, item codexObj) []reel.Event {
	role := item.str("role")
	text := codexContentText(item["content"])
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var ev reel.Event
	switch role {
	case "user":
		if p.st.Mirror.fromItem(codexMirrorUser, text) {
			return nil
		}
		ev = p.userEvent(r, text)
	case "assistant":
		if p.st.Mirror.fromItem(codexMirrorAssistant, text) {
			return nil
		}
		ev = r.event(reel.KindMessage, reel.RoleAssistant, text)
		ev.Model = p.st.Model
	default:
		ev = r.event(reel.KindSystem, reel.RoleSystem, text)
	}
	ev.NativeID = item.str("id")
	return []reel.Event{ev}
}

// userEvent makes the event of a user message, typed or injected, and takes
// the session title from the first one the user typed.
func (p *codexParser) userEvent(r *codexRecord, text string) reel.Event {
	if codexIsContext(text) {
		return r.event(reel.KindSystem, reel.RoleUser, text)
	}
	if p.st.Title == "" {
		p.st.Title = codexTitle(text)
	}
	return r.event(reel.KindMessage, reel.RoleUser, text)
}

// agentItem reads a message one agent sent another in a multi-agent session.
func (p *codexParser) agentItem(r *codexRecord, item codexObj) []reel.Event {
	text := codexContentText(item["content"])
	if strings.TrimSpace(text) == "" {
		return nil
	}
	ev := r.event(reel.KindMessage, reel.RoleAssistant, text)
	ev.NativeID = item.str("id")
	ev.Model = p.st.Model
	return []reel.Event{ev}
}

// reasoning reads a reasoning item: its summary and, when the provider
// returns it, its raw content. encrypted_content is opaque and skipped.
func (p *codexParser) reasoning(r *codexRecord, item codexObj) []reel.Event {
	var parts []string
	for _, key := range []string{"summary", "content"} {
		for _, raw := range item.list(key) {
			text := codexDecode(raw).str("text")
			if strings.TrimSpace(text) == "" || p.st.Mirror.fromItem(codexMirrorReasoning, text) {
				continue
			}
			parts = append(parts, text)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	ev := r.event(reel.KindReasoning, reel.RoleAssistant, strings.Join(parts, "\n\n"))
	ev.NativeID = item.str("id")
	ev.Model = p.st.Model
	return []reel.Event{ev}
}

// toolCall makes the event of a tool call and remembers its name.
func (p *codexParser) toolCall(r *codexRecord, item codexObj, tool, callID string, input json.RawMessage, text string) []reel.Event {
	p.rememberCall(callID, tool)
	ev := r.event(reel.KindToolCall, reel.RoleAssistant, text)
	ev.Tool, ev.CallID, ev.Input = tool, callID, input
	ev.NativeID = item.str("id")
	ev.Model = p.st.Model
	return []reel.Event{ev}
}

// toolResult makes the event of a tool's output. An exit code or duration
// the output does not state comes from the exec_command_end event of the
// same call, when one was recorded before it.
func (p *codexParser) toolResult(r *codexRecord, item codexObj, res codexResult) []reel.Event {
	callID := item.str("call_id")
	if e, ok := p.takeExec(callID); ok {
		if res.ExitCode == nil && e.ExitCode != nil {
			res.ExitCode = e.ExitCode
			res.IsError = res.IsError || *e.ExitCode != 0
		}
		if res.Duration == 0 {
			res.Duration = e.Duration
		}
	}
	ev := r.event(reel.KindToolResult, reel.RoleTool, res.Text)
	ev.Tool = codexFirst(p.callTool(callID), item.str("name"))
	ev.CallID = callID
	ev.ExitCode, ev.Duration, ev.IsError = res.ExitCode, res.Duration, res.IsError
	ev.NativeID = item.str("id")
	return []reel.Event{ev}
}

// codexSearchText renders a web search action: its query, or the page it
// opened or searched in.
func codexSearchText(action codexObj) string {
	switch {
	case action.str("query") != "":
		return action.str("query")
	case len(codexStrings(action["queries"])) > 0:
		return strings.Join(codexStrings(action["queries"]), "\n")
	case action.str("pattern") != "":
		return action.str("pattern") + " in " + action.str("url")
	}
	return action.str("url")
}

// codexRaw returns raw when it is a JSON value worth keeping as Input.
func codexRaw(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	// raw is part of the record line, which the caller may reuse.
	return bytes.Clone(raw)
}

// codexFirst returns the first non-empty string.
func codexFirst(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

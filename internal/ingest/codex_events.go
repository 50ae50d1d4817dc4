package ingest

import (
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
)

// codexSilentEvents are event_msg types reel knows and keeps raw without an
// event: lifecycle markers, streaming deltas, approvals, and UI events whose
// content the response items already hold (a command's begin and output, a
// patch, an MCP call, a plan update, a turn's diff, a spawned agent).
var codexSilentEvents = map[string]bool{
	"task_started": true, "task_complete": true, "turn_started": true, "turn_complete": true,
	"agent_reasoning_section_break": true,
	"agent_message_delta":           true, "agent_reasoning_delta": true,
	"agent_reasoning_raw_content_delta": true, "agent_message_content_delta": true,
	"reasoning_content_delta": true, "reasoning_raw_content_delta": true,
	"exec_command_begin": true, "exec_command_output_delta": true, "terminal_interaction": true,
	"patch_apply_begin": true, "patch_apply_end": true,
	"mcp_tool_call_begin": true, "mcp_tool_call_end": true,
	"web_search_begin": true, "web_search_end": true,
	"image_generation_begin": true, "image_generation_end": true,
	"view_image_tool_call": true, "turn_diff": true, "plan_update": true,
	"context_compacted": true, "session_configured": true, "shutdown_complete": true,
	"mcp_startup_update": true, "mcp_startup_complete": true, "mcp_list_tools_response": true,
	"item_started": true, "item_completed": true, "raw_response_item": true,
	"undo_started": true, "undo_completed": true,
	"get_history_entry_response": true, "list_custom_prompts_response": true,
	"list_skills_response": true, "skills_update_available": true,
	"exec_approval_request": true, "apply_patch_approval_request": true,
	"elicitation_request": true, "request_user_input": true,
	"thread_name_updated": true, "thread_rolled_back": true,
}

// codexNoticeEvents are event_msg types shown to the user as notices; their
// text becomes a system event.
var codexNoticeEvents = map[string]bool{
	"error": true, "warning": true, "stream_error": true, "background_event": true,
	"deprecation_notice": true, "turn_aborted": true,
	"entered_review_mode": true, "exited_review_mode": true,
}

// eventMsg reads an event_msg payload: what Codex showed its UI.
func (p *codexParser) eventMsg(r *codexRecord, ev codexObj, raw []byte) []reel.Event {
	typ := ev.str("type")
	switch typ {
	case "user_message":
		text := ev.str("message")
		if strings.TrimSpace(text) == "" || p.st.Mirror.fromEvent(codexMirrorUser, text) {
			return nil
		}
		return []reel.Event{p.userEvent(r, text)}
	case "agent_message":
		text := ev.str("message")
		if strings.TrimSpace(text) == "" || p.st.Mirror.fromEvent(codexMirrorAssistant, text) {
			return nil
		}
		e := r.event(reel.KindMessage, reel.RoleAssistant, text)
		e.Model = p.st.Model
		return []reel.Event{e}
	case "agent_reasoning", "agent_reasoning_raw_content":
		text := ev.str("text")
		if strings.TrimSpace(text) == "" || p.st.Mirror.fromEvent(codexMirrorReasoning, text) {
			return nil
		}
		e := r.event(reel.KindReasoning, reel.RoleAssistant, text)
		e.Model = p.st.Model
		return []reel.Event{e}
	case "token_count":
		return p.tokenCount(r, ev, false)
	case "exec_command_end":
		return p.execEnd(r, ev)
	}
	if codexNoticeEvents[typ] {
		return p.notice(r, typ, ev, raw)
	}
	if codexSilentEvents[typ] || strings.HasPrefix(typ, "collab_") {
		return nil
	}
	reason := fmt.Sprintf("unknown event_msg type %q", typ)
	if typ == "" {
		reason = "event_msg without type"
	}
	return p.unknown(r, "", raw, reason)
}

// notice makes a system event of an error, warning or review notice.
func (p *codexParser) notice(r *codexRecord, typ string, ev codexObj, raw []byte) []reel.Event {
	var text string
	switch typ {
	case "turn_aborted":
		text = strings.TrimSpace("turn aborted: " + ev.str("reason"))
	case "deprecation_notice":
		text = strings.TrimSpace(ev.str("summary") + "\n" + ev.str("details"))
	case "error", "warning", "stream_error", "background_event":
		text = ev.str("message")
	default:
		text = codexCollectText(raw)
	}
	if text == "" {
		return nil
	}
	e := r.event(reel.KindSystem, reel.RoleSystem, text)
	e.IsError = typ == "error"
	return []reel.Event{e}
}

// execEnd reads the end of a command. The model's commands also have a
// function_call_output, which makes the event; this only lends it the exit
// code and duration if it lacks them. A command the user ran with "!cmd"
// has no tool call, so it becomes a command and its output.
func (p *codexParser) execEnd(r *codexRecord, ev codexObj) []reel.Event {
	var exit *int
	if code, ok := ev.int("exit_code"); ok {
		c := int(code)
		exit = &c
	}
	dur := codexDuration(ev["duration"])
	if ev.str("source") != "user_shell" {
		p.rememberExec(codexExec{ID: ev.str("call_id"), ExitCode: exit, Duration: dur})
		return nil
	}
	cmd := r.event(reel.KindCommand, reel.RoleUser, codexShellText(codexStrings(ev["command"])))
	cmd.CallID = ev.str("call_id")
	out := r.event(reel.KindOutput, reel.RoleTool, codexFirst(ev.str("aggregated_output"),
		strings.TrimSpace(ev.str("stdout")+"\n"+ev.str("stderr"))))
	out.CallID, out.ExitCode, out.Duration = cmd.CallID, exit, dur
	out.IsError = exit != nil && *exit != 0
	return []reel.Event{cmd, out}
}

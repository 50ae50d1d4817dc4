package ingest

import (
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// This file maps the event stream that the Copilot CLI writes to
// session-state and that Copilot Chat writes to its transcripts: one
// {type, id, timestamp, parentId, data} object per line.

// copilotRemember bounds the tool calls kept: a tool starts and completes
// within a few records of the message that asked for it.
const copilotRemember = 64

// copilotCall remembers a tool call already given as an event, with its
// tool's name for the result.
type copilotCall struct {
	ID   string `json:"id"`
	Tool string `json:"tool"`
}

// copilotMark remembers where a user message's events start, and the
// tokens counted before it, for a rewind back to it.
type copilotMark struct {
	ID     string      `json:"id"`
	At     int64       `json:"at"`
	Tokens reel.Tokens `json:"tokens"`
}

// copilotQuietTypes are event types reel knows that carry nothing to
// search: turn boundaries, streaming deltas the final message repeats,
// usage and state updates.
var copilotQuietTypes = map[string]bool{
	"session.idle": true, "session.usage_info": true, "session.remote_steerable_changed": true,
	"session.mode_changed": true, "session.permissions_changed": true, "session.limits_changed": true,
	"session.tools_updated": true, "session.background_tasks_changed": true, "session.compaction_start": true,
	"session.workspace_file_changed": true, "session.plan_changed": true, "session.todos_changed": true,
	"session.truncation": true, "session.context_cleared": true, "session.usage_checkpoint": true,
	"assistant.turn_start": true, "assistant.turn_end": true, "assistant.idle": true,
	"assistant.message_start": true, "assistant.message_delta": true, "assistant.reasoning_delta": true,
	"assistant.streaming_delta": true, "assistant.tool_call_delta": true, "assistant.usage": true,
	"tool.execution_partial_result": true, "tool.execution_progress": true, "pending_messages.modified": true,
}

// copilotNoticeTypes are event types reel keeps as system events with
// their text: what the client, hooks, subagents and permissions said.
var copilotNoticeTypes = map[string]bool{
	"session.info": true, "session.warning": true, "session.handoff": true, "session.task_complete": true,
	"assistant.intent": true, "system.message": true, "system.notification": true, "skill.invoked": true,
	"subagent.started": true, "subagent.completed": true, "subagent.failed": true, "subagent.selected": true,
	"subagent.deselected": true, "subagent.configured": true, "hook.start": true, "hook.end": true,
	"hook.progress": true, "permission.requested": true, "permission.completed": true,
	"user_input.requested": true, "user_input.completed": true, "elicitation.requested": true,
	"elicitation.completed": true, "command.queued": true, "command.execute": true, "command.completed": true,
}

// copilotEnvelope is one event line with what its events share.
type copilotEnvelope struct {
	id    string
	time  time.Time
	index int64
	model string
}

// event returns an event of the line with the shared fields set.
func (e *copilotEnvelope) event(kind, role, text string) reel.Event {
	return reel.Event{Time: e.time, Kind: kind, Role: role, Text: text, NativeID: e.id, Model: e.model, RawIndex: e.index}
}

// eventRecord maps one line of an event stream.
func (p *copilotParser) eventRecord(rec *reel.RawRecord, raw []byte, o codexObj) []reel.Event {
	typ := o.str("type")
	rec.Type = claudeClip(typ, claudeTypeRunes)
	env := &copilotEnvelope{id: claudeClip(o.str("id"), claudeTypeRunes), time: p.st.LastTime, index: rec.Index}
	if t, ok := codexTime(o.str("timestamp")); ok {
		env.time = t.UTC()
		p.st.LastTime = env.time
		p.widen(env.time)
	}
	data := o.obj("data")
	env.model = p.st.Model
	notice := func(kind string, isError bool) []reel.Event {
		text := copilotGatherText(o["data"])
		if text == "" {
			return nil
		}
		ev := env.event(kind, reel.RoleSystem, text)
		ev.IsError = isError
		return []reel.Event{ev}
	}
	switch typ {
	case "session.start", "session.resume", "session.context_changed":
		p.sessionContext(data)
		return nil
	case "session.model_change":
		if m := data.str("newModel"); m != "" {
			p.st.Model, env.model = m, m
			return []reel.Event{env.event(reel.KindSystem, reel.RoleSystem, "Model changed to "+m)}
		}
		return nil
	case "session.title_changed":
		if t := claudeTitle(data.str("title")); t != "" {
			p.st.Title = t
		}
		return nil
	case "session.shutdown":
		if m := data.str("currentModel"); m != "" {
			p.st.Model = m
		}
		return nil
	case "session.error":
		return notice(reel.KindSystem, true)
	case "session.compaction_complete":
		if s := data.str("summaryContent"); strings.TrimSpace(s) != "" {
			return []reel.Event{env.event(reel.KindSummary, reel.RoleSystem, s)}
		}
		return notice(reel.KindSummary, false)
	case "session.snapshot_rewind":
		p.snapshotRewind(data.str("upToEventId"))
		return nil
	case "user.message":
		return p.userMessage(env, data)
	case "assistant.message":
		return p.assistantMessage(env, data)
	case "assistant.reasoning":
		if t := data.str("content"); strings.TrimSpace(t) != "" {
			return []reel.Event{env.event(reel.KindReasoning, reel.RoleAssistant, t)}
		}
		return nil
	case "tool.execution_start", "tool.user_requested":
		role := reel.RoleAssistant
		if typ == "tool.user_requested" {
			role = reel.RoleUser
		}
		return p.toolStart(env, data, role)
	case "tool.execution_complete":
		return []reel.Event{p.toolComplete(env, data)}
	case "abort":
		text := "Aborted"
		if r := data.str("reason"); r != "" {
			text += ": " + r
		}
		return []reel.Event{env.event(reel.KindSystem, reel.RoleSystem, text)}
	}
	switch {
	case copilotQuietTypes[typ]:
		return nil
	case copilotNoticeTypes[typ]:
		return notice(reel.KindSystem, false)
	case typ == "":
		rec.Status, rec.Reason = reel.RecordUnknown, "record has no type"
	default:
		rec.Status, rec.Reason = reel.RecordUnknown, fmt.Sprintf("unknown record type %q", rec.Type)
	}
	return copilotOther(raw, rec.Index, env.time)
}

// sessionContext takes what session.start (and a resume or a change of
// directory) says: the client's version, the working directory where the
// session started, the branch it is on now, the model.
func (p *copilotParser) sessionContext(data codexObj) {
	if id := data.str("sessionId"); id != "" && p.st.SessionID == "" {
		p.st.SessionID = id
	}
	if v := data.str("copilotVersion"); v != "" {
		p.st.Version = v
	}
	if t, ok := codexTime(data.str("startTime")); ok {
		p.widen(t.UTC())
	}
	if m := data.str("selectedModel"); m != "" {
		p.st.Model = m
	}
	ctx := data.obj("context")
	if ctx == nil && data.str("cwd") != "" {
		ctx = data // session.context_changed carries the context itself
	}
	if p.st.Project == "" {
		if cwd := ctx.str("cwd"); cwd != "" {
			p.st.Project = cwd
		} else {
			p.st.Project = ctx.str("gitRoot")
		}
	}
	if b := ctx.str("branch"); b != "" {
		p.st.Branch = b
	}
}

// userMessage maps a prompt; the first one titles the session, and each
// is a point a rewind can go back to.
func (p *copilotParser) userMessage(env *copilotEnvelope, data codexObj) []reel.Event {
	text := data.str("content")
	if strings.TrimSpace(text) == "" {
		return nil
	}
	if env.id != "" {
		p.st.Prompts = append(p.st.Prompts, copilotMark{ID: env.id, At: p.st.Total, Tokens: p.st.Tokens})
	}
	if p.st.PromptTitle == "" {
		p.st.PromptTitle = claudeTitle(text)
	}
	ev := env.event(reel.KindMessage, reel.RoleUser, text)
	ev.Model = ""
	return []reel.Event{ev}
}

// assistantMessage maps a model response: its reasoning, its text and the
// tool calls it asked for, with the output tokens it reports.
func (p *copilotParser) assistantMessage(env *copilotEnvelope, data codexObj) []reel.Event {
	if m := data.str("model"); m != "" {
		env.model = m
		p.st.Model = m
	}
	msgID := data.str("messageId")
	var events []reel.Event
	add := func(kind, text string) *reel.Event {
		ev := env.event(kind, reel.RoleAssistant, text)
		ev.MessageID = msgID
		events = append(events, ev)
		return &events[len(events)-1]
	}
	if t := data.str("reasoningText"); strings.TrimSpace(t) != "" {
		add(reel.KindReasoning, t)
	}
	if t := data.str("content"); strings.TrimSpace(t) != "" {
		add(reel.KindMessage, t)
	}
	for _, tr := range data.list("toolRequests") {
		req := codexDecode(tr)
		ev := add(reel.KindToolCall, "")
		ev.Tool, ev.CallID = req.str("name"), req.str("toolCallId")
		copilotSetInput(ev, req["arguments"])
		p.remember(ev.CallID, ev.Tool)
	}
	tok := reel.Tokens{Output: max(0, claudeInt(data["outputTokens"]))}
	if u := data.obj("usage"); u != nil {
		tok = reel.Tokens{
			Input:         max(0, claudeInt(u["prompt_tokens"])),
			Output:        max(0, claudeInt(u["completion_tokens"])),
			CacheRead:     max(0, claudeInt(u["cache_read_input_tokens"])),
			CacheCreation: max(0, claudeInt(u["cache_creation_input_tokens"])),
		}
	}
	if !tok.IsZero() {
		if len(events) == 0 {
			add(reel.KindMessage, "")
		}
		events[0].Tokens = tok
		p.st.Tokens = p.st.Tokens.Add(tok)
	}
	return events
}

// toolStart maps the start of a tool's run. A call the model asked for in
// an assistant message was given then; one that appears only here (the
// VS Code transcripts, tools the user ran) is given now.
func (p *copilotParser) toolStart(env *copilotEnvelope, data codexObj, role string) []reel.Event {
	id := data.str("toolCallId")
	if id != "" && p.known(id) {
		return nil
	}
	ev := env.event(reel.KindToolCall, role, "")
	ev.Tool, ev.CallID = data.str("toolName"), id
	copilotSetInput(&ev, data["arguments"])
	p.remember(id, ev.Tool)
	return []reel.Event{ev}
}

// toolComplete maps the end of a tool's run: what it returned to the
// model, or its error.
func (p *copilotParser) toolComplete(env *copilotEnvelope, data codexObj) reel.Event {
	ev := env.event(reel.KindToolResult, reel.RoleTool, "")
	ev.CallID = data.str("toolCallId")
	ev.Tool = p.toolOf(ev.CallID)
	if ok, set := codexBool(data["success"]); set && !ok {
		ev.IsError = true
	}
	res := data["result"]
	switch claudeKind(res) {
	case '"':
		ev.Text = codexStr(res)
	case '{':
		r := codexDecode(res)
		for _, k := range []string{"content", "text_result_for_llm", "detailedContent"} {
			if t := r.str(k); t != "" {
				ev.Text = t
				break
			}
		}
		switch r.str("result_type") {
		case "failure", "error", "rejected", "denied":
			ev.IsError = true
		}
	}
	if e := data["error"]; claudeKind(e) != 0 && claudeKind(e) != 'n' {
		ev.IsError = true
		msg := codexDecode(e).str("message")
		if msg == "" {
			msg = copilotGatherText(e)
		}
		ev.Text = strings.TrimSpace(ev.Text + "\n" + msg)
	}
	return ev
}

// snapshotRewind takes back every event from the user message the CLI
// rewound to on: that message and all after it were removed, and the
// tokens they counted with them.
func (p *copilotParser) snapshotRewind(upTo string) {
	for i := len(p.st.Prompts) - 1; i >= 0; i-- {
		if m := p.st.Prompts[i]; m.ID == upTo {
			p.rewind(m.At)
			p.st.Tokens = m.Tokens
			p.st.Prompts = p.st.Prompts[:i]
			if i == 0 {
				p.st.PromptTitle = ""
			}
			return
		}
	}
}

// remember notes a tool call already given as an event.
func (p *copilotParser) remember(id, tool string) {
	if id == "" {
		return
	}
	p.st.Calls = append(p.st.Calls, copilotCall{ID: id, Tool: tool})
	if n := len(p.st.Calls); n > copilotRemember {
		p.st.Calls = append([]copilotCall(nil), p.st.Calls[n-copilotRemember:]...)
	}
}

// known reports whether the call id was given as an event.
func (p *copilotParser) known(id string) bool {
	for i := len(p.st.Calls) - 1; i >= 0; i-- {
		if p.st.Calls[i].ID == id {
			return true
		}
	}
	return false
}

// toolOf returns the tool name of a remembered call, or "".
func (p *copilotParser) toolOf(id string) string {
	for i := len(p.st.Calls) - 1; i >= 0; i-- {
		if p.st.Calls[i].ID == id {
			return p.st.Calls[i].Tool
		}
	}
	return ""
}

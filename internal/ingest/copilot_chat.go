package ingest

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// This file maps one request of a VS Code chat session (a prompt and the
// response to it, as ISerializableChatRequestData holds them) to events.
// The same mapping serves the whole-document chat files and the mutation
// logs, which rebuild the document before mapping it.

// copilotRender is what one request gave.
type copilotRender struct {
	events []reel.Event
	tokens reel.Tokens
	// model is the model that answered, as far as the request tells.
	model string
	// prompt is the title the request's prompt makes.
	prompt  string
	version string
	// done is true once the response is complete, cancelled or failed.
	done bool
	last time.Time
}

// copilotChatCtx is what the events of one request share.
type copilotChatCtx struct {
	r          *copilotRender
	index      int64
	requestID  string
	responseID string
	respTime   time.Time
}

// add appends a response event and returns it for the caller to fill.
func (c *copilotChatCtx) add(kind, role, text string) *reel.Event {
	c.r.events = append(c.r.events, reel.Event{
		Time: c.respTime, Kind: kind, Role: role, Text: text,
		MessageID: c.responseID, Model: c.r.model, RawIndex: c.index,
	})
	return &c.r.events[len(c.r.events)-1]
}

// copilotRenderRequest maps a request, a valid JSON object. selected is
// the model the session's input names, for requests that name none.
func copilotRenderRequest(raw json.RawMessage, selected string, index int64) copilotRender {
	req := codexDecode(raw)
	r := copilotRender{done: copilotRequestDone(req)}
	r.model = copilotRequestModel(req, selected)
	r.version = req.obj("agent").str("extensionVersion")
	t0, _ := copilotMillis(req, "timestamp")
	c := &copilotChatCtx{r: &r, index: index, requestID: req.str("requestId"), responseID: req.str("responseId"), respTime: t0}
	result := req.obj("result")
	if t, ok := copilotMillis(req.obj("modelState"), "completedAt"); ok {
		c.respTime = t
	} else if ms, ok := result.obj("timings").int("totalElapsed"); ok && ms > 0 && !t0.IsZero() {
		c.respTime = t0.Add(time.Duration(ms) * time.Millisecond)
	}
	r.last = c.respTime

	if text := copilotPromptText(req["message"]); strings.TrimSpace(text) != "" {
		r.prompt = claudeTitle(text)
		r.events = append(r.events, reel.Event{
			Time: t0, Kind: reel.KindMessage, Role: reel.RoleUser, Text: text,
			NativeID: claudeClip(c.requestID, claudeTypeRunes), RawIndex: index,
		})
	}
	first := len(r.events)
	rounds := result.obj("metadata").list("toolCallRounds")
	if len(rounds) > 0 {
		copilotRounds(c, rounds, result.obj("metadata").obj("toolCallResults"), req.list("response"))
	} else {
		copilotParts(c, req.list("response"))
	}
	if msg := copilotText(result.obj("errorDetails")["message"]); msg != "" {
		c.add(reel.KindSystem, reel.RoleSystem, msg).IsError = true
	}
	if copilotCancelled(req) {
		c.add(reel.KindSystem, reel.RoleSystem, "Response cancelled")
	}
	r.tokens = copilotUsage(req)
	if !r.tokens.IsZero() {
		if len(r.events) == first {
			// Usage with nothing shown still counts: keep it on an event.
			c.add(reel.KindMessage, reel.RoleAssistant, "")
		}
		r.events[first].Tokens = r.tokens
	}
	return r
}

// copilotPromptText returns the text of a request's message: its text, or
// its parts' text, or the message itself in old files where it is a
// string.
func copilotPromptText(raw json.RawMessage) string {
	if claudeKind(raw) == '"' {
		return codexStr(raw)
	}
	m := codexDecode(raw)
	if t := m.str("text"); t != "" {
		return t
	}
	var b strings.Builder
	for _, p := range m.list("parts") {
		b.WriteString(codexDecode(p).str("text"))
	}
	return b.String()
}

// copilotRequestDone reports whether a request's response is over. The
// mutation log's modelState says so (1 complete, 2 cancelled, 3 failed);
// files from before it have a result or the isCanceled flag.
func copilotRequestDone(req codexObj) bool {
	if st := req.obj("modelState"); st != nil {
		if n, ok := st.int("value"); ok {
			return n >= 1 && n <= 3
		}
		switch st.str("value") {
		case "complete", "cancelled", "failed":
			return true
		}
		return false
	}
	if ok, set := codexBool(req["isCanceled"]); set && ok {
		return true
	}
	k := claudeKind(req["result"])
	return k != 0 && k != 'n'
}

// copilotCancelled reports whether the user stopped the response.
func copilotCancelled(req codexObj) bool {
	if st := req.obj("modelState"); st != nil {
		n, ok := st.int("value")
		return (ok && n == 2) || st.str("value") == "cancelled"
	}
	ok, set := codexBool(req["isCanceled"])
	return set && ok
}

// copilotRequestModel returns the model that answered a request: its
// modelId, unless that is "auto", in which case the result's details
// name the model chosen ("Claude Sonnet 4.5 • 0.9x"); else the model the
// session's input selected.
func copilotRequestModel(req codexObj, selected string) string {
	if m := copilotModelName(req.str("modelId")); m != "" {
		return m
	}
	if d := req.obj("result").str("details"); d != "" {
		name, _, _ := strings.Cut(d, " • ")
		if name = strings.TrimSpace(name); name != "" {
			return name
		}
	}
	return copilotModelName(selected)
}

// copilotModelName returns a VS Code model identifier ("copilot/gpt-4o")
// without its vendor, or "" for none or "auto".
func copilotModelName(id string) string {
	if _, rest, ok := strings.Cut(id, "/"); ok {
		id = rest
	}
	if id == "auto" {
		return ""
	}
	return id
}

// copilotUsage reads a request's token usage, which newer versions keep
// in the result (or, in some, beside it).
func copilotUsage(req codexObj) reel.Tokens {
	u := req.obj("result").obj("usage")
	if u == nil {
		u = req.obj("usage")
	}
	if u == nil {
		return reel.Tokens{}
	}
	return reel.Tokens{
		Input:  max(0, claudeInt(u["promptTokens"])),
		Output: max(0, claudeInt(u["completionTokens"])),
	}
}

// copilotMillis reads a time in Unix milliseconds.
func copilotMillis(o codexObj, key string) (time.Time, bool) {
	ms, ok := o.int(key)
	if !ok || ms <= 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// copilotText returns a string or a markdown string ({"value": ...}).
func copilotText(raw json.RawMessage) string {
	if claudeKind(raw) == '"' {
		return codexStr(raw)
	}
	return codexDecode(raw).str("value")
}

// copilotRounds maps a response from the tool-call rounds Copilot Chat
// records in the result: per round the model's text, its thinking and its
// tool calls with their arguments, and each call's result. The response
// parts show the same in the editor's words, without arguments or
// results, so only their thinking is taken, when no round has any.
func copilotRounds(c *copilotChatCtx, rounds []json.RawMessage, results codexObj, parts []json.RawMessage) {
	thought := false
	for _, rr := range rounds {
		if copilotThinking(codexDecode(rr)["thinking"]) != "" {
			thought = true
		}
	}
	if !thought {
		for _, p := range parts {
			if o := codexDecode(p); o.str("kind") == "thinking" {
				if t := copilotThinking(o["value"]); t != "" {
					c.add(reel.KindReasoning, reel.RoleAssistant, t)
				}
			}
		}
	}
	for _, rr := range rounds {
		round := codexDecode(rr)
		if t := copilotThinking(round["thinking"]); t != "" {
			c.add(reel.KindReasoning, reel.RoleAssistant, t)
		}
		if text := round.str("response"); strings.TrimSpace(text) != "" {
			c.add(reel.KindMessage, reel.RoleAssistant, text)
		}
		for _, tc := range round.list("toolCalls") {
			call := codexDecode(tc)
			ev := c.add(reel.KindToolCall, reel.RoleAssistant, "")
			ev.Tool, ev.CallID = call.str("name"), call.str("id")
			copilotSetInput(ev, call["arguments"])
			if res, ok := results[ev.CallID]; ok {
				out := c.add(reel.KindToolResult, reel.RoleTool, copilotResultText(res))
				out.Tool, out.CallID = ev.Tool, ev.CallID
			}
		}
	}
}

// copilotThinking reads thinking text: a string, a list of strings, or an
// object holding either as its text or value.
func copilotThinking(raw json.RawMessage) string {
	switch claudeKind(raw) {
	case '"':
		return strings.TrimSpace(codexStr(raw))
	case '[':
		var parts []string
		for _, it := range codexList(raw) {
			if t := copilotThinking(it); t != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, "\n")
	case '{':
		o := codexDecode(raw)
		if t := copilotThinking(o["text"]); t != "" {
			return t
		}
		return copilotThinking(o["value"])
	}
	return ""
}

// copilotSetInput sets a tool call's input from its arguments, a JSON
// object or a string holding one, and its text from them.
func copilotSetInput(ev *reel.Event, raw json.RawMessage) {
	switch claudeKind(raw) {
	case 0, 'n':
		return
	case '"':
		s := codexStr(raw)
		if strings.TrimSpace(s) == "" {
			return
		}
		if json.Valid([]byte(s)) {
			raw = json.RawMessage(s)
		} else {
			ev.Input = claudeCleanJSON(raw)
			ev.Text = s
			return
		}
	}
	ev.Input = ampCompactJSON(raw)
	ev.Text = claudeRenderInput(ev.Input)
}

// copilotResultText renders a tool result as Copilot Chat stores it: a
// LanguageModelToolResult whose parts are text or a rendered prompt tree.
func copilotResultText(raw json.RawMessage) string {
	var b strings.Builder
	copilotTreeText(raw, &b)
	if s := strings.TrimSpace(b.String()); s != "" {
		return s
	}
	return copilotGatherText(raw)
}

// copilotTreeText appends the text of a tool result's parts: the value of
// a text part, and the text leaves of a prompt tree, a leaf that asks for
// one starting on a new line.
func copilotTreeText(raw json.RawMessage, b *strings.Builder) {
	if b.Len() >= claudeGatherLimit {
		return
	}
	switch claudeKind(raw) {
	case '"':
		b.WriteString(codexStr(raw))
	case '[':
		for _, it := range codexList(raw) {
			copilotTreeText(it, b)
		}
	case '{':
		o := codexDecode(raw)
		if t, ok := o["text"]; ok && claudeKind(t) == '"' {
			if ok, _ := codexBool(o["lineBreakBefore"]); ok && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
				b.WriteByte('\n')
			}
			b.WriteString(codexStr(t))
		}
		for _, k := range []string{"node", "value", "content", "children"} {
			if v, ok := o[k]; ok {
				copilotTreeText(v, b)
			}
		}
	}
}

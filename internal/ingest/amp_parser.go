package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// ampParser maps one Amp thread document. The thread comes as one record,
// so the parser holds no state between records worth saving.
type ampParser struct {
	file reel.SourceFile
	s    reel.Session
	// prompt is the first prompt, the title when the thread has none.
	prompt string
	// last is the time of the latest message that had one; messages
	// without their own time (tool results) happen then.
	last time.Time
	// tools names the calls read so far, by id, for their results.
	tools map[string]string
}

// State returns an empty state: a thread is always read whole.
func (p *ampParser) State() ([]byte, error) { return []byte("{}"), nil }

// Session returns the thread as known after the document.
func (p *ampParser) Session() reel.Session {
	s := p.s
	s.Source = reel.SourceAmp
	s.NativeID = p.file.NativeID
	if s.Title == "" {
		s.Title = p.prompt
	}
	if p.file.ParentNativeID != "" {
		s.ParentID = reel.SessionID(reel.SourceAmp, p.file.ParentNativeID)
	}
	return s
}

// Parse reads the whole thread. It fails only when the document is not
// JSON; JSON of another shape is kept as RecordUnknown with its text.
func (p *ampParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	raw := bytes.TrimSpace(bytes.TrimPrefix(rec.Data, []byte("\xef\xbb\xbf")))
	if len(raw) == 0 {
		return nil, reel.Errorf(reel.EINVALID, "invalid JSON: empty document")
	}
	if !json.Valid(raw) {
		return nil, claudeSyntaxError(raw)
	}
	o := codexDecode(raw)
	if o == nil || claudeKind(o["messages"]) != '[' {
		rec.Status, rec.Reason = reel.RecordUnknown, "not an Amp thread: no messages"
		if text := claudeGatherText(raw, claudeGatherLimit); text != "" {
			return []reel.Event{{Kind: reel.KindOther, Role: reel.RoleSystem, Text: text, RawIndex: rec.Index}}, nil
		}
		return nil, nil
	}
	rec.Type = "thread"
	p.tools = map[string]string{}
	p.thread(o)
	var events []reel.Event
	for _, m := range o.list("messages") {
		events = append(events, p.message(codexDecode(m), m, rec.Index)...)
	}
	for i := range events {
		p.widen(events[i].Time)
	}
	return events, nil
}

// thread takes what the thread's envelope says about the session.
func (p *ampParser) thread(o codexObj) {
	if ms, ok := o.int("created"); ok && ms > 0 {
		p.s.StartedAt = time.UnixMilli(ms).UTC()
		p.last = p.s.StartedAt
	}
	p.s.Title = claudeTitle(o.str("title"))
	initial := o.obj("env").obj("initial")
	if trees := initial.list("trees"); len(trees) > 0 {
		tree := codexDecode(trees[0])
		p.s.Project = copilotURIPath(tree.str("uri"))
		if ref := tree.obj("repository").str("ref"); ref != "" {
			p.s.GitBranch = strings.TrimPrefix(ref, "refs/heads/")
		}
	}
	p.s.Version = initial.obj("platform").str("clientVersion")
	// The traces end when the last turn did.
	for _, tr := range o.obj("meta").list("traces") {
		if t, ok := codexTime(codexDecode(tr).str("endTime")); ok {
			p.widen(t.UTC())
		}
	}
}

// widen stretches the session's time span to t.
func (p *ampParser) widen(t time.Time) {
	if t.IsZero() {
		return
	}
	if p.s.StartedAt.IsZero() || t.Before(p.s.StartedAt) {
		p.s.StartedAt = t
	}
	if t.After(p.s.EndedAt) {
		p.s.EndedAt = t
	}
}

// message maps one message of the thread.
func (p *ampParser) message(m codexObj, raw json.RawMessage, index int64) []reel.Event {
	role := m.str("role")
	usage := m.obj("usage")
	t := p.last
	if ms, ok := m.obj("meta").int("sentAt"); ok && ms > 0 {
		t = time.UnixMilli(ms).UTC()
	} else if ts, ok := codexTime(usage.str("timestamp")); ok {
		t = ts.UTC()
	}
	p.last = t
	model := usage.str("model")
	if model != "" {
		p.s.Model = model
	}
	evRole := reel.RoleSystem
	switch role {
	case "user":
		evRole = reel.RoleUser
	case "assistant":
		evRole = reel.RoleAssistant
	}
	var id string
	if n, ok := m.int("messageId"); ok {
		id = fmt.Sprint(n)
	}
	var events []reel.Event
	add := func(kind, text string) *reel.Event {
		events = append(events, reel.Event{
			Time: t, Kind: kind, Role: evRole, Text: text, Model: model, MessageID: id, RawIndex: index,
		})
		return &events[len(events)-1]
	}
	if role != "user" && role != "assistant" {
		// A message of a kind reel does not model (an info notice): its text.
		if text := claudeGatherText(raw, claudeGatherLimit); text != "" {
			add(reel.KindSystem, text)
		}
		return events
	}
	if c := m["content"]; claudeKind(c) == '"' {
		// Content given as a plain string rather than blocks.
		p.block(add, role, codexObj{"type": json.RawMessage(`"text"`), "text": c}, c)
	}
	for _, b := range m.list("content") {
		p.block(add, role, codexDecode(b), b)
	}
	if st := m.obj("state"); st.str("type") == "error" {
		text := claudeGatherText(st["error"], claudeGatherLimit)
		if text == "" {
			text = "error"
		}
		add(reel.KindSystem, text).IsError = true
	}
	if tok := ampTokens(usage); !tok.IsZero() && role == "assistant" {
		p.s.Tokens = p.s.Tokens.Add(tok)
		if len(events) == 0 {
			// Usage with no content still counts: keep it on an event.
			add(reel.KindMessage, "")
		}
		events[0].Tokens = tok
	}
	return events
}

// ampTokens reads a message's usage; Amp counts each model response once.
func ampTokens(u codexObj) reel.Tokens {
	if u == nil {
		return reel.Tokens{}
	}
	return reel.Tokens{
		Input:         max(0, claudeInt(u["inputTokens"])),
		Output:        max(0, claudeInt(u["outputTokens"])),
		CacheRead:     max(0, claudeInt(u["cacheReadInputTokens"])),
		CacheCreation: max(0, claudeInt(u["cacheCreationInputTokens"])),
	}
}

// ampAdd appends an event of the message being mapped.
type ampAdd func(kind, text string) *reel.Event

// block maps one content block.
func (p *ampParser) block(add ampAdd, role string, b codexObj, raw json.RawMessage) {
	switch typ := b.str("type"); typ {
	case "text":
		text := b.str("text")
		if strings.TrimSpace(text) == "" {
			return
		}
		if role == "user" && p.prompt == "" {
			p.prompt = claudeTitle(text)
		}
		add(reel.KindMessage, text)
	case "thinking":
		if t := b.str("thinking"); strings.TrimSpace(t) != "" {
			add(reel.KindReasoning, t)
		}
	case "redacted_thinking":
		add(reel.KindReasoning, "[redacted thinking]")
	case "tool_use":
		ev := add(reel.KindToolCall, "")
		ev.Tool = b.str("name")
		ev.CallID = b.str("id")
		if in := b["input"]; claudeKind(in) != 0 {
			ev.Input = ampCompactJSON(in)
			ev.Text = claudeRenderInput(in)
		}
		if ev.CallID != "" {
			p.tools[ev.CallID] = ev.Tool
		}
	case "tool_result":
		p.toolResult(add(reel.KindToolResult, ""), b)
	case "image":
		add(reel.KindMessage, "[image]")
	default:
		// A block type from a newer client: keep what it says.
		text := claudeGatherText(raw, claudeGatherLimit)
		if text == "" {
			text = "[" + claudeClip(typ, claudeTypeRunes) + "]"
		}
		add(reel.KindOther, text)
	}
}

// toolResult fills a tool_result event from the block's run: the result
// when the tool finished, the error when it failed.
func (p *ampParser) toolResult(ev *reel.Event, b codexObj) {
	ev.Role = reel.RoleTool
	ev.CallID = b.str("toolUseID")
	if ev.CallID == "" {
		ev.CallID = b.str("tool_use_id")
	}
	ev.Tool = p.tools[ev.CallID]
	run := b.obj("run")
	status := run.str("status")
	result := run["result"]
	ev.Text = ampResultText(result)
	if r := codexDecode(result); r != nil {
		if n, ok := r.int("exitCode"); ok {
			code := int(n)
			ev.ExitCode = &code
			ev.IsError = code != 0
		}
		if ok, set := codexBool(r["success"]); set && !ok {
			ev.IsError = true
		}
	}
	switch status {
	case "error", "rejected-by-user":
		ev.IsError = true
		if msg := claudeGatherText(run["error"], claudeGatherLimit); msg != "" {
			ev.Text = strings.TrimSpace(ev.Text + "\n" + msg)
		}
	case "cancelled":
		if ev.Text == "" {
			ev.Text = "[cancelled]"
		}
	}
	if ev.Text == "" && claudeKind(b["content"]) != 0 {
		// The canonical shape, should Amp write it.
		ev.Text = claudeResultText(b["content"])
	}
}

// ampCompactJSON returns a tool input as valid UTF-8 JSON without the
// indentation a pretty-printed document gives it.
func ampCompactJSON(raw json.RawMessage) json.RawMessage {
	clean := claudeCleanJSON(raw)
	var b bytes.Buffer
	if json.Compact(&b, clean) != nil {
		return clean
	}
	return b.Bytes()
}

// ampResultText renders a tool's result: the output, file content or diff
// it holds, or all its text.
func ampResultText(raw json.RawMessage) string {
	switch claudeKind(raw) {
	case 0, 'n':
		return ""
	case '"':
		return claudeString(raw)
	case '{':
		r := codexDecode(raw)
		for _, k := range []string{"output", "content", "diff"} {
			if v := r[k]; claudeKind(v) != 0 && claudeKind(v) != 'n' {
				return ampResultText(v)
			}
		}
	}
	return claudeGatherText(raw, claudeGatherLimit)
}

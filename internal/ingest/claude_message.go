package ingest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// claudeMessage is the API message a user or assistant record carries.
type claudeMessage struct {
	ID      json.RawMessage `json:"id"`
	Role    json.RawMessage `json:"role"`
	Model   json.RawMessage `json:"model"`
	Content json.RawMessage `json:"content"`
	Usage   json.RawMessage `json:"usage"`
}

// decode fills m from raw, a part of a validated line, as json.Unmarshal
// would; it returns false when raw is not an object.
func (m *claudeMessage) decode(raw json.RawMessage) bool {
	return jsonFields(raw, []string{"id", "role", "model", "content", "usage"},
		[]*json.RawMessage{&m.ID, &m.Role, &m.Model, &m.Content, &m.Usage})
}

// claudeBlockNames are the JSON names of claudeBlock's fields, in order.
var claudeBlockNames = []string{
	"type", "text", "thinking", "id", "name", "input", "tool_use_id", "content", "is_error", "source", "title",
}

// decode fills b from raw, a part of a validated line, as json.Unmarshal
// would; it returns false when raw is not an object.
func (b *claudeBlock) decode(raw json.RawMessage) bool {
	return jsonFields(raw, claudeBlockNames, []*json.RawMessage{
		&b.Type, &b.Text, &b.Thinking, &b.ID, &b.Name, &b.Input, &b.ToolUseID, &b.Content, &b.IsError, &b.Source, &b.Title,
	})
}

// claudeBlock is one content block of a message.
type claudeBlock struct {
	Type      json.RawMessage `json:"type"`
	Text      json.RawMessage `json:"text"`
	Thinking  json.RawMessage `json:"thinking"`
	ID        json.RawMessage `json:"id"`
	Name      json.RawMessage `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID json.RawMessage `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	IsError   json.RawMessage `json:"is_error"`
	Source    json.RawMessage `json:"source"`
	Title     json.RawMessage `json:"title"`
}

// claudeSyntheticModel is the model the client names on messages it wrote
// itself (API errors, interruptions); it never names the session's model.
const claudeSyntheticModel = "<synthetic>"

// claudeMsgCtx is what the events of one message share.
type claudeMsgCtx struct {
	r         *claudeRecord
	role      string
	model     string
	messageID string
	// results is the number of tool_result blocks: the record's
	// toolUseResult belongs to the block only when there is one.
	results int
	// meta, compact and sidechain are the record's flags.
	meta, compact, sidechain bool
}

// message maps a user or assistant record. A record whose message has no
// readable content is kept as RecordUnknown with its text.
func (p *claudeParser) message(r *claudeRecord) ([]reel.Event, string, string) {
	var msg claudeMessage
	if !msg.decode(r.line.Message) {
		return p.other(r, reel.KindOther), reel.RecordUnknown, "message is not an object"
	}
	c := &claudeMsgCtx{
		r:         r,
		role:      claudeString(msg.Role),
		model:     claudeString(msg.Model),
		messageID: claudeString(msg.ID),
		meta:      claudeBool(r.line.IsMeta),
		compact:   claudeBool(r.line.IsCompactSummary),
		sidechain: claudeBool(r.line.IsSidechain),
	}
	if c.role != reel.RoleUser && c.role != reel.RoleAssistant {
		c.role = r.typ
	}
	if c.role != reel.RoleAssistant {
		c.model = ""
	}
	if c.model != "" && c.model != claudeSyntheticModel {
		p.st.Model = c.model
	}

	var events []reel.Event
	switch claudeKind(msg.Content) {
	case '"':
		events = p.textEvent(c, claudeString(msg.Content), nil)
	case '[':
		// The content is part of the validated line, so it always reads.
		items := jsonElems(msg.Content)
		blocks := make([]*claudeBlock, len(items))
		for i, it := range items {
			if claudeKind(it) != '{' {
				continue
			}
			b := new(claudeBlock)
			if b.decode(it) {
				blocks[i] = b
				if claudeString(b.Type) == "tool_result" {
					c.results++
				}
			}
		}
		for i, it := range items {
			if blocks[i] == nil {
				if claudeKind(it) == '"' {
					events = p.textEvent(c, claudeString(it), events)
				}
				continue
			}
			events = p.block(c, blocks[i], it, events)
		}
	default:
		return p.other(r, reel.KindOther), reel.RecordUnknown, "message has no content"
	}

	if c.role == reel.RoleAssistant {
		if u, ok := claudeUsage(msg.Usage); ok {
			key := c.messageID
			if key == "" && r.uuid != "" {
				key = "uuid:" + r.uuid
			}
			d := p.countUsage(key, u)
			p.st.Tokens = p.st.Tokens.Add(d)
			if len(events) > 0 {
				events[0].Tokens = d
			}
		}
	}
	return events, "", ""
}

// countUsage returns the part of u not yet counted for the response key
// and records u as counted. A response the client split over several
// lines repeats its usage on each, growing as output streams in, so the
// response is counted once, at its largest.
func (p *claudeParser) countUsage(key string, u reel.Tokens) reel.Tokens {
	if key == "" {
		return u
	}
	prev := p.st.Counted[key]
	grow := func(now, before int64) int64 { return max(0, now-before) }
	d := reel.Tokens{
		Input:         grow(u.Input, prev.Input),
		Output:        grow(u.Output, prev.Output),
		CacheRead:     grow(u.CacheRead, prev.CacheRead),
		CacheCreation: grow(u.CacheCreation, prev.CacheCreation),
	}
	p.st.Counted[key] = prev.Add(d)
	return d
}

// claudeUsage reads an API usage object.
func claudeUsage(raw json.RawMessage) (reel.Tokens, bool) {
	if claudeKind(raw) != '{' {
		return reel.Tokens{}, false
	}
	var u struct {
		Input         json.RawMessage `json:"input_tokens"`
		Output        json.RawMessage `json:"output_tokens"`
		CacheRead     json.RawMessage `json:"cache_read_input_tokens"`
		CacheCreation json.RawMessage `json:"cache_creation_input_tokens"`
	}
	if !jsonFields(raw, []string{"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"},
		[]*json.RawMessage{&u.Input, &u.Output, &u.CacheRead, &u.CacheCreation}) {
		return reel.Tokens{}, false
	}
	return reel.Tokens{
		Input:         max(0, claudeInt(u.Input)),
		Output:        max(0, claudeInt(u.Output)),
		CacheRead:     max(0, claudeInt(u.CacheRead)),
		CacheCreation: max(0, claudeInt(u.CacheCreation)),
	}, true
}

// event returns an event of the message with the shared fields set.
func (c *claudeMsgCtx) event(kind, text string) reel.Event {
	ev := c.r.event(kind, c.role, text)
	ev.MessageID = c.messageID
	ev.Model = c.model
	return ev
}

// textEvent appends the event for a text block. User text is a prompt, a
// compaction summary, or a notice the client wrote in the user's name;
// only a prompt can title the session.
func (p *claudeParser) textEvent(c *claudeMsgCtx, text string, events []reel.Event) []reel.Event {
	if strings.TrimSpace(text) == "" {
		return events
	}
	kind := reel.KindMessage
	if c.role == reel.RoleUser {
		switch {
		case c.compact:
			kind = reel.KindSummary
		case c.meta || claudeIsNotice(text):
			kind = reel.KindSystem
		case p.st.PromptTitle == "" && (!c.sidechain || p.agent) && !claudeIsCommand(text):
			p.st.PromptTitle = claudeTitle(text)
		}
	}
	return append(events, c.event(kind, text))
}

// block appends the events of one content block.
func (p *claudeParser) block(c *claudeMsgCtx, b *claudeBlock, raw json.RawMessage, events []reel.Event) []reel.Event {
	typ := claudeString(b.Type)
	switch typ {
	case "text":
		return p.textEvent(c, claudeString(b.Text), events)
	case "thinking":
		if t := claudeString(b.Thinking); strings.TrimSpace(t) != "" {
			events = append(events, c.event(reel.KindReasoning, t))
		}
		return events
	case "redacted_thinking":
		// The data is encrypted: there is nothing to read or index.
		return append(events, c.event(reel.KindReasoning, "[redacted thinking]"))
	case "tool_use", "server_tool_use", "mcp_tool_use":
		ev := c.event(reel.KindToolCall, "")
		ev.Tool = claudeString(b.Name)
		ev.CallID = claudeString(b.ID)
		if claudeKind(b.Input) != 0 {
			ev.Input = claudeCleanJSON(b.Input)
			ev.Text = claudeRenderInput(b.Input)
		}
		return append(events, ev)
	case "tool_result":
		return append(events, p.toolResult(c, b))
	case "image", "document":
		return append(events, c.event(reel.KindMessage, claudeAttachmentText(typ, b)))
	}
	if strings.HasSuffix(typ, "_tool_result") {
		// Results of tools the API ran itself, such as web search.
		ev := c.event(reel.KindToolResult, claudeGatherText(b.Content, claudeGatherLimit))
		ev.CallID = claudeString(b.ToolUseID)
		ev.IsError = claudeBool(b.IsError)
		return append(events, ev)
	}
	// A block type from a newer client: keep what it says.
	text := claudeGatherText(raw, claudeGatherLimit)
	if text == "" {
		text = "[" + claudeClip(typ, claudeTypeRunes) + "]"
	}
	return append(events, c.event(reel.KindOther, text))
}

// toolResult maps a tool_result block. The record's toolUseResult is the
// client's structured copy of the result; it adds Bash's stdout and
// stderr when the block left them out, and the tool's duration.
func (p *claudeParser) toolResult(c *claudeMsgCtx, b *claudeBlock) reel.Event {
	text := claudeResultText(b.Content)
	ev := c.event(reel.KindToolResult, "")
	ev.CallID = claudeString(b.ToolUseID)
	ev.IsError = claudeBool(b.IsError)
	if c.results == 1 {
		var d time.Duration
		text, d = claudeMergeToolUseResult(text, c.r.line.ToolUseResult)
		ev.Duration = d
	}
	ev.Text = text
	if ev.IsError {
		ev.ExitCode = claudeExitCode(text)
	}
	return ev
}

// claudeResultText reads tool_result content: a string, or blocks of text
// and images.
func claudeResultText(raw json.RawMessage) string {
	switch claudeKind(raw) {
	case '"':
		return claudeString(raw)
	case '[':
	default:
		return ""
	}
	items := jsonElems(raw)
	var parts []string
	for _, it := range items {
		var b claudeBlock
		if claudeKind(it) == '"' {
			parts = append(parts, claudeString(it))
			continue
		}
		if !b.decode(it) {
			continue
		}
		switch typ := claudeString(b.Type); typ {
		case "text":
			parts = append(parts, claudeString(b.Text))
		case "image", "document":
			parts = append(parts, claudeAttachmentText(typ, &b))
		default:
			if t := claudeGatherText(it, claudeGatherLimit); t != "" {
				parts = append(parts, t)
			}
		}
	}
	return strings.Join(parts, "\n")
}

// claudeMergeToolUseResult adds to text what the record's toolUseResult
// says that text lacks, and returns the tool's duration if given.
func claudeMergeToolUseResult(text string, raw json.RawMessage) (string, time.Duration) {
	switch claudeKind(raw) {
	case '"':
		// For a failed tool the client prefixes the block's text with
		// "Error: "; that alone adds nothing.
		s := claudeString(raw)
		switch {
		case strings.TrimSpace(text) == "":
			return s, 0
		case strings.TrimSpace(s) == "" || strings.Contains(text, strings.TrimPrefix(s, "Error: ")):
			return text, 0
		}
		return text + "\n" + s, 0
	case '{':
	default:
		return text, 0
	}
	var r struct {
		Stdout     json.RawMessage `json:"stdout"`
		Stderr     json.RawMessage `json:"stderr"`
		DurationMs json.RawMessage `json:"durationMs"`
	}
	jsonFields(raw, []string{"stdout", "stderr", "durationMs"}, []*json.RawMessage{&r.Stdout, &r.Stderr, &r.DurationMs})
	d := time.Duration(max(0, claudeInt(r.DurationMs))) * time.Millisecond
	added := false
	for _, s := range []string{claudeString(r.Stdout), claudeString(r.Stderr)} {
		if strings.TrimSpace(s) != "" && !strings.Contains(text, s) {
			if text != "" {
				text += "\n"
			}
			text += s
			added = true
		}
	}
	if !added && strings.TrimSpace(text) == "" {
		text = claudeGatherText(raw, claudeGatherLimit)
	}
	return text, d
}

// claudeExitCode reads the "Exit code N" line the client puts first in a
// failed shell command's result.
func claudeExitCode(text string) *int {
	rest, ok := strings.CutPrefix(text, "Exit code ")
	if !ok {
		return nil
	}
	end := 0
	for end < len(rest) && end < 4 && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil {
		return nil
	}
	return &n
}

// claudeAttachmentText names an image or document without its data,
// which is base64 and never worth indexing.
func claudeAttachmentText(typ string, b *claudeBlock) string {
	var src struct {
		Type      json.RawMessage `json:"type"`
		MediaType json.RawMessage `json:"media_type"`
		URL       json.RawMessage `json:"url"`
	}
	jsonFields(b.Source, []string{"type", "media_type", "url"}, []*json.RawMessage{&src.Type, &src.MediaType, &src.URL})
	desc := claudeString(src.MediaType)
	if desc == "" {
		desc = claudeString(src.URL)
	}
	if desc == "" {
		desc = claudeString(src.Type)
	}
	parts := []string{typ}
	if desc != "" {
		parts = append(parts, claudeClip(desc, 200))
	}
	if t := claudeString(b.Title); t != "" {
		parts = append(parts, claudeClip(t, 200))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// claudeNoticePrefixes start user-role text that the client wrote: local
// command output, reminders, task notifications, interruptions.
var claudeNoticePrefixes = []string{
	"<local-command-stdout>",
	"<local-command-stderr>",
	"<local-command-caveat>",
	"Caveat: The messages below were generated by the user while running local commands",
	"<system-reminder>",
	"<task-notification>",
	"<user-prompt-submit-hook>",
	"[Request interrupted by user",
}

// claudeIsNotice reports whether user text was written by the client.
func claudeIsNotice(text string) bool {
	text = strings.TrimLeft(text, " \t\r\n")
	for _, p := range claudeNoticePrefixes {
		if strings.HasPrefix(text, p) {
			return true
		}
	}
	return false
}

// claudeIsCommand reports whether user text is a slash command the user
// ran (/clear, /compact): a message, but no title.
func claudeIsCommand(text string) bool {
	text = strings.TrimLeft(text, " \t\r\n")
	return strings.HasPrefix(text, "<command-name>") ||
		strings.HasPrefix(text, "<command-message>") ||
		strings.HasPrefix(text, "<command-args>")
}

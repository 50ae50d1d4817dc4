package ingest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
)

// An agent transcript is one JSON line per message, written as the agent
// works, with Anthropic-style content blocks:
//
//	{"role":"user","message":{"content":[{"type":"text","text":"<user_query>\n...\n</user_query>"}]}}
//	{"role":"assistant","message":{"content":[{"type":"text","text":"..."},{"type":"tool_use","name":"Read","input":{...}}]}}
//	{"type":"turn_ended","status":"..."}
//
// Lines carry no time and no id; tool uses often no id either, and their
// results may not be written at all. A tool result without an id answers
// the oldest call still unanswered.

// cursorTranscriptVersion is bumped when cursorTranscriptState changes
// incompatibly.
const cursorTranscriptVersion = 1

// cursorTranscriptState is what a transcript parser needs to resume after
// the lines so far.
type cursorTranscriptState struct {
	Version  int          `json:"v"`
	NativeID string       `json:"native_id"`
	ParentID string       `json:"parent_id,omitempty"`
	Title    string       `json:"title,omitempty"`
	Calls    []cursorCall `json:"calls,omitempty"` // unanswered, oldest first
}

// cursorCall is a tool call waiting for its result.
type cursorCall struct {
	ID   string `json:"id"`
	Tool string `json:"tool"`
}

// cursorRemember bounds the unanswered calls kept: a transcript may never
// write results, and a result follows its call closely when it does.
const cursorRemember = 64

// cursorTranscriptParser maps one transcript's lines into events.
type cursorTranscriptParser struct {
	st cursorTranscriptState
}

func newCursorTranscriptParser(f reel.SourceFile, state []byte) (*cursorTranscriptParser, error) {
	p := &cursorTranscriptParser{}
	if state != nil {
		if err := json.Unmarshal(state, &p.st); err != nil {
			return nil, reel.Errorf(reel.ECORRUPT, "restore cursor transcript state: %v", err)
		}
		if p.st.Version != cursorTranscriptVersion {
			return nil, reel.Errorf(reel.ECORRUPT, "restore cursor transcript state: version %d, want %d", p.st.Version, cursorTranscriptVersion)
		}
		return p, nil
	}
	p.st.Version, p.st.NativeID = cursorTranscriptVersion, f.NativeID
	if p.st.NativeID == "" {
		p.st.NativeID = strings.TrimSuffix(f.Path[strings.LastIndexAny(f.Path, `/\`)+1:], ".jsonl")
	}
	if f.ParentNativeID != "" {
		p.st.ParentID = reel.SessionID(reel.SourceCursor, f.ParentNativeID)
	}
	return p, nil
}

// State returns the parser's state as JSON.
func (p *cursorTranscriptParser) State() ([]byte, error) {
	b, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("encode cursor transcript state: %w", err)
	}
	return b, nil
}

// Session returns the session as known after the lines so far. A
// transcript tells neither times nor models.
func (p *cursorTranscriptParser) Session() reel.Session {
	return reel.Session{Source: reel.SourceCursor, NativeID: p.st.NativeID, ParentID: p.st.ParentID, Title: p.st.Title}
}

// Parse reads one transcript line.
func (p *cursorTranscriptParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	data := opencodeTrim(rec.Data)
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return nil, fmt.Errorf("parse cursor transcript line %d: %w", rec.Line(), err)
	}
	if len(data) == 0 || data[0] != '{' {
		return p.unknown(rec, data, "not a JSON object"), nil
	}
	o := codexDecode(data)
	role, typ := o.str("role"), o.str("type")
	switch {
	case role == "" && typ == "turn_ended":
		rec.Type = typ
		return nil, nil
	case role == "user", role == "assistant":
		rec.Type = role
	default:
		rec.Type = role
		if role == "" {
			rec.Type = typ
		}
		return p.unknown(rec, data, fmt.Sprintf("unknown line type %q", rec.Type)), nil
	}
	content := o.obj("message")["content"]
	if content == nil {
		content = o["content"]
	}
	if s := codexStr(content); s != "" {
		return p.text(rec, role, s), nil
	}
	var events []reel.Event
	for i, raw := range codexList(content) {
		events = append(events, p.block(rec, role, i, raw)...)
	}
	return events, nil
}

// block reads one content block.
func (p *cursorTranscriptParser) block(rec *reel.RawRecord, role string, i int, raw json.RawMessage) []reel.Event {
	b := codexDecode(raw)
	ev := reel.Event{Kind: reel.KindToolCall, Role: reel.RoleAssistant, RawIndex: rec.Index}
	switch b.str("type") {
	case "text":
		return p.text(rec, role, b.str("text"))
	case "thinking", "reasoning":
		text := b.str("thinking")
		if text == "" {
			text = b.str("text")
		}
		if strings.TrimSpace(text) == "" || cursorRedacted(text) {
			return nil
		}
		return []reel.Event{{Kind: reel.KindReasoning, Role: reel.RoleAssistant, Text: text, RawIndex: rec.Index}}
	case "tool_use", "tool_call":
		ev.Tool, ev.CallID = b.str("name"), b.str("id")
		if ev.CallID == "" {
			// Stable across re-reads: the line and the block's place in it.
			ev.CallID = fmt.Sprintf("line%d.%d", rec.Line(), i)
		}
		if input := b["input"]; len(input) > 0 && input[0] == '{' {
			ev.Input = claudeCleanJSON(input)
			ev.Text = claudeRenderInput(input)
		}
		if ev.Text == "" {
			ev.Text = ev.Tool
		}
		p.st.Calls = append(p.st.Calls, cursorCall{ID: ev.CallID, Tool: ev.Tool})
		if len(p.st.Calls) > cursorRemember {
			p.st.Calls = append(p.st.Calls[:0:0], p.st.Calls[len(p.st.Calls)-cursorRemember:]...)
		}
		return []reel.Event{ev}
	case "tool_result":
		ev.Kind, ev.Role = reel.KindToolResult, reel.RoleTool
		ev.CallID, ev.Tool = p.answer(b.str("tool_use_id"))
		ev.Text = claudeResultText(b["content"])
		ev.IsError = string(b["is_error"]) == "true"
		return []reel.Event{ev}
	}
	// A block of a kind reel does not know: its text stays searchable.
	if text := codexCollectText(raw); text != "" {
		return []reel.Event{{Kind: reel.KindOther, Role: role, Text: text, RawIndex: rec.Index}}
	}
	return nil
}

// answer returns the call a result answers: the one id names, or else the
// oldest unanswered one, with its tool; and forgets it.
func (p *cursorTranscriptParser) answer(id string) (string, string) {
	for i, c := range p.st.Calls {
		if id == "" || c.ID == id {
			p.st.Calls = append(p.st.Calls[:i:i], p.st.Calls[i+1:]...)
			return c.ID, c.Tool
		}
	}
	return id, ""
}

// text returns the events of a text block: a user's query is unwrapped
// from its <user_query> tags, and what the client put around it is a
// system notice.
func (p *cursorTranscriptParser) text(rec *reel.RawRecord, role, text string) []reel.Event {
	if strings.TrimSpace(text) == "" || cursorRedacted(text) {
		return nil
	}
	var events []reel.Event
	if role == "user" {
		if query, rest, ok := cursorUserQuery(text); ok {
			if rest != "" {
				events = append(events, reel.Event{Kind: reel.KindSystem, Role: reel.RoleUser, Text: rest, RawIndex: rec.Index})
			}
			text = query
		}
		if p.st.Title == "" {
			p.st.Title = claudeTitle(text)
		}
	}
	return append(events, reel.Event{Kind: reel.KindMessage, Role: role, Text: text, RawIndex: rec.Index})
}

// cursorRedacted reports whether text is only the marker Cursor writes in
// place of text it withholds.
func cursorRedacted(text string) bool { return strings.TrimSpace(text) == "[REDACTED]" }

// cursorUserQuery returns what a <user_query> element holds, trimmed, and
// the text around it; ok is false when there is none.
func cursorUserQuery(text string) (query, rest string, ok bool) {
	const open, end = "<user_query>", "</user_query>"
	i := strings.Index(text, open)
	if i < 0 {
		return "", "", false
	}
	j := strings.Index(text[i:], end)
	if j < 0 {
		return "", "", false
	}
	query = strings.TrimSpace(text[i+len(open) : i+j])
	rest = strings.TrimSpace(text[:i] + "\n" + text[i+j+len(end):])
	return query, rest, query != ""
}

// unknown keeps a well-formed line reel does not model.
func (p *cursorTranscriptParser) unknown(rec *reel.RawRecord, data []byte, reason string) []reel.Event {
	rec.Status, rec.Reason = reel.RecordUnknown, reason
	if text := codexCollectText(data); text != "" {
		return []reel.Event{{Kind: reel.KindOther, Text: text, RawIndex: rec.Index}}
	}
	return nil
}

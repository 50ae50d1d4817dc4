package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// droidStateVersion changes whenever droidState changes meaning, so a
// parser never resumes from state it would misread.
const droidStateVersion = 1

// droidRemember bounds the tool calls kept for naming their results: a
// result follows its call within a few records.
const droidRemember = 64

// droidUntitled is the sessionTitle Droid writes until the session is
// named.
const droidUntitled = "New Session"

// droidState is everything a parser knows after the records so far; State
// is its JSON.
type droidState struct {
	V int `json:"v"`
	// LastTime is the time of the latest record that had one; records
	// without a timestamp (session_start) happen then.
	LastTime    time.Time   `json:"last_time"`
	SessionName string      `json:"session_name,omitempty"`
	StartTitle  string      `json:"start_title,omitempty"`
	PromptTitle string      `json:"prompt_title,omitempty"`
	Project     string      `json:"project,omitempty"`
	Model       string      `json:"model,omitempty"`
	StartedAt   time.Time   `json:"started_at"`
	EndedAt     time.Time   `json:"ended_at"`
	Tokens      reel.Tokens `json:"tokens"`
	Calls       []droidCall `json:"calls,omitempty"`
}

// droidCall remembers a tool call's name, so its result can carry it.
type droidCall struct {
	ID   string `json:"id"`
	Tool string `json:"tool"`
}

// droidParser turns the lines of one Droid session into events.
type droidParser struct {
	file     reel.SourceFile
	settings droidSettings
	st       droidState
}

func newDroidParser(f reel.SourceFile) *droidParser {
	return &droidParser{file: f, st: droidState{V: droidStateVersion}}
}

// restore loads what State returned.
func (p *droidParser) restore(state []byte) error {
	var st droidState
	if err := json.Unmarshal(state, &st); err != nil {
		return &reel.Error{Code: reel.ECORRUPT, Message: "restore droid parser state", Err: err}
	}
	if st.V != droidStateVersion {
		return reel.Errorf(reel.ECORRUPT, "restore droid parser state: version %d, want %d", st.V, droidStateVersion)
	}
	p.st = st
	return nil
}

// State returns the parser state as JSON.
func (p *droidParser) State() ([]byte, error) {
	data, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("save droid parser state: %w", err)
	}
	return data, nil
}

// Session returns the session as known after the records so far. The
// model and the tokens come from the JSONL when it names them, else from
// the settings sidecar.
func (p *droidParser) Session() reel.Session {
	s := reel.Session{
		Source:    reel.SourceDroid,
		NativeID:  p.file.NativeID,
		Title:     p.title(),
		Project:   p.st.Project,
		Model:     p.st.Model,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
		Tokens:    p.st.Tokens,
	}
	if s.Model == "" {
		s.Model = p.settings.Model
	}
	if s.Tokens.IsZero() {
		s.Tokens = p.settings.Tokens
	}
	if p.file.ParentNativeID != "" {
		s.ParentID = reel.SessionID(reel.SourceDroid, p.file.ParentNativeID)
	}
	return s
}

// title picks, best first: a name the user gave the session, the title
// Droid wrote at its start, the first prompt.
func (p *droidParser) title() string {
	for _, t := range []string{p.st.SessionName, p.st.StartTitle, p.st.PromptTitle} {
		if t != "" {
			return t
		}
	}
	return ""
}

// droidRecord is one decoded line with what its events share.
type droidRecord struct {
	obj   codexObj
	raw   []byte
	id    string
	time  time.Time
	index int64
}

// event returns an event of r with the fields every event shares.
func (r *droidRecord) event(kind, role, text string) reel.Event {
	return reel.Event{Time: r.time, Kind: kind, Role: role, Text: text, NativeID: r.id, RawIndex: r.index}
}

// Parse reads one line. It fails only when the line is not JSON; a JSON
// value of another shape or type is kept as RecordUnknown.
func (p *droidParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	raw := claudeTrimLine(rec.Data)
	if len(raw) == 0 {
		return nil, reel.Errorf(reel.EINVALID, "invalid JSON: empty line")
	}
	if !json.Valid(raw) {
		return nil, claudeSyntaxError(raw)
	}
	r := &droidRecord{raw: raw, index: rec.Index, time: p.st.LastTime}
	if r.obj = codexDecode(raw); r.obj == nil {
		rec.Status, rec.Reason = reel.RecordUnknown, "not a JSON object"
		return p.other(r, reel.KindOther), nil
	}
	typ := r.obj.str("type")
	rec.Type = claudeClip(typ, claudeTypeRunes)
	r.id = claudeClip(r.obj.str("id"), claudeTypeRunes)
	r.time = p.noteTime(r.obj.str("timestamp"))
	switch typ {
	case "session_start":
		p.sessionStart(r.obj)
		return nil, nil
	case "message":
		events, ok := p.message(r)
		if !ok {
			rec.Status, rec.Reason = reel.RecordUnknown, "message has no role or content"
			return p.other(r, reel.KindOther), nil
		}
		return events, nil
	case "todo_state":
		text := claudeGatherText(r.obj["todos"], claudeGatherLimit)
		if text == "" {
			return nil, nil
		}
		return []reel.Event{r.event(reel.KindSystem, reel.RoleSystem, text)}, nil
	case "":
		rec.Status, rec.Reason = reel.RecordUnknown, "record has no type"
	default:
		rec.Status, rec.Reason = reel.RecordUnknown, fmt.Sprintf("unknown record type %q", rec.Type)
	}
	return p.other(r, reel.KindOther), nil
}

// noteTime returns the record's time, or the last one for a record
// without a readable timestamp, and widens the session's time span.
func (p *droidParser) noteTime(s string) time.Time {
	t, ok := codexTime(s)
	if !ok {
		return p.st.LastTime
	}
	t = t.UTC()
	p.st.LastTime = t
	if p.st.StartedAt.IsZero() || t.Before(p.st.StartedAt) {
		p.st.StartedAt = t
	}
	if t.After(p.st.EndedAt) {
		p.st.EndedAt = t
	}
	return t
}

// sessionStart takes the session's title and working directory.
func (p *droidParser) sessionStart(o codexObj) {
	if t := claudeTitle(o.str("sessionTitle")); t != "" && t != droidUntitled {
		p.st.SessionName = t
	}
	if t := claudeTitle(o.str("title")); t != "" {
		p.st.StartTitle = t
	}
	if cwd := o.str("cwd"); cwd != "" && p.st.Project == "" {
		p.st.Project = cwd
	}
}

// other returns at most one event of kind holding the record's text.
func (p *droidParser) other(r *droidRecord, kind string) []reel.Event {
	text := claudeGatherText(r.raw, claudeGatherLimit)
	if text == "" {
		return nil
	}
	return []reel.Event{r.event(kind, reel.RoleSystem, text)}
}

// message maps a message record: the user's prompts and tool results,
// the assistant's text, thinking and tool calls. ok is false when the
// record carries no message with a role.
func (p *droidParser) message(r *droidRecord) ([]reel.Event, bool) {
	var m claudeMessage
	if !m.decode(r.obj["message"]) {
		return nil, false
	}
	role := claudeString(m.Role)
	if role == "" || claudeKind(m.Content) == 0 {
		return nil, false
	}
	model := claudeString(m.Model)
	if model != "" {
		p.st.Model = model
	}
	evRole := reel.RoleUser
	switch role {
	case "user":
	case "assistant":
		evRole = reel.RoleAssistant
	default:
		evRole = reel.RoleSystem
	}
	var events []reel.Event
	add := func(kind, text string) *reel.Event {
		ev := r.event(kind, evRole, text)
		ev.Model = model
		ev.MessageID = claudeString(m.ID)
		events = append(events, ev)
		return &events[len(events)-1]
	}
	if claudeKind(m.Content) == '"' {
		p.text(add, role, claudeString(m.Content))
	} else {
		for _, it := range codexList(m.Content) {
			p.block(add, role, it)
		}
	}
	if u, ok := claudeUsage(m.Usage); ok && !u.IsZero() && role == "assistant" {
		// Usage is counted once, on the response's first event; a response
		// with nothing to show still gets one, so the events sum to the
		// session's tokens.
		p.st.Tokens = p.st.Tokens.Add(u)
		if len(events) == 0 {
			add(reel.KindMessage, "")
		}
		events[0].Tokens = u
	}
	return events, true
}

// droidAdd appends an event of the message being mapped.
type droidAdd func(kind, text string) *reel.Event

// text adds a text block. User text is a prompt, context Droid attached
// to it (a file's contents), or a reminder it wrote; the first prompt
// titles the session.
func (p *droidParser) text(add droidAdd, role, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	kind := reel.KindMessage
	if role == "user" {
		switch {
		case claudeIsNotice(text):
			kind = reel.KindSystem
		case p.st.PromptTitle == "":
			p.st.PromptTitle = claudeTitle(text)
		}
	}
	add(kind, text)
}

// block adds the events of one content block.
func (p *droidParser) block(add droidAdd, role string, raw json.RawMessage) {
	var b claudeBlock
	if claudeKind(raw) == '"' {
		p.text(add, role, claudeString(raw))
		return
	}
	if !b.decode(raw) {
		return
	}
	switch typ := claudeString(b.Type); typ {
	case "text":
		p.text(add, role, claudeString(b.Text))
	case "thinking":
		if t := claudeString(b.Thinking); strings.TrimSpace(t) != "" {
			add(reel.KindReasoning, t)
		}
	case "redacted_thinking":
		add(reel.KindReasoning, "[redacted thinking]")
	case "tool_use":
		ev := add(reel.KindToolCall, "")
		ev.Tool = claudeString(b.Name)
		ev.CallID = claudeString(b.ID)
		if claudeKind(b.Input) != 0 {
			ev.Input = claudeCleanJSON(b.Input)
			ev.Text = claudeRenderInput(b.Input)
		}
		p.remember(ev.CallID, ev.Tool)
	case "tool_result":
		ev := add(reel.KindToolResult, claudeResultText(b.Content))
		ev.Role = reel.RoleTool
		ev.CallID = claudeString(b.ToolUseID)
		ev.Tool = p.toolOf(ev.CallID)
		ev.IsError = claudeBool(b.IsError)
	case "image", "document":
		add(reel.KindMessage, claudeAttachmentText(typ, &b))
	default:
		// A block type from a newer client: keep what it says.
		text := claudeGatherText(raw, claudeGatherLimit)
		if text == "" {
			text = "[" + claudeClip(typ, claudeTypeRunes) + "]"
		}
		add(reel.KindOther, text)
	}
}

// remember notes a tool call's name for its result.
func (p *droidParser) remember(id, tool string) {
	if id == "" {
		return
	}
	p.st.Calls = append(p.st.Calls, droidCall{ID: id, Tool: tool})
	if n := len(p.st.Calls); n > droidRemember {
		p.st.Calls = append([]droidCall(nil), p.st.Calls[n-droidRemember:]...)
	}
}

// toolOf returns the name of the remembered call id, or "".
func (p *droidParser) toolOf(id string) string {
	for i := len(p.st.Calls) - 1; i >= 0; i-- {
		if p.st.Calls[i].ID == id {
			return p.st.Calls[i].Tool
		}
	}
	return ""
}

package ingest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// A bubble is one message of a composer:
//
//	type            1 for the user, 2 for the assistant
//	text            the message's words
//	thinking        {text, signature}: the model's reasoning
//	toolFormerData  {name, toolCallId, status, rawArgs, params, result,
//	                userDecision}: a tool call and its outcome; rawArgs,
//	                params and result are JSON written as strings
//	tokenCount      {inputTokens, outputTokens}
//	createdAt       an ISO 8601 time; older bubbles only have timingInfo
//	                {clientRpcSendTime, clientEndTime} in Unix milliseconds
//	modelInfo       {modelName}: on a user bubble, the model asked for

// cursorComposerVersion is bumped when cursorComposerState changes
// incompatibly.
const cursorComposerVersion = 1

// cursorComposerState is what a composer parser knows after the rows so
// far. A composer is always read whole, so it is only kept for State's
// contract.
type cursorComposerState struct {
	Version   int         `json:"v"`
	NativeID  string      `json:"native_id"`
	ParentID  string      `json:"parent_id,omitempty"`
	Name      string      `json:"name,omitempty"`   // the composer's own title
	Prompt    string      `json:"prompt,omitempty"` // the first user prompt
	Project   string      `json:"project,omitempty"`
	Branch    string      `json:"branch,omitempty"`
	Model     string      `json:"model,omitempty"` // the last one asked for
	StartedAt time.Time   `json:"started_at"`
	EndedAt   time.Time   `json:"ended_at"`
	Last      time.Time   `json:"last"` // the time of a bubble that tells none
	Tokens    reel.Tokens `json:"tokens"`
}

// cursorComposerParser maps one composer's rows into events.
type cursorComposerParser struct {
	st cursorComposerState
}

func newCursorComposerParser(f reel.SourceFile, state []byte) (*cursorComposerParser, error) {
	p := &cursorComposerParser{}
	if state != nil {
		if err := json.Unmarshal(state, &p.st); err != nil {
			return nil, reel.Errorf(reel.ECORRUPT, "restore cursor composer state: %v", err)
		}
		if p.st.Version != cursorComposerVersion {
			return nil, reel.Errorf(reel.ECORRUPT, "restore cursor composer state: version %d, want %d", p.st.Version, cursorComposerVersion)
		}
		return p, nil
	}
	p.st.Version, p.st.NativeID = cursorComposerVersion, f.NativeID
	if p.st.NativeID == "" {
		p.st.NativeID = f.Key
	}
	if f.ParentNativeID != "" {
		p.st.ParentID = reel.SessionID(reel.SourceCursor, f.ParentNativeID)
	}
	return p, nil
}

// State returns the parser's state as JSON.
func (p *cursorComposerParser) State() ([]byte, error) {
	b, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("encode cursor composer state: %w", err)
	}
	return b, nil
}

// Session returns the session as known after the rows so far.
func (p *cursorComposerParser) Session() reel.Session {
	title := p.st.Name
	if title == "" {
		title = p.st.Prompt
	}
	return reel.Session{
		Source:    reel.SourceCursor,
		NativeID:  p.st.NativeID,
		ParentID:  p.st.ParentID,
		Title:     title,
		Project:   p.st.Project,
		GitBranch: p.st.Branch,
		Model:     p.st.Model,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
		Tokens:    p.st.Tokens,
	}
}

// Parse reads one cursorDiskKV row: {"key": ..., "value": ...}.
func (p *cursorComposerParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	data := opencodeTrim(rec.Data)
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return nil, fmt.Errorf("parse cursor row %s: %w", rec.Name, err)
	}
	if len(data) == 0 || data[0] != '{' {
		return p.unknown(rec, data, "not a JSON object"), nil
	}
	row := codexDecode(data)
	keyBytes, _ := foreignBytes(row["key"])
	key := strings.ToValidUTF8(string(keyBytes), "\uFFFD")
	kind, _, _ := strings.Cut(key, ":")
	rec.Type = kind
	value, ok := foreignBytes(row["value"])
	if !ok {
		return p.unknown(rec, data, "a row with no value"), nil
	}
	if !json.Valid(value) {
		return nil, fmt.Errorf("parse cursor row %s: its value is not JSON", key)
	}
	obj := codexDecode(value)
	if obj == nil {
		return p.unknown(rec, value, "a value that is not a JSON object"), nil
	}
	switch kind + ":" {
	case cursorComposerKey:
		return p.composer(rec, obj), nil
	case cursorBubbleKey:
		return p.bubble(rec, obj, value), nil
	}
	return p.unknown(rec, value, fmt.Sprintf("unknown key %q", kind)), nil
}

// composer reads a composer's own row, and the bubbles it holds inline
// when it is from before bubbles had rows of their own.
func (p *cursorComposerParser) composer(rec *reel.RawRecord, o codexObj) []reel.Event {
	if id := o.str("composerId"); id != "" && p.st.NativeID == "" {
		p.st.NativeID = id
	}
	if name := strings.TrimSpace(o.str("name")); name != "" {
		p.st.Name = claudeTitle(name)
	}
	if m := cursorModel(o.obj("modelConfig").str("modelName")); m != "" {
		p.st.Model = m
	}
	if b := o.str("createdOnBranch"); b != "" {
		p.st.Branch = b
	}
	created, updated := opencodeMillis(o, "createdAt"), opencodeMillis(o, "lastUpdatedAt")
	p.noteTime(created)
	p.noteTime(updated)
	if p.st.Last.IsZero() {
		p.st.Last = created
	}
	var events []reel.Event
	for _, raw := range codexList(o["conversation"]) {
		if b := codexDecode(raw); b != nil {
			events = append(events, p.bubble(rec, b, raw)...)
		}
	}
	return events
}

// cursorModel returns a model name, or "" for Cursor's placeholder for
// the model it picks itself.
func cursorModel(name string) string {
	if name == "default" {
		return ""
	}
	return name
}

// noteTime widens the session's time span to include t.
func (p *cursorComposerParser) noteTime(t time.Time) {
	if t.IsZero() {
		return
	}
	if p.st.StartedAt.IsZero() || t.Before(p.st.StartedAt) {
		p.st.StartedAt = t
	}
	if t.After(p.st.EndedAt) {
		p.st.EndedAt = t
	}
}

// bubbleTime returns when a bubble was written: its createdAt, else the
// time its request was sent or its answer ended, else the last time known.
func (p *cursorComposerParser) bubbleTime(b codexObj) time.Time {
	if t, ok := codexTime(b.str("createdAt")); ok && reel.StorableTime(t) {
		return t
	}
	if t := opencodeMillis(b, "createdAt"); !t.IsZero() {
		return t
	}
	timing := b.obj("timingInfo")
	for _, k := range []string{"clientRpcSendTime", "clientEndTime", "clientSettleTime"} {
		// clientStartTime counts from the page's load, not the epoch.
		if t := opencodeMillis(timing, k); t.Year() > 2000 {
			return t
		}
	}
	return p.st.Last
}

// bubble reads one bubble, from its row (raw is its value) or from an
// inline conversation.
func (p *cursorComposerParser) bubble(rec *reel.RawRecord, b codexObj, raw []byte) []reel.Event {
	t := p.bubbleTime(b)
	p.noteTime(t)
	if !t.IsZero() {
		p.st.Last = t
	}
	id := b.str("bubbleId")
	ev := func(kind, role, text string) reel.Event {
		return reel.Event{Time: t, Kind: kind, Role: role, Text: text, NativeID: id, MessageID: id, RawIndex: rec.Index}
	}
	text := b.str("text")
	typ, _ := b.int("type")
	switch typ {
	case 1:
		if m := cursorModel(b.obj("modelInfo").str("modelName")); m != "" {
			p.st.Model = m
		}
		if p.st.Project == "" {
			p.st.Project = cursorWorkspace(b)
		}
		if strings.TrimSpace(text) == "" {
			return nil
		}
		if p.st.Prompt == "" {
			p.st.Prompt = claudeTitle(text)
		}
		return []reel.Event{ev(reel.KindMessage, reel.RoleUser, text)}
	case 2:
	default:
		return p.unknown(rec, raw, fmt.Sprintf("unknown bubble type %s", string(b["type"])))
	}
	var events []reel.Event
	if th := b.obj("thinking").str("text"); strings.TrimSpace(th) != "" {
		events = append(events, ev(reel.KindReasoning, reel.RoleAssistant, th))
	}
	if strings.TrimSpace(text) != "" {
		events = append(events, ev(reel.KindMessage, reel.RoleAssistant, text))
	}
	if tf := b.obj("toolFormerData"); tf != nil && tf.str("name") != "" {
		events = append(events, cursorTool(tf, ev, id)...)
	}
	for i := range events {
		events[i].Model = p.st.Model
	}
	tc := b.obj("tokenCount")
	in, _ := tc.int("inputTokens")
	out, _ := tc.int("outputTokens")
	if tokens := (reel.Tokens{Input: max(in, 0), Output: max(out, 0)}); !tokens.IsZero() {
		p.st.Tokens = p.st.Tokens.Add(tokens)
		if len(events) == 0 {
			e := ev(reel.KindSystem, reel.RoleSystem, "")
			e.Model = p.st.Model
			events = append(events, e)
		}
		events[cursorAnswerEvent(events)].Tokens = tokens
	}
	return events
}

// cursorAnswerEvent returns the index of the event that carries a
// bubble's tokens: its message if it has one, else its first event.
func cursorAnswerEvent(events []reel.Event) int {
	for i, e := range events {
		if e.Kind == reel.KindMessage {
			return i
		}
	}
	return 0
}

// cursorTool returns a tool call's events: the call, and its result once
// the tool finished, failed or was turned down.
func cursorTool(tf codexObj, ev func(kind, role, text string) reel.Event, bubbleID string) []reel.Event {
	call := ev(reel.KindToolCall, reel.RoleAssistant, "")
	call.Tool, call.CallID = tf.str("name"), tf.str("toolCallId")
	if call.CallID == "" {
		call.CallID = "bubble:" + bubbleID
	}
	for _, k := range []string{"rawArgs", "params"} {
		args := []byte(codexStr(tf[k]))
		if len(args) == 0 {
			args = tf[k] // params written as an object
		}
		if len(args) > 0 && args[0] == '{' && json.Valid(args) {
			call.Input = claudeCleanJSON(args)
			call.Text = claudeRenderInput(args)
			break
		}
	}
	if call.Text == "" {
		call.Text = call.Tool
	}
	status := tf.str("status")
	rejected := tf.str("userDecision") == "rejected"
	if status != "completed" && status != "error" && status != "cancelled" && !rejected {
		return []reel.Event{call} // loading, pending, running: no result yet
	}
	res := ev(reel.KindToolResult, reel.RoleTool, codexStr(tf["result"]))
	if res.Text == "" && len(tf["result"]) > 0 && string(tf["result"]) != "null" {
		res.Text = string(tf["result"]) // a result written as an object
	}
	res.Tool, res.CallID = call.Tool, call.CallID
	res.IsError = status == "error" || status == "cancelled" || rejected
	if res.Text == "" && res.IsError {
		res.Text = status
		if rejected {
			res.Text = "rejected"
		}
	}
	if r := codexDecodeText(res.Text); r != nil {
		for _, k := range []string{"exitCode", "exit_code"} {
			if code, ok := r.int(k); ok && code >= -1<<31 && code < 1<<31 {
				c := int(code)
				res.ExitCode = &c
				break
			}
		}
	}
	return []reel.Event{call, res}
}

// cursorWorkspace returns the folder of a bubble's first workspace URI.
func cursorWorkspace(b codexObj) string {
	for _, raw := range codexList(b["workspaceUris"]) {
		u, err := url.Parse(codexStr(raw))
		if err == nil && u.Scheme == "file" && u.Path != "" {
			return u.Path
		}
	}
	return ""
}

// unknown keeps a well-formed row reel does not model. The ids it
// repeats are no text to search.
func (p *cursorComposerParser) unknown(rec *reel.RawRecord, data []byte, reason string) []reel.Event {
	rec.Status, rec.Reason = reel.RecordUnknown, reason
	var lines []string
	for _, line := range strings.Split(codexCollectText(data), "\n") {
		if line != "" && line != p.st.NativeID && !strings.HasSuffix(rec.Name, ":"+line) {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return []reel.Event{{Time: p.st.Last, Kind: reel.KindOther, Text: strings.Join(lines, "\n"), RawIndex: rec.Index}}
}

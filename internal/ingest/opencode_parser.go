package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// opencodeStateVersion is bumped when opencodeState changes incompatibly.
const opencodeStateVersion = 1

// opencodeState is what a parser knows after the records so far. A
// custom-layout session is always read whole, so it is only kept for
// State's contract.
type opencodeState struct {
	Version   int         `json:"v"`
	NativeID  string      `json:"native_id"`
	ParentID  string      `json:"parent_id,omitempty"`
	Title     string      `json:"title,omitempty"`  // the session's own
	Prompt    string      `json:"prompt,omitempty"` // the first user prompt
	Project   string      `json:"project,omitempty"`
	Model     string      `json:"model,omitempty"`
	Client    string      `json:"client_version,omitempty"`
	StartedAt time.Time   `json:"started_at"`
	EndedAt   time.Time   `json:"ended_at"`
	Tokens    reel.Tokens `json:"tokens"`
	Msg       opencodeMsg `json:"msg"`
	// DirKnown is true once the session's own directory was read: it is
	// the project, whatever folder a message ran in.
	DirKnown bool `json:"dir_known,omitempty"`
}

// opencodeMsg is the message whose parts are being read.
type opencodeMsg struct {
	ID    string    `json:"id,omitempty"`
	Role  string    `json:"role,omitempty"`
	Model string    `json:"model,omitempty"`
	Time  time.Time `json:"time"`
	// Last is the latest time the message's parts gave so far: the time
	// of a part that has none of its own.
	Last    time.Time `json:"last"`
	Summary bool      `json:"summary,omitempty"`
	// Counted is true when the message's own token count was counted: the
	// steps of such a message count nothing more.
	Counted bool `json:"counted,omitempty"`
}

// opencodeParser maps one session's records into events.
type opencodeParser struct {
	st opencodeState
}

func (p *opencodeParser) restore(state []byte) error {
	if err := json.Unmarshal(state, &p.st); err != nil {
		return reel.Errorf(reel.ECORRUPT, "restore opencode parser state: %v", err)
	}
	if p.st.Version != opencodeStateVersion {
		return reel.Errorf(reel.ECORRUPT, "restore opencode parser state: version %d, want %d", p.st.Version, opencodeStateVersion)
	}
	return nil
}

// State returns the parser's state as JSON.
func (p *opencodeParser) State() ([]byte, error) {
	b, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("encode opencode parser state: %w", err)
	}
	return b, nil
}

// Session returns the session as known after the records so far.
func (p *opencodeParser) Session() reel.Session {
	title := p.st.Title
	if title == "" {
		title = p.st.Prompt
	}
	return reel.Session{
		Source:    reel.SourceOpencode,
		NativeID:  p.st.NativeID,
		ParentID:  p.st.ParentID,
		Title:     title,
		Project:   p.st.Project,
		Model:     p.st.Model,
		Version:   p.st.Client,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
		Tokens:    p.st.Tokens,
	}
}

// opencodeRecord is one record of either form, reduced to what the parser
// needs.
type opencodeRecord struct {
	rec  *reel.RawRecord
	kind string // session, message or part
	id   string
	// msgID is the message a part belongs to.
	msgID string
	// obj is the object's JSON: a file's contents or a row's data column;
	// raw is that JSON.
	obj codexObj
	raw []byte
	// row is a row's columns, nil for a file.
	row codexObj
}

// event returns an event of the record.
func (r *opencodeRecord) event(kind, role, text string, t time.Time) reel.Event {
	return reel.Event{Time: t, Kind: kind, Role: role, Text: text, RawIndex: r.rec.Index}
}

// Parse reads one record: a file of the tree (Name is its path) or a row
// of the database (Name is "table:id").
func (p *opencodeParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	r, err := opencodeDecode(rec)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return p.unknown(&opencodeRecord{rec: rec}, "", opencodeTrim(rec.Data), "not a JSON object"), nil
	}
	switch r.kind {
	case "session":
		rec.Type = "session"
		p.session(r)
		return nil, nil
	case "message":
		return p.message(r), nil
	case "part":
		return p.part(r), nil
	}
	return p.unknown(r, "", opencodeTrim(rec.Data), "not a session, message or part"), nil
}

// opencodeDecode reads a record's JSON. It returns nil, nil for valid JSON
// that is not an object.
func opencodeDecode(rec *reel.RawRecord) (*opencodeRecord, error) {
	data := opencodeTrim(rec.Data)
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return nil, fmt.Errorf("parse opencode record %s: %w", opencodeRecName(rec), err)
	}
	if len(data) == 0 || data[0] != '{' {
		return nil, nil
	}
	r := &opencodeRecord{rec: rec}
	if table, id, isRow := strings.Cut(rec.Name, ":"); isRow {
		r.kind, r.id, r.row = table, id, codexDecode(data)
		if raw, ok := r.row["data"]; ok && string(raw) != "null" {
			inner, ok := foreignBytes(raw)
			if !ok || !json.Valid(inner) {
				return nil, fmt.Errorf("parse opencode record %s: its data column is not JSON", opencodeRecName(rec))
			}
			r.obj, r.raw = codexDecode(inner), inner
		}
		if s := r.row.str("id"); s != "" {
			r.id = s
		}
		r.msgID = r.row.str("message_id")
		return r, nil
	}
	r.obj, r.raw = codexDecode(data), data
	r.id, r.msgID = r.obj.str("id"), r.obj.str("messageID")
	seg := strings.Split(rec.Name, "/")
	if n := len(seg); n >= 3 {
		switch seg[n-3] {
		case "session", "message", "part":
			r.kind = seg[n-3]
			if r.id == "" {
				r.id = strings.TrimSuffix(seg[n-1], ".json")
			}
			if r.kind == "part" && r.msgID == "" {
				r.msgID = seg[n-2]
			}
			return r, nil
		}
	}
	// No telling path: the object says what it is.
	switch {
	case r.obj["role"] != nil:
		r.kind = "message"
	case r.obj["type"] != nil && r.obj["messageID"] != nil:
		r.kind = "part"
	case r.obj["title"] != nil || r.obj["projectID"] != nil:
		r.kind = "session"
	}
	return r, nil
}

// opencodeTrim trims JSON's whitespace from data: only what JSON allows
// around a value, so that a record is JSON exactly when its trimmed form is.
func opencodeTrim(data []byte) []byte { return bytes.Trim(data, " \t\r\n") }

// opencodeRecName names a record in errors.
func opencodeRecName(rec *reel.RawRecord) string {
	if rec.Name != "" {
		return rec.Name
	}
	return fmt.Sprintf("%d", rec.Index)
}

// opencodeMillis returns the time a JSON number of Unix milliseconds
// gives, or the zero time.
func opencodeMillis(o codexObj, key string) time.Time {
	f, ok := o.float(key)
	if !ok || f <= 0 || f > 1e15 || math.IsNaN(f) {
		return time.Time{}
	}
	return time.UnixMilli(int64(f)).UTC()
}

// opencodeDefaultTitle reports whether title is the placeholder opencode
// gives a session before it names it.
func opencodeDefaultTitle(title string) bool {
	return strings.HasPrefix(title, "New session - ") || strings.HasPrefix(title, "Child session - ")
}

// session reads the session's info: a file, or the session row.
func (p *opencodeParser) session(r *opencodeRecord) {
	var title, parent, dir, version string
	var created, updated time.Time
	if r.row != nil {
		o := r.row
		title, parent, dir, version = o.str("title"), o.str("parent_id"), o.str("directory"), o.str("version")
		created, updated = opencodeMillis(o, "time_created"), opencodeMillis(o, "time_updated")
	} else {
		o := r.obj
		title, parent, dir, version = o.str("title"), o.str("parentID"), o.str("directory"), o.str("version")
		t := o.obj("time")
		created, updated = opencodeMillis(t, "created"), opencodeMillis(t, "updated")
	}
	if r.id != "" && p.st.NativeID == "" {
		p.st.NativeID = r.id
	}
	if t := strings.TrimSpace(title); t != "" && !opencodeDefaultTitle(t) {
		p.st.Title = claudeTitle(t)
	}
	if parent != "" && p.st.ParentID == "" {
		p.st.ParentID = reel.SessionID(reel.SourceOpencode, parent)
	}
	if dir != "" {
		p.st.Project, p.st.DirKnown = dir, true
	}
	if version != "" {
		p.st.Client = version
	}
	p.noteTime(created)
	p.noteTime(updated)
}

// noteTime widens the session's time span to include t.
func (p *opencodeParser) noteTime(t time.Time) {
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

// message reads a message's info; its parts follow it.
func (p *opencodeParser) message(r *opencodeRecord) []reel.Event {
	var events []reel.Event
	o := r.obj
	role := o.str("role")
	r.rec.Type = "message"
	if role != "" {
		r.rec.Type = "message/" + role
	}
	t := o.obj("time")
	created := opencodeMillis(t, "created")
	if created.IsZero() && r.row != nil {
		created = opencodeMillis(r.row, "time_created")
	}
	p.noteTime(created)
	p.noteTime(opencodeMillis(t, "completed"))
	p.st.Msg = opencodeMsg{ID: r.id, Role: role, Time: created, Last: created}
	switch role {
	case "user":
		p.st.Msg.Model = o.obj("model").str("modelID")
	case "assistant":
		p.st.Msg.Model = o.str("modelID")
		if p.st.Msg.Model != "" {
			p.st.Model = p.st.Msg.Model
		}
		if cwd := o.obj("path").str("cwd"); cwd != "" && !p.st.DirKnown {
			p.st.Project = cwd
		}
		p.st.Msg.Summary = string(o["summary"]) == "true"
		if tokens := opencodeTokens(o.obj("tokens")); o["finish"] == nil && !tokens.IsZero() {
			// A message that records no finish reason was not written step
			// by step (hand-made, or from before steps): its own count is
			// all there is. One with steps counts them at each step-finish,
			// since opencode overwrites the message's count at every step.
			p.st.Tokens = p.st.Tokens.Add(tokens)
			p.st.Msg.Counted = true
			ev := r.event(reel.KindSystem, reel.RoleSystem, "", created)
			ev.Tokens, ev.Model, ev.MessageID = tokens, p.st.Msg.Model, r.id
			events = append(events, ev)
		}
		if e := o.obj("error"); e != nil {
			text := e.obj("data").str("message")
			if text == "" {
				text = e.str("name")
			}
			ev := r.event(reel.KindSystem, reel.RoleAssistant, text, created)
			ev.IsError, ev.MessageID, ev.Model = true, r.id, p.st.Msg.Model
			events = append(events, ev)
		}
	default:
		events = append(events, p.unknown(r, r.rec.Type, r.raw, fmt.Sprintf("unknown message role %q", role))...)
	}
	return events
}

// opencodeTokens reads a tokens object: {input, output, reasoning,
// cache: {read, write}}.
func opencodeTokens(o codexObj) reel.Tokens {
	n := func(o codexObj, k string) int64 {
		v, _ := o.int(k)
		return max(v, 0)
	}
	cache := o.obj("cache")
	return reel.Tokens{
		Input:         n(o, "input"),
		Output:        n(o, "output"),
		Reasoning:     n(o, "reasoning"),
		CacheRead:     n(cache, "read"),
		CacheCreation: n(cache, "write"),
	}
}

// unknown keeps a well-formed record reel does not model: its text stays
// searchable as an "other" event.
func (p *opencodeParser) unknown(r *opencodeRecord, typ string, raw []byte, reason string) []reel.Event {
	if r.rec.Type == "" {
		r.rec.Type = typ
	}
	r.rec.Status, r.rec.Reason = reel.RecordUnknown, reason
	// The ids every object repeats are no text to search.
	ids := []string{r.id, r.msgID, p.st.NativeID, r.obj.str("sessionID")}
	var lines []string
	for _, line := range strings.Split(codexCollectText(opencodeTrim(raw)), "\n") {
		if line != "" && !slices.Contains(ids, line) {
			lines = append(lines, line)
		}
	}
	text := strings.Join(lines, "\n")
	if text == "" {
		return nil
	}
	return []reel.Event{r.event(reel.KindOther, "", text, p.st.Msg.Time)}
}

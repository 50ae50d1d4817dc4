package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// claudeKnownTypes are the record types Claude Code writes that reel
// recognises. user, assistant, summary, system and custom-title are
// modelled; the others are client bookkeeping kept as system events.
// Anything else is from a client newer than this list: RecordUnknown.
var claudeKnownTypes = map[string]bool{
	"user":                  true,
	"assistant":             true,
	"summary":               true,
	"system":                true,
	"custom-title":          true,
	"file-history-snapshot": true,
	"attachment":            true,
	"progress":              true,
	"queue-operation":       true,
	"last-prompt":           true,
	"permission-mode":       true,
	"agent-name":            true,
	"tag":                   true,
	"pr-link":               true,
}

// claudeTypeRunes bounds a record type or uuid quoted in a raw record.
const claudeTypeRunes = 64

// claudeStateVersion changes whenever claudeState changes meaning, so a
// parser never resumes from state it would misread.
const claudeStateVersion = 1

// claudeState is everything a parser knows after the records so far. It
// is the parser's whole mutable state, so State is just its JSON.
type claudeState struct {
	V int `json:"v"`
	// Seen holds every record uuid read, to drop the copies that the
	// client writes again when a session is resumed or rewound.
	Seen map[string]bool `json:"seen,omitempty"`
	// Counted holds, per model response, the usage already counted. The
	// client writes one line per content block, each repeating the usage
	// of the response so far, so only the growth is added.
	Counted map[string]reel.Tokens `json:"counted,omitempty"`
	// LastTime is the time of the latest record that had one; records
	// without a timestamp happen then.
	LastTime time.Time `json:"last_time"`

	ParentID     string      `json:"parent_id,omitempty"`
	CustomTitle  string      `json:"custom_title,omitempty"`
	SummaryTitle string      `json:"summary_title,omitempty"`
	PromptTitle  string      `json:"prompt_title,omitempty"`
	Project      string      `json:"project,omitempty"`
	GitBranch    string      `json:"git_branch,omitempty"`
	Version      string      `json:"version,omitempty"`
	Model        string      `json:"model,omitempty"`
	StartedAt    time.Time   `json:"started_at"`
	EndedAt      time.Time   `json:"ended_at"`
	Tokens       reel.Tokens `json:"tokens"`
}

// claudeParser turns the lines of one Claude Code transcript into events.
type claudeParser struct {
	file reel.SourceFile
	// agent is true for a subagent transcript (agent-<id>.jsonl).
	agent bool
	// metaTitle is the title from the subagent's sidecar, if any.
	metaTitle string
	st        claudeState
}

func newClaudeParser(f reel.SourceFile) *claudeParser {
	return &claudeParser{
		file:  f,
		agent: strings.HasPrefix(f.NativeID, claudeAgentPrefix),
		st: claudeState{
			V:       claudeStateVersion,
			Seen:    map[string]bool{},
			Counted: map[string]reel.Tokens{},
		},
	}
}

// restore loads what State returned.
func (p *claudeParser) restore(state []byte) error {
	var st claudeState
	if err := json.Unmarshal(state, &st); err != nil {
		return &reel.Error{Code: reel.ECORRUPT, Message: "restore claude parser state", Err: err}
	}
	if st.V != claudeStateVersion {
		return reel.Errorf(reel.ECORRUPT, "restore claude parser state: version %d, want %d", st.V, claudeStateVersion)
	}
	if st.Seen == nil {
		st.Seen = map[string]bool{}
	}
	if st.Counted == nil {
		st.Counted = map[string]reel.Tokens{}
	}
	p.st = st
	return nil
}

// State returns the parser state as JSON; its size grows with the number
// of records read (one uuid each), so callers save it per batch.
func (p *claudeParser) State() ([]byte, error) {
	data, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("save claude parser state: %w", err)
	}
	return data, nil
}

// Session returns the session as known after the records so far.
func (p *claudeParser) Session() reel.Session {
	s := reel.Session{
		Source:    reel.SourceClaudeCode,
		NativeID:  p.file.NativeID,
		ParentID:  p.st.ParentID,
		Title:     p.title(),
		Project:   p.st.Project,
		GitBranch: p.st.GitBranch,
		Model:     p.st.Model,
		Version:   p.st.Version,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
		Tokens:    p.st.Tokens,
	}
	if p.file.ParentNativeID != "" {
		s.ParentID = reel.SessionID(reel.SourceClaudeCode, p.file.ParentNativeID)
	}
	return s
}

// title picks, best first: a title the user set, the subagent's task
// description, the client's summary, the first prompt.
func (p *claudeParser) title() string {
	for _, t := range []string{p.st.CustomTitle, p.metaTitle, p.st.SummaryTitle, p.st.PromptTitle} {
		if t != "" {
			return t
		}
	}
	return ""
}

// claudeLine is the envelope of one record. Every field is raw so that a
// field of an unexpected type never makes the whole line unreadable.
type claudeLine struct {
	Type             json.RawMessage `json:"type"`
	Subtype          json.RawMessage `json:"subtype"`
	UUID             json.RawMessage `json:"uuid"`
	SessionID        json.RawMessage `json:"sessionId"`
	Timestamp        json.RawMessage `json:"timestamp"`
	Cwd              json.RawMessage `json:"cwd"`
	GitBranch        json.RawMessage `json:"gitBranch"`
	Version          json.RawMessage `json:"version"`
	IsMeta           json.RawMessage `json:"isMeta"`
	IsSidechain      json.RawMessage `json:"isSidechain"`
	IsCompactSummary json.RawMessage `json:"isCompactSummary"`
	Message          json.RawMessage `json:"message"`
	Summary          json.RawMessage `json:"summary"`
	Content          json.RawMessage `json:"content"`
	ToolUseResult    json.RawMessage `json:"toolUseResult"`
	CompactMetadata  json.RawMessage `json:"compactMetadata"`
	CustomTitle      json.RawMessage `json:"customTitle"`
}

// claudeLineNames are the JSON names of claudeLine's fields, in order.
var claudeLineNames = []string{
	"type", "subtype", "uuid", "sessionId", "timestamp", "cwd", "gitBranch", "version",
	"isMeta", "isSidechain", "isCompactSummary", "message", "summary", "content",
	"toolUseResult", "compactMetadata", "customTitle",
}

// decode fills l from raw, a valid JSON object, as json.Unmarshal would.
func (l *claudeLine) decode(raw []byte) {
	jsonFields(raw, claudeLineNames, []*json.RawMessage{
		&l.Type, &l.Subtype, &l.UUID, &l.SessionID, &l.Timestamp, &l.Cwd, &l.GitBranch, &l.Version,
		&l.IsMeta, &l.IsSidechain, &l.IsCompactSummary, &l.Message, &l.Summary, &l.Content,
		&l.ToolUseResult, &l.CompactMetadata, &l.CustomTitle,
	})
}

// claudeRecord is one decoded record with what every event from it shares.
type claudeRecord struct {
	line  claudeLine
	raw   []byte // the line without its terminator
	typ   string
	uuid  string
	time  time.Time
	index int64
}

// event returns an event of rec with the fields every event shares.
func (r *claudeRecord) event(kind, role, text string) reel.Event {
	return reel.Event{
		Time:     r.time,
		Kind:     kind,
		Role:     role,
		Text:     text,
		NativeID: r.uuid,
		RawIndex: r.index,
	}
}

// Parse reads one line. It fails only when the line is not JSON; a JSON
// value of any other shape is kept as RecordUnknown.
func (p *claudeParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	raw := claudeTrimLine(rec.Data)
	if len(raw) == 0 {
		return nil, reel.Errorf(reel.EINVALID, "invalid JSON: empty line")
	}
	r := &claudeRecord{raw: raw, index: rec.Index, time: p.st.LastTime}
	if raw[0] != '{' {
		if !json.Valid(raw) {
			return nil, claudeSyntaxError(raw)
		}
		rec.Status, rec.Reason = reel.RecordUnknown, "not a JSON object"
		return p.other(r, reel.KindOther), nil
	}
	if !json.Valid(raw) {
		// Unmarshal only to say what is wrong with the line.
		err := json.Unmarshal(raw, &r.line)
		return nil, &reel.Error{Code: reel.EINVALID, Message: "invalid JSON", Err: err}
	}
	r.line.decode(raw)
	r.typ = claudeString(r.line.Type)
	r.uuid = claudeString(r.line.UUID)
	// Both end up in the record's row: a hostile line must not make them huge.
	rec.Type = claudeClip(r.typ, claudeTypeRunes)
	if r.uuid != "" {
		if p.st.Seen[r.uuid] {
			rec.Status, rec.Reason = reel.RecordDuplicate, "repeats uuid "+claudeClip(r.uuid, claudeTypeRunes)
			return nil, nil
		}
		p.st.Seen[r.uuid] = true
	}
	r.time = p.noteTime(r.line.Timestamp)
	p.noteEnvelope(&r.line)

	var status, reason string
	var events []reel.Event
	switch {
	case r.typ == "":
		status, reason = reel.RecordUnknown, "record has no type"
		events = p.other(r, reel.KindOther)
	case r.typ == "user" || r.typ == "assistant":
		events, status, reason = p.message(r)
	case r.typ == "summary":
		events = p.summary(r)
	case r.typ == "system":
		events = p.system(r)
	case r.typ == "custom-title":
		if t := claudeString(r.line.CustomTitle); t != "" {
			p.st.CustomTitle = claudeTitle(t)
		}
		events = p.other(r, reel.KindSystem)
	case claudeKnownTypes[r.typ]:
		events = p.other(r, reel.KindSystem)
	default:
		status, reason = reel.RecordUnknown, fmt.Sprintf("unknown record type %q", rec.Type)
		events = p.other(r, reel.KindOther)
	}
	if status != "" {
		rec.Status, rec.Reason = status, reason
	}
	return events, nil
}

// claudeTrimLine drops the line terminator, surrounding blanks and a
// byte order mark, none of which JSON allows.
func claudeTrimLine(data []byte) []byte {
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return bytes.TrimSpace(data)
}

// claudeSyntaxError says why raw is not JSON.
func claudeSyntaxError(raw []byte) error {
	var v any
	err := json.Unmarshal(raw, &v)
	if err == nil {
		err = fmt.Errorf("not valid JSON")
	}
	return &reel.Error{Code: reel.EINVALID, Message: "invalid JSON", Err: err}
}

// noteTime returns the record's time, or the last one for a record
// without a readable timestamp, and widens the session's time span.
func (p *claudeParser) noteTime(raw json.RawMessage) time.Time {
	s := claudeString(raw)
	if s == "" {
		return p.st.LastTime
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
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

// noteEnvelope takes the session fields every record repeats. The project
// is where the session started; branch and version are the latest.
func (p *claudeParser) noteEnvelope(l *claudeLine) {
	if p.st.Project == "" {
		p.st.Project = claudeString(l.Cwd)
	}
	if b := claudeString(l.GitBranch); b != "" {
		p.st.GitBranch = b
	}
	if v := claudeString(l.Version); v != "" {
		p.st.Version = v
	}
	// An old-layout subagent file names its parent only in its records.
	if p.agent && p.file.ParentNativeID == "" && p.st.ParentID == "" {
		if sid := claudeString(l.SessionID); sid != "" && sid != p.file.NativeID {
			p.st.ParentID = reel.SessionID(reel.SourceClaudeCode, sid)
		}
	}
}

// other returns at most one event of kind holding the record's human
// text, for records reel keeps without modelling them.
func (p *claudeParser) other(r *claudeRecord, kind string) []reel.Event {
	text := claudeGatherText(r.raw, claudeGatherLimit)
	if text == "" {
		return nil
	}
	return []reel.Event{r.event(kind, reel.RoleSystem, text)}
}

// summary maps a summary record, the client's one-line description of a
// conversation, to a summary event; the latest one titles the session.
func (p *claudeParser) summary(r *claudeRecord) []reel.Event {
	text := claudeString(r.line.Summary)
	if strings.TrimSpace(text) == "" {
		return p.other(r, reel.KindSummary)
	}
	p.st.SummaryTitle = claudeTitle(text)
	return []reel.Event{r.event(reel.KindSummary, reel.RoleSystem, text)}
}

// system maps a system record: a compaction boundary is a summary event,
// anything else (notices, errors, hook output) a system event.
func (p *claudeParser) system(r *claudeRecord) []reel.Event {
	text := claudeString(r.line.Content)
	if claudeString(r.line.Subtype) != "compact_boundary" {
		if strings.TrimSpace(text) == "" {
			return p.other(r, reel.KindSystem)
		}
		return []reel.Event{r.event(reel.KindSystem, reel.RoleSystem, text)}
	}
	if text == "" {
		text = "Conversation compacted"
	}
	var meta struct {
		Trigger   json.RawMessage `json:"trigger"`
		PreTokens json.RawMessage `json:"preTokens"`
	}
	// The metadata is part of the validated line; null or absent says
	// nothing.
	if jsonFields(r.line.CompactMetadata, []string{"trigger", "preTokens"}, []*json.RawMessage{&meta.Trigger, &meta.PreTokens}) {
		var notes []string
		if t := claudeString(meta.Trigger); t != "" {
			notes = append(notes, "trigger "+t)
		}
		if n := claudeInt(meta.PreTokens); n > 0 {
			notes = append(notes, fmt.Sprintf("%d tokens before", n))
		}
		if len(notes) > 0 {
			text += " (" + strings.Join(notes, ", ") + ")"
		}
	}
	return []reel.Event{r.event(reel.KindSummary, reel.RoleSystem, text)}
}

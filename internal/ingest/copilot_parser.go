package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/reel-sh/reel"
)

// copilotStateVersion changes whenever copilotState changes meaning, so a
// parser never resumes from state it would misread.
const copilotStateVersion = 1

// The dialects of a Copilot JSONL file, told apart by its first record:
// events carry a "type", mutations of a chat document a numeric "kind".
const (
	copilotDialectEvents = "events"
	copilotDialectLog    = "log"
)

// copilotState is everything a parser knows after the records so far; State
// is its JSON.
type copilotState struct {
	V       int    `json:"v"`
	Dialect string `json:"dialect,omitempty"`
	// Total counts the events that stand, from the file's first record on;
	// a rewind says how many of them it keeps.
	Total int64 `json:"total"`
	// LastTime is the time of the latest record that had one.
	LastTime    time.Time   `json:"last_time"`
	SessionID   string      `json:"session_id,omitempty"`
	Title       string      `json:"title,omitempty"`
	PromptTitle string      `json:"prompt_title,omitempty"`
	Project     string      `json:"project,omitempty"`
	Branch      string      `json:"branch,omitempty"`
	Model       string      `json:"model,omitempty"`
	Version     string      `json:"version,omitempty"`
	StartedAt   time.Time   `json:"started_at"`
	EndedAt     time.Time   `json:"ended_at"`
	Tokens      reel.Tokens `json:"tokens"`
	// Calls and Prompts are the event dialect's memory: see copilotCall
	// and copilotMark.
	Calls   []copilotCall `json:"calls,omitempty"`
	Prompts []copilotMark `json:"prompts,omitempty"`
	// Log is the mutation log dialect's memory.
	Log *copilotLog `json:"log,omitempty"`
}

// copilotParser turns one Copilot session file into events: a CLI or
// VS Code event stream, a chat mutation log, or a whole chat document.
type copilotParser struct {
	file reel.SourceFile
	// The project, title and branch the files beside the session name.
	sideProject, sideTitle, sideBranch string
	st                                 copilotState
	// rewound and keep are what Rewound reports for the record just parsed.
	rewound bool
	keep    int64
}

var _ reel.Rewinder = (*copilotParser)(nil)

// NewParser returns a parser for f, resuming after the records that state
// describes when it is not nil. It reads the workspace.json (VS Code) or
// workspace.yaml (CLI) beside the session for its project and title; a
// missing or broken one is not an error.
func (*Copilot) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := &copilotParser{file: f, st: copilotState{V: copilotStateVersion}}
	if len(state) > 0 && f.Layout != reel.LayoutDocument {
		var st copilotState
		if err := json.Unmarshal(state, &st); err != nil {
			return nil, &reel.Error{Code: reel.ECORRUPT, Message: "restore copilot parser state", Err: err}
		}
		if st.V != copilotStateVersion {
			return nil, reel.Errorf(reel.ECORRUPT, "restore copilot parser state: version %d, want %d", st.V, copilotStateVersion)
		}
		p.st = st
	}
	p.sideProject, p.sideTitle, p.sideBranch = copilotSidecars(f.Path)
	return p, nil
}

// State returns the parser state as JSON.
func (p *copilotParser) State() ([]byte, error) {
	data, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("save copilot parser state: %w", err)
	}
	return data, nil
}

// Rewound reports whether the record just parsed took events back: a chat
// request the log changed after its events were given, or a CLI rewind.
func (p *copilotParser) Rewound() (int64, bool) { return p.keep, p.rewound }

// rewind records that the events from keep on no longer stand.
func (p *copilotParser) rewind(keep int64) {
	if p.rewound {
		keep = min(keep, p.keep)
	}
	p.rewound, p.keep = true, keep
}

// Session returns the session as known after the records so far.
func (p *copilotParser) Session() reel.Session {
	s := reel.Session{
		Source:    reel.SourceCopilot,
		NativeID:  p.file.NativeID,
		Project:   p.st.Project,
		GitBranch: p.st.Branch,
		Model:     p.st.Model,
		Version:   p.st.Version,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
		Tokens:    p.st.Tokens,
	}
	if s.NativeID == "" {
		s.NativeID = p.st.SessionID
	}
	for _, t := range []string{p.st.Title, p.sideTitle, p.st.PromptTitle} {
		if t != "" {
			s.Title = t
			break
		}
	}
	if s.Project == "" {
		s.Project = p.sideProject
	}
	if s.GitBranch == "" {
		s.GitBranch = p.sideBranch
	}
	if p.file.ParentNativeID != "" {
		s.ParentID = reel.SessionID(reel.SourceCopilot, p.file.ParentNativeID)
	}
	return s
}

// Parse reads one record: a line, or for a chat document the whole file.
// It fails only when the record is not JSON; JSON of another shape or of
// an unknown type is kept as RecordUnknown with its text.
func (p *copilotParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	p.rewound, p.keep = false, 0
	if p.file.Layout == reel.LayoutDocument {
		return p.document(rec)
	}
	raw := claudeTrimLine(rec.Data)
	if len(raw) == 0 {
		return nil, reel.Errorf(reel.EINVALID, "invalid JSON: empty line")
	}
	if !json.Valid(raw) {
		return nil, claudeSyntaxError(raw)
	}
	var events []reel.Event
	o := codexDecode(raw)
	switch {
	case o == nil:
		rec.Status, rec.Reason = reel.RecordUnknown, "not a JSON object"
		events = copilotOther(raw, rec.Index, p.st.LastTime)
	default:
		if p.st.Dialect == "" {
			p.st.Dialect = copilotDialectEvents
			if _, ok := o.int("kind"); ok && o.str("type") == "" {
				p.st.Dialect = copilotDialectLog
			}
		}
		if p.st.Dialect == copilotDialectLog {
			events = p.logRecord(rec, raw, o)
		} else {
			events = p.eventRecord(rec, raw, o)
		}
	}
	if p.rewound {
		p.st.Total = p.keep + int64(len(events))
	} else {
		p.st.Total += int64(len(events))
	}
	return events, nil
}

// copilotOther returns at most one event holding the text of a record reel
// does not model.
func copilotOther(raw []byte, index int64, t time.Time) []reel.Event {
	text := copilotGatherText(raw)
	if text == "" {
		return nil
	}
	return []reel.Event{{Time: t, Kind: reel.KindOther, Role: reel.RoleSystem, Text: text, RawIndex: index}}
}

// widen stretches the session's time span to t.
func (p *copilotParser) widen(t time.Time) {
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

// document maps a whole chat session file (ISerializableChatData).
func (p *copilotParser) document(rec *reel.RawRecord) ([]reel.Event, error) {
	raw := bytes.TrimSpace(bytes.TrimPrefix(rec.Data, []byte("\xef\xbb\xbf")))
	if len(raw) == 0 {
		return nil, reel.Errorf(reel.EINVALID, "invalid JSON: empty document")
	}
	if !json.Valid(raw) {
		return nil, claudeSyntaxError(raw)
	}
	o := codexDecode(raw)
	if o == nil || claudeKind(o["requests"]) != '[' {
		rec.Status, rec.Reason = reel.RecordUnknown, "not a chat session: no requests"
		return copilotOther(raw, rec.Index, time.Time{}), nil
	}
	rec.Type = "chatSession"
	meta := copilotReadMeta(o)
	p.st.SessionID, p.st.Title = meta.SessionID, meta.CustomTitle
	p.widen(meta.Created)
	if t, ok := copilotMillis(o, "lastMessageDate"); ok {
		p.widen(t)
	}
	var events []reel.Event
	for _, req := range o.list("requests") {
		r := copilotRenderRequest(req, meta.Selected, rec.Index)
		p.take(&r)
		events = append(events, r.events...)
	}
	if p.st.Model == "" {
		p.st.Model = copilotModelName(meta.Selected)
	}
	return events, nil
}

// take notes what a rendered request says about the session.
func (p *copilotParser) take(r *copilotRender) {
	p.st.Tokens = p.st.Tokens.Add(r.tokens)
	if r.model != "" {
		p.st.Model = r.model
	}
	if r.version != "" {
		p.st.Version = r.version
	}
	if p.st.PromptTitle == "" {
		p.st.PromptTitle = r.prompt
	}
	for _, e := range r.events {
		p.widen(e.Time)
	}
	p.widen(r.last)
}

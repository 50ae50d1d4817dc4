package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/reel-sh/reel"
)

// codexStateVersion is bumped when codexState changes incompatibly, so an
// old cursor makes the engine re-read the file instead of resuming wrongly.
const codexStateVersion = 1

// codexState is everything a parser needs to resume after the records it
// has seen. It is what State returns, as JSON.
type codexState struct {
	Version   int         `json:"v"`
	NativeID  string      `json:"native_id"`
	HasMeta   bool        `json:"has_meta,omitempty"` // the file's own session_meta was read
	OwnID     string      `json:"own_id,omitempty"`   // its id
	ParentID  string      `json:"parent_id,omitempty"`
	Title     string      `json:"title,omitempty"`
	Project   string      `json:"project,omitempty"`
	GitBranch string      `json:"git_branch,omitempty"`
	Client    string      `json:"client_version,omitempty"`
	Model     string      `json:"model,omitempty"`
	StartedAt time.Time   `json:"started_at"`
	EndedAt   time.Time   `json:"ended_at"`
	LastTime  time.Time   `json:"last_time"`
	Tokens    reel.Tokens `json:"tokens"`
	// Usage is the last cumulative token_count total seen, replayed or not:
	// the baseline the next total is measured from.
	Usage *codexUsage `json:"usage,omitempty"`
	// ForkAt is when this session was created, in Unix milliseconds; turns
	// minted before it belong to a replayed ancestor.
	ForkAt int64 `json:"fork_at,omitempty"`
	// Replaying is true inside the ancestor history a fork or spawned
	// child copies into its own file.
	Replaying  bool        `json:"replaying,omitempty"`
	ReplayLast time.Time   `json:"replay_last"`
	Mirror     codexMirror `json:"mirror"`
	Calls      []codexCall `json:"calls,omitempty"`
	Execs      []codexExec `json:"execs,omitempty"`
}

// codexCall remembers a tool call's name, so its result can carry it too.
type codexCall struct {
	ID   string `json:"id"`
	Tool string `json:"tool"`
}

// codexExec is what an exec_command_end event said about a command whose
// function_call_output has not been read yet.
type codexExec struct {
	ID       string        `json:"id"`
	ExitCode *int          `json:"exit_code,omitempty"`
	Duration time.Duration `json:"duration,omitempty"`
}

// codexRemember bounds the call and exec lists: a result follows its call
// within a few records, so older entries are never looked up again.
const codexRemember = 64

// codexParser maps one rollout file's lines into events.
type codexParser struct {
	st codexState
}

func (p *codexParser) restore(state []byte) error {
	if err := json.Unmarshal(state, &p.st); err != nil {
		return reel.Errorf(reel.ECORRUPT, "restore codex parser state: %v", err)
	}
	if p.st.Version != codexStateVersion {
		return reel.Errorf(reel.ECORRUPT, "restore codex parser state: version %d, want %d", p.st.Version, codexStateVersion)
	}
	return nil
}

// State returns the parser's state as JSON.
func (p *codexParser) State() ([]byte, error) {
	b, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("encode codex parser state: %w", err)
	}
	return b, nil
}

// Session returns the session as known after the records so far.
func (p *codexParser) Session() reel.Session {
	return reel.Session{
		Source:    reel.SourceCodex,
		NativeID:  p.st.NativeID,
		ParentID:  p.st.ParentID,
		Title:     p.st.Title,
		Project:   p.st.Project,
		GitBranch: p.st.GitBranch,
		Model:     p.st.Model,
		Version:   p.st.Client,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
		Tokens:    p.st.Tokens,
	}
}

// codexLine is one rollout line. Since Codex 0.3x every line is an envelope
// {timestamp, type, payload}; before that the first line was a bare meta
// object {id, timestamp, instructions, git} and the rest bare response items
// {type, ...} or {record_type: "state"}. The fields stay raw so that a value
// of an unexpected JSON type never fails the whole line.
type codexLine struct {
	Timestamp  json.RawMessage `json:"timestamp"`
	Type       json.RawMessage `json:"type"`
	Payload    json.RawMessage `json:"payload"`
	RecordType json.RawMessage `json:"record_type"`
	ID         json.RawMessage `json:"id"`
}

// codexRecord is the context one line's events are built in.
type codexRecord struct {
	rec  *reel.RawRecord
	time time.Time
}

func (r *codexRecord) event(kind, role, text string) reel.Event {
	return reel.Event{Time: r.time, Kind: kind, Role: role, Text: text, RawIndex: r.rec.Index}
}

// Parse reads one rollout line.
func (p *codexParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	data := bytes.TrimSpace(rec.Data)
	if len(data) == 0 {
		return nil, fmt.Errorf("parse codex line %d: empty line", rec.Line())
	}
	if data[0] != '{' {
		if !json.Valid(data) {
			return nil, fmt.Errorf("parse codex line %d: not JSON", rec.Line())
		}
		return p.unknown(&codexRecord{rec: rec, time: p.st.LastTime}, "", data, "not a JSON object"), nil
	}
	var l codexLine
	if !json.Valid(data) {
		// Unmarshal only to say what is wrong with the line.
		err := json.Unmarshal(data, &l)
		return nil, fmt.Errorf("parse codex line %d: %w", rec.Line(), err)
	}
	jsonFields(data, []string{"timestamp", "type", "payload", "record_type", "id"},
		[]*json.RawMessage{&l.Timestamp, &l.Type, &l.Payload, &l.RecordType, &l.ID})
	r := &codexRecord{rec: rec, time: p.st.LastTime}
	ts, hasTime := codexTime(codexStr(l.Timestamp))
	if hasTime {
		p.noteTime(ts)
		r.time = ts
	}
	typ := codexStr(l.Type)
	if len(l.Payload) == 0 {
		return p.legacy(r, &l, data), nil
	}
	payload := codexDecode(l.Payload)
	if typ == "session_meta" {
		rec.Type = typ
		return p.sessionMeta(r, payload), nil
	}
	if p.st.Replaying {
		if !p.replayEnds(typ, payload, ts, hasTime) {
			rec.Type = codexRecordType(typ, payload)
			rec.Status, rec.Reason = reel.RecordDuplicate, "replayed from parent"
			if typ == "event_msg" && payload.str("type") == "token_count" {
				p.tokenCount(r, payload, true)
			}
			return nil, nil
		}
		p.st.Replaying = false
	}
	rec.Type = codexRecordType(typ, payload)
	switch typ {
	case "turn_context":
		p.turnContext(payload)
		return nil, nil
	case "response_item":
		return p.responseItem(r, payload, l.Payload), nil
	case "event_msg":
		return p.eventMsg(r, payload, l.Payload), nil
	case "compacted":
		return p.compacted(r, payload), nil
	}
	return p.unknown(r, typ, l.Payload, fmt.Sprintf("unknown record type %q", typ)), nil
}

// codexRecordType names a record as "envelope/payload type" for the two
// envelopes that wrap many kinds, and by its envelope type otherwise.
func codexRecordType(typ string, payload codexObj) string {
	if typ == "response_item" || typ == "event_msg" {
		if t := payload.str("type"); t != "" {
			return typ + "/" + t
		}
	}
	return typ
}

// legacy reads a line of the format Codex wrote before the envelope.
func (p *codexParser) legacy(r *codexRecord, l *codexLine, data []byte) []reel.Event {
	obj := codexDecode(data)
	switch {
	case len(l.RecordType) > 0:
		// Resume checkpoints of the old recorder; they repeat nothing new.
		r.rec.Type = "state"
		return nil
	case codexStr(l.Type) != "":
		r.rec.Type = codexRecordType("response_item", obj)
		return p.responseItem(r, obj, data)
	case len(l.ID) > 0 && len(l.Timestamp) > 0:
		r.rec.Type = "session_meta"
		return p.sessionMeta(r, obj)
	}
	return p.unknown(r, "", data, "record without type")
}

// unknown keeps a well-formed record reel does not model: its text stays
// searchable as an "other" event.
func (p *codexParser) unknown(r *codexRecord, typ string, raw []byte, reason string) []reel.Event {
	if r.rec.Type == "" {
		r.rec.Type = typ
	}
	r.rec.Status, r.rec.Reason = reel.RecordUnknown, reason
	text := codexCollectText(raw)
	if text == "" {
		return nil
	}
	return []reel.Event{r.event(reel.KindOther, "", text)}
}

// noteTime widens the session's time span to include t.
func (p *codexParser) noteTime(t time.Time) {
	p.st.LastTime = t
	if p.st.StartedAt.IsZero() || t.Before(p.st.StartedAt) {
		p.st.StartedAt = t
	}
	if t.After(p.st.EndedAt) {
		p.st.EndedAt = t
	}
}

// rememberCall records a tool call's name for its result.
func (p *codexParser) rememberCall(id, tool string) {
	if id == "" || tool == "" {
		return
	}
	p.st.Calls = append(p.st.Calls, codexCall{ID: id, Tool: tool})
	if len(p.st.Calls) > codexRemember {
		p.st.Calls = append(p.st.Calls[:0:0], p.st.Calls[len(p.st.Calls)-codexRemember:]...)
	}
}

// callTool returns the name of the tool call id names, if still known.
func (p *codexParser) callTool(id string) string {
	for i := len(p.st.Calls) - 1; i >= 0; i-- {
		if p.st.Calls[i].ID == id {
			return p.st.Calls[i].Tool
		}
	}
	return ""
}

// rememberExec keeps what an exec_command_end said until the command's
// output record arrives.
func (p *codexParser) rememberExec(e codexExec) {
	if e.ID == "" {
		return
	}
	p.st.Execs = append(p.st.Execs, e)
	if len(p.st.Execs) > codexRemember {
		p.st.Execs = append(p.st.Execs[:0:0], p.st.Execs[len(p.st.Execs)-codexRemember:]...)
	}
}

// takeExec returns and forgets the exec result for call id.
func (p *codexParser) takeExec(id string) (codexExec, bool) {
	for i := len(p.st.Execs) - 1; i >= 0; i-- {
		if p.st.Execs[i].ID == id {
			e := p.st.Execs[i]
			p.st.Execs = append(p.st.Execs[:i], p.st.Execs[i+1:]...)
			return e, true
		}
	}
	return codexExec{}, false
}

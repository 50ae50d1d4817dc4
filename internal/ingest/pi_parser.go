package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// piStateVersion is bumped when piState changes incompatibly, so an old
// cursor makes the engine re-read the file instead of resuming wrongly.
const piStateVersion = 1

// piState is everything a parser needs to resume after the records it has
// seen. It is what State returns, as JSON.
type piState struct {
	Version  int    `json:"v"`
	NativeID string `json:"native_id"`
	ParentID string `json:"parent_id,omitempty"`
	// Emitted is set once any event was returned: the native id is fixed.
	Emitted bool   `json:"emitted,omitempty"`
	Title   string `json:"title,omitempty"`
	// Name is the name the user gave the session (session_info).
	Name      string      `json:"name,omitempty"`
	Project   string      `json:"project,omitempty"`
	Model     string      `json:"model,omitempty"`
	StartedAt time.Time   `json:"started_at"`
	EndedAt   time.Time   `json:"ended_at"`
	LastTime  time.Time   `json:"last_time"`
	Tokens    reel.Tokens `json:"tokens"`
	// ForkAt is when a session forked from another was created: the
	// entries before it are the parent's, copied.
	ForkAt time.Time `json:"fork_at"`
}

// piParser maps one session file's entries into events.
type piParser struct {
	st piState
}

func (p *piParser) restore(state []byte) error {
	if err := json.Unmarshal(state, &p.st); err != nil {
		return reel.Errorf(reel.ECORRUPT, "restore pi parser state: %v", err)
	}
	if p.st.Version != piStateVersion {
		return reel.Errorf(reel.ECORRUPT, "restore pi parser state: version %d, want %d", p.st.Version, piStateVersion)
	}
	return nil
}

// State returns the parser's state as JSON.
func (p *piParser) State() ([]byte, error) {
	b, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("encode pi parser state: %w", err)
	}
	return b, nil
}

// Session returns the session as known after the records so far: the
// name the user gave it is its title, else its first prompt.
func (p *piParser) Session() reel.Session {
	title := p.st.Title
	if p.st.Name != "" {
		title = p.st.Name
	}
	return reel.Session{
		Source:    reel.SourcePi,
		NativeID:  p.st.NativeID,
		ParentID:  p.st.ParentID,
		Title:     title,
		Project:   p.st.Project,
		Model:     p.st.Model,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
		Tokens:    p.st.Tokens,
	}
}

// piEntry is the context one entry's events are built in.
type piEntry struct {
	rec  *reel.RawRecord
	obj  codexObj
	id   string
	time time.Time
	// copied is set for an entry a fork copied from its parent: it is
	// read for the title and model, but emits nothing.
	copied bool
}

func (e *piEntry) event(kind, role, text string) reel.Event {
	return reel.Event{Time: e.time, Kind: kind, Role: role, Text: text, NativeID: e.id, RawIndex: e.rec.Index}
}

// Parse reads one line. It fails only when the line is not JSON. Every
// entry is read in file order whichever branch it is on: an entry's
// NativeID is its id, which its children name as their parentId.
func (p *piParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	raw := claudeTrimLine(rec.Data)
	if len(raw) == 0 {
		return nil, reel.Errorf(reel.EINVALID, "invalid JSON: empty line")
	}
	if !json.Valid(raw) {
		return nil, claudeSyntaxError(raw)
	}
	obj := codexDecode(raw)
	if obj == nil {
		rec.Status, rec.Reason = reel.RecordUnknown, "not a JSON object"
		return p.emit(piOther(rec, raw, p.st.LastTime)), nil
	}
	typ := obj.str("type")
	rec.Type = claudeClip(typ, claudeTypeRunes)
	e := &piEntry{rec: rec, obj: obj, id: obj.str("id"), time: p.st.LastTime}
	if t, ok := codexTime(obj.str("timestamp")); ok {
		e.time = t.UTC()
		p.noteTime(e.time)
	}
	if typ != "session" && !p.st.ForkAt.IsZero() && e.time.Before(p.st.ForkAt) {
		e.copied = true
	}
	var evs []reel.Event
	switch typ {
	case "session":
		p.header(obj)
	case "message":
		evs = p.message(e)
	case "model_change", "modelChange":
		if m := piFirst(obj.str("modelId"), obj.str("model")); m != "" {
			p.st.Model = m
		}
	case "thinking_level_change", "thinkingLevelChange", "custom":
		// Settings and extension state: nothing to show or search.
	case "compaction", "compactionSummary", "branch_summary", "branchSummary":
		// The camelCase names are how some writers spell these entries.
		if text := strings.TrimSpace(obj.str("summary")); text != "" {
			evs = append(evs, e.event(reel.KindSummary, reel.RoleSystem, text))
		}
	case "custom_message":
		if text := piContentText(obj["content"]); strings.TrimSpace(text) != "" {
			evs = append(evs, e.event(reel.KindSystem, reel.RoleSystem, text))
		}
	case "label":
		if label := strings.TrimSpace(obj.str("label")); label != "" {
			evs = append(evs, e.event(reel.KindCheckpoint, reel.RoleUser, label))
		}
	case "session_info":
		if name := claudeTitle(obj.str("name")); name != "" && !e.copied {
			p.st.Name = name
		}
	default:
		rec.Status, rec.Reason = reel.RecordUnknown, fmt.Sprintf("unknown entry type %q", rec.Type)
		if typ == "" {
			rec.Reason = "entry has no type"
		}
		evs = piOther(rec, raw, e.time)
	}
	if e.copied {
		rec.Status, rec.Reason = reel.RecordDuplicate, "copied from the parent session"
		return nil, nil
	}
	return p.emit(evs), nil
}

// emit notes that events were returned.
func (p *piParser) emit(evs []reel.Event) []reel.Event {
	if len(evs) > 0 {
		p.st.Emitted = true
	}
	return evs
}

// header reads the session line: the session's id, working directory and
// start, and the session it was forked from. pi writes parentSession; some
// older files say branchedFrom.
func (p *piParser) header(obj codexObj) {
	if id := obj.str("id"); id != "" && !p.st.Emitted {
		p.st.NativeID = id
	}
	if cwd := obj.str("cwd"); cwd != "" {
		p.st.Project = cwd
	}
	parent := piFirst(obj.str("parentSession"), obj.str("branchedFrom"))
	if parent == "" {
		return
	}
	if p.st.ParentID == "" {
		p.st.ParentID = reel.SessionID(reel.SourcePi, piPathNativeID(parent))
	}
	if t, ok := codexTime(obj.str("timestamp")); ok && obj.str("parentSession") != "" {
		p.st.ForkAt = t.UTC()
	}
}

// noteTime widens the session's time span to include t.
func (p *piParser) noteTime(t time.Time) {
	p.st.LastTime = t
	if p.st.StartedAt.IsZero() || t.Before(p.st.StartedAt) {
		p.st.StartedAt = t
	}
	if t.After(p.st.EndedAt) {
		p.st.EndedAt = t
	}
}

// piOther keeps an entry reel does not model searchable: its strings, but
// not its type, ids or timestamp.
func piOther(rec *reel.RawRecord, raw []byte, t time.Time) []reel.Event {
	var parts []string
	if !jsonEachField(raw, func(key, value []byte) {
		switch k, _ := jsonUnquote(key); k {
		case "type", "id", "parentId", "timestamp":
		default:
			parts = codexAppendText(parts, codexCollectText(value))
		}
	}) {
		parts = codexAppendText(parts, codexCollectText(raw))
	}
	if len(parts) == 0 {
		return nil
	}
	return []reel.Event{{Time: t, Kind: reel.KindOther, Text: strings.Join(parts, "\n"), RawIndex: rec.Index}}
}

// piFirst returns the first non-empty string.
func piFirst(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

package ingest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

var _ reel.Rewinder = (*geminiParser)(nil)

// geminiStateVersion is bumped when geminiState changes incompatibly, so
// an old cursor makes the engine re-read the file instead of resuming
// wrongly.
const geminiStateVersion = 1

// How much of the message history the state keeps. A rewind names a user
// prompt to go back to, so the start of every message is remembered up to
// geminiMarks of them, older non-user ones forgotten first; what each
// message has already emitted is remembered for the last geminiOpen only,
// since the CLI re-writes a message (adding tool results and token counts)
// only while it is the latest.
const (
	geminiMarks = 256
	geminiOpen  = 16
)

// geminiState is everything a parser needs to resume after the records it
// has seen. It is what State returns, as JSON.
type geminiState struct {
	Version  int    `json:"v"`
	NativeID string `json:"native_id"`
	ParentID string `json:"parent_id,omitempty"`
	// Emitted is set once any event was returned: the native id is fixed.
	Emitted bool   `json:"emitted,omitempty"`
	Title   string `json:"title,omitempty"`
	// TitleAt is the count of events before the prompt the title came
	// from, so that a rewind past it clears the title.
	TitleAt   int64       `json:"title_at,omitempty"`
	Summary   string      `json:"summary,omitempty"`
	Project   string      `json:"project,omitempty"`
	Directory string      `json:"directory,omitempty"`
	Model     string      `json:"model,omitempty"`
	StartedAt time.Time   `json:"started_at"`
	EndedAt   time.Time   `json:"ended_at"`
	Tokens    reel.Tokens `json:"tokens"`
	// Events counts the events that stand, from the file's first record.
	Events int64 `json:"events"`
	// LastMsg is the newest message timestamp seen: a message the CLI
	// re-writes keeps its time, a new one is never older.
	LastMsg time.Time `json:"last_msg"`
	// Evicted is set once a mark was forgotten: an unknown id may then be
	// an old message rather than a new one.
	Evicted bool         `json:"evicted,omitempty"`
	Marks   []geminiMark `json:"marks,omitempty"`
	Open    []geminiSeen `json:"open,omitempty"`
}

// geminiMark is where a message's events start: how many events stood
// before it, and the session's tokens then.
type geminiMark struct {
	ID     string   `json:"id"`
	User   bool     `json:"u,omitempty"`
	At     int64    `json:"at"`
	Tokens [5]int64 `json:"t"`
}

// geminiSeen is what a recent message has emitted, so that a re-written
// copy of it emits only what is new.
type geminiSeen struct {
	ID       string   `json:"id"`
	At       int64    `json:"at"`
	Text     bool     `json:"text,omitempty"`
	Thoughts int      `json:"thoughts,omitempty"`
	Counted  bool     `json:"counted,omitempty"`
	Calls    []string `json:"calls,omitempty"`
	Results  []string `json:"results,omitempty"`
}

// geminiParser maps one chat file's records into events.
type geminiParser struct {
	st       geminiState
	document bool
	// rewound and keep report the last record's rewind (see Rewound).
	rewound bool
	keep    int64
}

func newGeminiParser(f reel.SourceFile) *geminiParser {
	p := &geminiParser{document: f.Layout == reel.LayoutDocument}
	p.st.Version = geminiStateVersion
	p.st.NativeID = f.NativeID
	if p.st.NativeID == "" {
		p.st.NativeID, _, _ = geminiChatStem(filepath.Base(f.Path))
	}
	if f.ParentNativeID != "" {
		p.st.ParentID = reel.SessionID(reel.SourceGemini, f.ParentNativeID)
	}
	return p
}

func (p *geminiParser) restore(state []byte) error {
	if err := json.Unmarshal(state, &p.st); err != nil {
		return reel.Errorf(reel.ECORRUPT, "restore gemini parser state: %v", err)
	}
	if p.st.Version != geminiStateVersion {
		return reel.Errorf(reel.ECORRUPT, "restore gemini parser state: version %d, want %d", p.st.Version, geminiStateVersion)
	}
	return nil
}

// State returns the parser's state as JSON.
func (p *geminiParser) State() ([]byte, error) {
	b, err := json.Marshal(&p.st)
	if err != nil {
		return nil, fmt.Errorf("encode gemini parser state: %w", err)
	}
	return b, nil
}

// Session returns the session as known after the records so far. The
// summary the CLI writes for its session list is a better title than the
// first prompt.
func (p *geminiParser) Session() reel.Session {
	title := p.st.Title
	if p.st.Summary != "" {
		title = p.st.Summary
	}
	project := p.st.Project
	if project == "" {
		project = p.st.Directory
	}
	return reel.Session{
		Source:    reel.SourceGemini,
		NativeID:  p.st.NativeID,
		ParentID:  p.st.ParentID,
		Title:     title,
		Project:   project,
		Model:     p.st.Model,
		StartedAt: p.st.StartedAt,
		EndedAt:   p.st.EndedAt,
		Tokens:    p.st.Tokens,
	}
}

// Rewound reports whether the record just parsed was a $rewindTo, and how
// many of the session's events stand after it.
func (p *geminiParser) Rewound() (int64, bool) { return p.keep, p.rewound }

// geminiRecord is the context one record's events are built in.
type geminiRecord struct {
	rec *reel.RawRecord
	// out collects the record's events.
	out []reel.Event
}

// at returns the count of the session's events before the next one.
func (p *geminiParser) at(r *geminiRecord) int64 { return p.st.Events + int64(len(r.out)) }

// Parse reads one record: a line of a .jsonl chat or a whole .json one. It
// fails only when the record is not JSON.
func (p *geminiParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	rec.Type, rec.Status, rec.Reason = "", reel.RecordOK, ""
	p.rewound, p.keep = false, 0
	raw := claudeTrimLine(rec.Data)
	if len(raw) == 0 {
		return nil, reel.Errorf(reel.EINVALID, "invalid JSON: empty record")
	}
	if !json.Valid(raw) {
		return nil, claudeSyntaxError(raw)
	}
	r := &geminiRecord{rec: rec}
	obj := codexDecode(raw)
	switch {
	case obj == nil:
		rec.Status, rec.Reason = reel.RecordUnknown, "not a JSON object"
		p.other(r, raw)
	case p.document:
		p.conversation(r, obj, raw)
	default:
		p.line(r, obj, raw)
	}
	p.st.Events += int64(len(r.out))
	if len(r.out) > 0 {
		p.st.Emitted = true
	}
	return r.out, nil
}

// line reads one record of a .jsonl chat. The kinds are told apart the
// way the CLI's own loader does, in the same order: a rewind, a message
// (anything with a string id), a metadata update, the metadata line.
func (p *geminiParser) line(r *geminiRecord, obj codexObj, raw []byte) {
	rec := r.rec
	switch {
	case geminiIsString(obj["$rewindTo"]):
		rec.Type = "$rewindTo"
		p.rewind(obj.str("$rewindTo"))
	case geminiIsString(obj["id"]):
		rec.Type = claudeClip(obj.str("type"), claudeTypeRunes)
		if rec.Type == "" {
			rec.Type = "message"
		}
		rec.Status, rec.Reason = p.message(r, obj, raw)
	case len(obj["$set"]) > 0 && obj["$set"][0] == '{':
		rec.Type = "$set"
		set := obj.obj("$set")
		p.meta(set)
		// A full messages list replaces the conversation in the CLI's
		// view (history masking, compression); reel reads from it only
		// what its messages add.
		for _, m := range set.list("messages") {
			if mo := codexDecode(m); geminiIsString(mo["id"]) {
				p.message(r, mo, m)
			}
		}
	case geminiIsString(obj["sessionId"]) && geminiIsString(obj["projectHash"]):
		rec.Type = "metadata"
		p.meta(obj)
	default:
		rec.Status, rec.Reason = reel.RecordUnknown, "record is no message, rewind, update or metadata"
		p.other(r, raw)
	}
}

// conversation reads a whole .json chat: the conversation's metadata and its
// messages array.
func (p *geminiParser) conversation(r *geminiRecord, obj codexObj, raw []byte) {
	r.rec.Type = "conversation"
	msgs := obj["messages"]
	if len(msgs) == 0 || msgs[0] != '[' {
		r.rec.Status, r.rec.Reason = reel.RecordUnknown, "document has no messages array"
		p.other(r, raw)
		return
	}
	p.meta(obj)
	for _, m := range codexList(msgs) {
		mo := codexDecode(m)
		if mo == nil {
			continue
		}
		p.message(r, mo, m)
	}
}

// other keeps a record reel does not model searchable.
func (p *geminiParser) other(r *geminiRecord, raw []byte) {
	if text := geminiOtherText(raw); text != "" {
		r.out = append(r.out, reel.Event{Kind: reel.KindOther, Text: text})
	}
}

// meta reads session metadata: from the first line, a $set update or the
// whole document.
func (p *geminiParser) meta(m codexObj) {
	if id := m.str("sessionId"); id != "" && !p.st.Emitted {
		p.st.NativeID = id
	}
	for _, key := range []string{"startTime", "lastUpdated"} {
		if t, ok := codexTime(m.str(key)); ok {
			p.noteTime(t)
		}
	}
	if s := claudeTitle(m.str("summary")); s != "" {
		p.st.Summary = s
	}
	if dirs := codexStrings(m["directories"]); len(dirs) > 0 && dirs[0] != "" {
		p.st.Directory = dirs[0]
	}
}

// noteTime widens the session's time span to include t. Times are kept
// in UTC, so that a state read back compares equal.
func (p *geminiParser) noteTime(t time.Time) {
	t = t.UTC()
	if p.st.StartedAt.IsZero() || t.Before(p.st.StartedAt) {
		p.st.StartedAt = t
	}
	if t.After(p.st.EndedAt) {
		p.st.EndedAt = t
	}
}

// geminiOtherText returns the searchable text of a record or message reel
// does not model: its strings, but not its id, type or timestamp.
func geminiOtherText(raw []byte) string {
	var parts []string
	if !jsonEachField(raw, func(key, value []byte) {
		switch k, _ := jsonUnquote(key); k {
		case "id", "type", "timestamp":
		default:
			parts = codexAppendText(parts, codexCollectText(value))
		}
	}) {
		return codexCollectText(raw)
	}
	return strings.Join(parts, "\n")
}

// geminiIsString reports whether raw is a JSON string.
func geminiIsString(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '"' }

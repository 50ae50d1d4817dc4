package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/proc"
)

// Ext is the journal file extension.
const Ext = ".ndjson"

// Version is the journal format version written in every header.
const Version = 1

// Line types, the "t" field of every line.
const (
	TypeStart      = "start"      // the header, the first line
	TypeEvent      = "event"      // one event
	TypeCheckpoint = "checkpoint" // one checkpoint
	TypeMeta       = "meta"       // new metadata: title, model, cost
	TypeResume     = "resume"     // another process took the session over
	TypeEnd        = "end"        // the session ended
)

// Meta is what a live session is opened with.
type Meta struct {
	Source   string `json:"source"`
	NativeID string `json:"native_id"`
	// ParentID is the id of the session this one belongs to: for hook
	// sessions, the one synced from the client's transcript.
	ParentID  string `json:"parent_id,omitempty"`
	Title     string `json:"title,omitempty"`
	Project   string `json:"project,omitempty"`
	GitBranch string `json:"git_branch,omitempty"`
	Model     string `json:"model,omitempty"`
	Version   string `json:"client_version,omitempty"`
	// StartedAt is when the session started; the time of Open if zero.
	StartedAt time.Time `json:"started_at"`
}

// Header is a journal's first line.
type Header struct {
	T         string `json:"t"`
	V         int    `json:"v"`
	SessionID string `json:"session_id"`
	Meta
	Host  string     `json:"host,omitempty"`
	Owner proc.Owner `json:"owner"`
}

// eventLine is an event as written: the event's SessionID (the header
// has it) and RawIndex (not the journal's to say) are shadowed by empty
// fields, left out.
type eventLine struct {
	T string `json:"t"`
	reel.Event
	SessionID string `json:"session_id,omitempty"`
	RawIndex  int64  `json:"raw_index,omitempty"`
}

// checkpointLine is a checkpoint as written.
type checkpointLine struct {
	T string `json:"t"`
	reel.Checkpoint
}

// Update changes a live session's metadata; empty fields (and a zero
// cost) leave it as it was.
type Update struct {
	T       string    `json:"t"`
	Time    time.Time `json:"time"`
	Title   string    `json:"title,omitempty"`
	Model   string    `json:"model,omitempty"`
	Version string    `json:"client_version,omitempty"`
	// CostUSD is the session's total cost so far, as the client reports it.
	CostUSD float64 `json:"cost_usd,omitempty"`
}

// Resume records that another process took the session over: a daemon
// restarted while the agent went on.
type Resume struct {
	T     string     `json:"t"`
	Time  time.Time  `json:"time"`
	Owner proc.Owner `json:"owner"`
}

// End is a session's last line (a Resume may follow it, when a client
// resumes an ended session).
type End struct {
	T    string    `json:"t"`
	Time time.Time `json:"time"`
	// Status is reel.StatusCompleted or reel.StatusInterrupted.
	Status string `json:"status"`
	Events int64  `json:"events"`
	// Reason says why a session was interrupted.
	Reason string `json:"reason,omitempty"`
}

// Line is one journal line, parsed. Exactly one payload is set, by T;
// none for a line of a type this reel does not know.
type Line struct {
	T          string
	Header     *Header
	Event      *reel.Event
	Checkpoint *reel.Checkpoint
	Update     *Update
	Resume     *Resume
	End        *End
}

// ParseLine parses one journal line (with or without its terminator). An
// error means it is not a journal line at all: not a JSON object, or a
// known type whose fields do not fit. An event's SessionID is left empty.
func ParseLine(data []byte) (Line, error) {
	data = bytes.TrimSpace(data)
	var probe struct {
		T string `json:"t"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Line{}, err
	}
	l := Line{T: probe.T}
	var err error
	switch probe.T {
	case TypeStart:
		l.Header = &Header{}
		err = json.Unmarshal(data, l.Header)
		if err == nil && l.Header.SessionID == "" {
			err = fmt.Errorf("header has no session id")
		}
	case TypeEvent:
		var e eventLine
		err = json.Unmarshal(data, &e)
		e.Event.SessionID, e.Event.RawIndex = "", 0
		l.Event = &e.Event
		if err == nil && e.Seq < 0 {
			err = fmt.Errorf("negative seq %d", e.Seq)
		}
	case TypeCheckpoint:
		var c checkpointLine
		err = json.Unmarshal(data, &c)
		l.Checkpoint = &c.Checkpoint
		if err == nil && (c.ID == "" || c.Seq < 0) {
			err = fmt.Errorf("checkpoint without id or with a negative seq")
		}
	case TypeMeta:
		l.Update = &Update{}
		err = json.Unmarshal(data, l.Update)
	case TypeResume:
		l.Resume = &Resume{}
		err = json.Unmarshal(data, l.Resume)
	case TypeEnd:
		l.End = &End{}
		err = json.Unmarshal(data, l.End)
	}
	if err != nil {
		return Line{}, fmt.Errorf("%s line: %w", probe.T, err)
	}
	return l, nil
}

// marshalLine encodes v as one JSON line, HTML characters left alone.
func marshalLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode journal line: %w", err)
	}
	return b.Bytes(), nil
}

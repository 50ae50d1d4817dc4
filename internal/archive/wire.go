package archive

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// The wire types are the document's JSON form. They are declared here,
// not taken from the reel types' JSON tags, so that the format changes
// only when this package says so; TestWire_CoversModel fails when a reel
// type gains a field that they do not carry. Every string in them is in
// the escaped form of text.go.

// sessionJSON is the "session" member.
type sessionJSON struct {
	ID         string      `json:"id"`
	Source     string      `json:"source"`
	NativeID   string      `json:"native_id"`
	ParentID   string      `json:"parent_id,omitempty"`
	Title      string      `json:"title"`
	Project    string      `json:"project"`
	GitBranch  string      `json:"git_branch,omitempty"`
	Host       string      `json:"host,omitempty"`
	Model      string      `json:"model,omitempty"`
	Version    string      `json:"client_version,omitempty"`
	StartedAt  time.Time   `json:"started_at"`
	EndedAt    time.Time   `json:"ended_at"`
	Status     string      `json:"status"`
	EventCount int64       `json:"event_count"`
	Tokens     reel.Tokens `json:"tokens"`
	Path       string      `json:"path,omitempty"`
}

// rawJSON is one element of "raw". Data is in Text when it is valid
// UTF-8 (the empty record included), in Base64 otherwise, and in neither
// when the store kept no data (a record too long to keep).
type rawJSON struct {
	Index  int64   `json:"index"`
	Offset int64   `json:"offset"`
	Name   string  `json:"name,omitempty"`
	Type   string  `json:"type,omitempty"`
	Status string  `json:"status"`
	Reason string  `json:"reason,omitempty"`
	Text   *string `json:"text,omitempty"`
	Base64 *string `json:"base64,omitempty"`
}

// eventJSON is one element of "events". Input is the exact bytes of the
// event's input as a string, not a nested JSON value: encoding/json would
// reformat a nested value, and a string keeps the document's nesting
// depth fixed.
type eventJSON struct {
	Seq       int64       `json:"seq"`
	Time      time.Time   `json:"time,omitzero"`
	Kind      string      `json:"kind"`
	Role      string      `json:"role,omitempty"`
	Text      string      `json:"text"`
	Tool      string      `json:"tool,omitempty"`
	CallID    string      `json:"call_id,omitempty"`
	MessageID string      `json:"message_id,omitempty"`
	NativeID  string      `json:"native_id,omitempty"`
	Model     string      `json:"model,omitempty"`
	ExitCode  *int64      `json:"exit_code,omitempty"`
	IsError   bool        `json:"is_error,omitempty"`
	Duration  int64       `json:"duration_ns,omitempty"`
	Tokens    reel.Tokens `json:"tokens,omitzero"`
	Input     *string     `json:"input,omitempty"`
	RawIndex  int64       `json:"raw_index"`
}

// checkpointJSON is one element of "checkpoints". State is a string for
// the reasons Input is.
type checkpointJSON struct {
	ID    string    `json:"id"`
	Label string    `json:"label,omitempty"`
	Time  time.Time `json:"time,omitzero"`
	Seq   int64     `json:"seq"`
	State *string   `json:"state,omitempty"`
}

func toSessionJSON(s *reel.Session) sessionJSON {
	return sessionJSON{
		ID: encText(s.ID), Source: encText(s.Source), NativeID: encText(s.NativeID),
		ParentID: encText(s.ParentID), Title: encText(s.Title), Project: encText(s.Project),
		GitBranch: encText(s.GitBranch), Host: encText(s.Host), Model: encText(s.Model),
		Version: encText(s.Version), StartedAt: s.StartedAt, EndedAt: s.EndedAt,
		Status: encText(s.Status), EventCount: s.EventCount, Tokens: s.Tokens, Path: encText(s.Path),
	}
}

func toRawJSON(r *reel.RawRecord) rawJSON {
	w := rawJSON{Index: r.Index, Offset: r.Offset, Name: encText(r.Name), Type: encText(r.Type),
		Status: encText(r.Status), Reason: encText(r.Reason)}
	switch {
	case r.Data == nil:
	case utf8.Valid(r.Data):
		s := string(r.Data)
		w.Text = &s
	default:
		b := base64.StdEncoding.EncodeToString(r.Data)
		w.Base64 = &b
	}
	return w
}

func toEventJSON(e *reel.Event) eventJSON {
	w := eventJSON{Seq: e.Seq, Time: e.Time, Kind: encText(e.Kind), Role: encText(e.Role),
		Text: encText(e.Text), Tool: encText(e.Tool), CallID: encText(e.CallID),
		MessageID: encText(e.MessageID), NativeID: encText(e.NativeID), Model: encText(e.Model),
		IsError: e.IsError, Duration: int64(e.Duration), Tokens: e.Tokens, RawIndex: e.RawIndex}
	if e.ExitCode != nil {
		c := int64(*e.ExitCode)
		w.ExitCode = &c
	}
	if e.Input != nil {
		s := encText(string(e.Input))
		w.Input = &s
	}
	return w
}

func toCheckpointJSON(c *reel.Checkpoint) checkpointJSON {
	w := checkpointJSON{ID: encText(c.ID), Label: encText(c.Label), Time: c.Time, Seq: c.Seq}
	if c.State != nil {
		s := encText(string(c.State))
		w.State = &s
	}
	return w
}

// texts decodes escaped strings and holds them to a size limit,
// remembering the first failure with the field it was in.
type texts struct {
	max int64
	err error
}

func (t *texts) dec(field, s string) string {
	if t.err != nil {
		return ""
	}
	out, err := decText(s)
	switch {
	case err != nil:
		t.err = fmt.Errorf("%s: %w", field, err)
	case int64(len(out)) > t.max:
		t.err = fmt.Errorf("%s: %d bytes, over the limit of %d", field, len(out), t.max)
	}
	return out
}

func (t *texts) bytes(field string, s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(t.dec(field, *s))
}

func (w *sessionJSON) session(t *texts) reel.Session {
	return reel.Session{
		ID: t.dec("id", w.ID), Source: t.dec("source", w.Source), NativeID: t.dec("native_id", w.NativeID),
		ParentID: t.dec("parent_id", w.ParentID), Title: t.dec("title", w.Title),
		Project: t.dec("project", w.Project), GitBranch: t.dec("git_branch", w.GitBranch),
		Host: t.dec("host", w.Host), Model: t.dec("model", w.Model),
		Version: t.dec("client_version", w.Version), StartedAt: w.StartedAt, EndedAt: w.EndedAt,
		Status: t.dec("status", w.Status), EventCount: w.EventCount, Tokens: w.Tokens,
		Path: t.dec("path", w.Path),
	}
}

// record returns the raw record, refusing data over maxData bytes.
func (w *rawJSON) record(t *texts, maxData int64) reel.RawRecord {
	r := reel.RawRecord{Index: w.Index, Offset: w.Offset, Name: t.dec("name", w.Name),
		Type: t.dec("type", w.Type), Status: t.dec("status", w.Status), Reason: t.dec("reason", w.Reason)}
	switch {
	case t.err != nil:
	case w.Text != nil && w.Base64 != nil:
		t.err = errors.New("text and base64: a record has one or the other")
	case w.Text != nil:
		r.Data = []byte(*w.Text)
	case w.Base64 != nil:
		// Padding makes DecodedLen up to 2 bytes more than the data.
		if n := int64(base64.StdEncoding.DecodedLen(len(*w.Base64))) - 2; n > maxData {
			t.err = fmt.Errorf("base64: about %d bytes of data, over the limit of %d", n, maxData)
			break
		}
		data, err := base64.StdEncoding.Strict().DecodeString(*w.Base64)
		if err != nil {
			t.err = fmt.Errorf("base64: %w", err)
			break
		}
		r.Data = data
	}
	return r
}

func (w *eventJSON) event(t *texts, sessionID string) reel.Event {
	e := reel.Event{SessionID: sessionID, Seq: w.Seq, Time: w.Time, Kind: t.dec("kind", w.Kind),
		Role: t.dec("role", w.Role), Text: t.dec("text", w.Text), Tool: t.dec("tool", w.Tool),
		CallID: t.dec("call_id", w.CallID), MessageID: t.dec("message_id", w.MessageID),
		NativeID: t.dec("native_id", w.NativeID), Model: t.dec("model", w.Model),
		IsError: w.IsError, Duration: time.Duration(w.Duration), Tokens: w.Tokens,
		Input: t.bytes("input", w.Input), RawIndex: w.RawIndex}
	if w.ExitCode != nil {
		c := int(*w.ExitCode)
		if int64(c) != *w.ExitCode && t.err == nil {
			t.err = fmt.Errorf("exit_code: %d does not fit an int here", *w.ExitCode)
		}
		e.ExitCode = &c
	}
	return e
}

func (w *checkpointJSON) checkpoint(t *texts, sessionID string) reel.Checkpoint {
	return reel.Checkpoint{ID: t.dec("id", w.ID), SessionID: sessionID, Label: t.dec("label", w.Label),
		Time: w.Time, Seq: w.Seq, State: t.bytes("state", w.State)}
}

package hook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/reel-sh/reel"
)

// Clients reel takes hook events from, by their source names.
const (
	ClientClaude = "claude-code"
	ClientCodex  = "codex"
	ClientGemini = "gemini"
)

// Clients lists the clients reel reads hooks from.
func Clients() []string { return []string{ClientClaude, ClientCodex, ClientGemini} }

// CodexTurnComplete is the event Codex's notify program receives, in its
// "type" field, when a turn ends (kept as Codex spells it).
const CodexTurnComplete = "agent-turn-complete"

// Parse reads one payload that client gave its hook program into a hook
// event: Client, Name, SessionID and Cwd are filled from it and Payload
// holds data exactly as read. name, when not empty (reel hook --event),
// is the event's name if the payload has none.
//
// A payload that is not JSON, or JSON that is not an object, is EINVALID
// naming the client and the byte offset where reading stopped; the event
// returned with that error still has Client and Name, and no Payload. A
// payload without a session id is not an error here: the receiver decides.
func Parse(client string, data []byte, name string) (reel.HookEvent, error) {
	e := reel.HookEvent{Client: client, Name: name}
	if !isClient(client) {
		return e, reel.Errorf(reel.EINVALID, "hook client %q: not one reel reads", client).
			WithHint("use one of " + strings.Join(Clients(), ", "))
	}
	if err := checkObject(data); err != nil {
		return e, reel.Errorf(reel.EINVALID, "%s hook payload: %s", client, err)
	}
	var f fields
	// checkObject proved the payload is one JSON object; a field of an
	// unexpected type is skipped, the others read, and the event kept.
	_ = json.Unmarshal(data, &f)
	e.Payload = json.RawMessage(bytes.Clone(data))
	switch {
	case f.HookEventName != "":
		e.Name = f.HookEventName
	case f.Type != "" && e.Name == "":
		e.Name = f.Type
	}
	e.SessionID = first(f.SessionID, f.ThreadID, f.ThreadIDSnake, f.ConversationID)
	e.Cwd = f.Cwd
	return e, nil
}

// fields are the payload fields Parse reads; the rest stay in Payload.
type fields struct {
	HookEventName  string `json:"hook_event_name"`
	SessionID      string `json:"session_id"`
	Cwd            string `json:"cwd"`
	Type           string `json:"type"`      // Codex notify
	ThreadID       string `json:"thread-id"` // Codex notify
	ThreadIDSnake  string `json:"thread_id"`
	ConversationID string `json:"conversation_id"`
}

func isClient(c string) bool {
	for _, k := range Clients() {
		if c == k {
			return true
		}
	}
	return false
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// checkObject reports where data stops being one JSON object, as "not
// JSON at byte N: …".
func checkObject(data []byte) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return fmt.Errorf("empty (%d bytes of white space)", len(data))
	}
	if trimmed[0] != '{' {
		return fmt.Errorf("not a JSON object at byte %d", len(data)-len(trimmed))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		off := dec.InputOffset()
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.Is(err, io.ErrUnexpectedEOF):
			off = int64(len(data))
		}
		return fmt.Errorf("not JSON at byte %d: %v", off, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("not JSON at byte %d: more after the object", dec.InputOffset())
	}
	return nil
}

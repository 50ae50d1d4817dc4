package reel

import (
	"encoding/json"
	"time"
)

// Event kinds.
const (
	KindMessage    = "message"     // a user or assistant message
	KindReasoning  = "reasoning"   // model thinking / reasoning text
	KindToolCall   = "tool_call"   // a tool invocation with its input
	KindToolResult = "tool_result" // what a tool returned
	KindCommand    = "command"     // a shell command
	KindOutput     = "output"      // output of a command
	KindSystem     = "system"      // client notices, hooks, attachments
	KindSummary    = "summary"     // a summary or compaction record
	KindCheckpoint = "checkpoint"  // a marker created by the user
	KindOther      = "other"       // a record reel keeps but does not model
)

// Roles.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleSystem    = "system"
	RoleTool      = "tool"
)

// Event is one ordered thing that happened in a session.
type Event struct {
	SessionID string `json:"session_id"`
	// Seq is dense and 0-based within the session.
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`
	Role string    `json:"role,omitempty"`
	// Text is what search indexes and show prints: the message text, the
	// tool input or output, the command line.
	Text string `json:"text"`
	Tool string `json:"tool,omitempty"`
	// CallID links a tool_result to its tool_call.
	CallID string `json:"call_id,omitempty"`
	// MessageID groups the events of one model response that the source
	// wrote as several records.
	MessageID string `json:"message_id,omitempty"`
	// NativeID is the source's own id for the record (a uuid), if any.
	NativeID string        `json:"native_id,omitempty"`
	Model    string        `json:"model,omitempty"`
	ExitCode *int          `json:"exit_code,omitempty"`
	IsError  bool          `json:"is_error,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"`
	Tokens   Tokens        `json:"tokens"`
	// Input holds a tool call's structured arguments as JSON, if any.
	Input json.RawMessage `json:"input,omitempty"`
	// RawIndex is the index of the RawRecord the event came from.
	RawIndex int64 `json:"raw_index"`
}

// Checkpoint marks a point in a session that a user or hook named.
type Checkpoint struct {
	ID        string          `json:"id"`
	SessionID string          `json:"session_id"`
	Label     string          `json:"label,omitempty"`
	Time      time.Time       `json:"time"`
	Seq       int64           `json:"seq"`
	State     json.RawMessage `json:"state,omitempty"`
}

// StorableTime reports whether every Store keeps t exactly: the zero time
// (no time known), or a time within int64 nanoseconds of the Unix epoch,
// roughly the years 1678 to 2262. Apply refuses other times with EINVALID,
// so the sync engine clears them first.
func StorableTime(t time.Time) bool {
	return t.IsZero() || time.Unix(0, t.UnixNano()).Equal(t)
}

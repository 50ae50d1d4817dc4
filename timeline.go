package reel

import (
	"context"
	"encoding/json"
	"time"
)

// EventQuery selects a span of one session's events. The zero query
// selects every event. SinceSeq, the time range and the checkpoints may
// be combined; each narrows the span.
type EventQuery struct {
	// Session is a session's id or a unique prefix of it.
	Session string `json:"session"`
	// SinceSeq keeps events with Seq >= SinceSeq.
	SinceSeq int64 `json:"since_seq,omitempty"`
	// From and To keep events whose time is within [From, To], both
	// inclusive; a zero bound is open.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// FromCheckpoint and ToCheckpoint name checkpoints by id or label and
	// keep the events in [A.Seq, B.Seq), whichever of the two comes first
	// in the session. One alone runs from it to the end, or from the start
	// to it. ENOTFOUND, naming it, for a checkpoint the session lacks.
	FromCheckpoint string `json:"from_checkpoint,omitempty"`
	ToCheckpoint   string `json:"to_checkpoint,omitempty"`
	// Kinds and Roles keep only events of those kinds and roles.
	Kinds []string `json:"kinds,omitempty"`
	Roles []string `json:"roles,omitempty"`
	// Limit keeps at most that many events, the first ones; 0 for all.
	Limit int `json:"limit,omitempty"`
}

// Step is one entry of a replay sequence: a tool call or a shell command,
// with its arguments and what it returned.
type Step struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// Kind is KindToolCall or KindCommand.
	Kind string `json:"kind"`
	Tool string `json:"tool,omitempty"`
	// Text is the call's text (its arguments as the session showed them)
	// or the command line.
	Text  string          `json:"text"`
	Input json.RawMessage `json:"input,omitempty"`
	// Result is the tool's result or the command's output, if the span
	// holds it; ResultSeq its event's seq (-1 when there is none).
	Result    string `json:"result,omitempty"`
	ResultSeq int64  `json:"result_seq"`
	IsError   bool   `json:"is_error,omitempty"`
	ExitCode  *int   `json:"exit_code,omitempty"`
}

// Diff summarises what happened in a session between two checkpoints.
type Diff struct {
	SessionID string     `json:"session_id"`
	From      Checkpoint `json:"from"`
	To        Checkpoint `json:"to"`
	// Events counts the events of the span [From.Seq, To.Seq).
	Events int64 `json:"events"`
	// Files are the files that tools wrote, edited or read, or commands
	// named, sorted, each once.
	Files []FileTouch `json:"files"`
	// Commands are the shell commands run, in order.
	Commands []string `json:"commands"`
	// Tools counts the calls of each tool.
	Tools  map[string]int64 `json:"tools"`
	Tokens Tokens           `json:"tokens"`
}

// FileTouch is a file a span touched, and how.
type FileTouch struct {
	Path string `json:"path"`
	// Ops lists how, each once, in first-seen order: "read", "write",
	// "edit", "delete", "command".
	Ops []string `json:"ops"`
}

// Timeline answers time-travel questions about stored sessions.
type Timeline interface {
	// Events returns the events q selects, in seq order. ENOTFOUND for an
	// unknown session or checkpoint, EAMBIGUOUS for an ambiguous prefix.
	Events(ctx context.Context, q EventQuery) ([]Event, error)
	// Replay returns the replay sequence of the span q selects (q.Kinds
	// is ignored): its tool calls and commands, in order, each with its
	// result when the span holds it.
	Replay(ctx context.Context, q EventQuery) ([]Step, error)
	// Diff summarises the span between checkpoints a and b of session
	// (ids or labels, in either order).
	Diff(ctx context.Context, session, a, b string) (Diff, error)
}

// CheckpointParser is implemented by parsers of files that hold
// checkpoints besides events (reel's own journals). After each Parse the
// sync engine takes the checkpoints that Parse found and commits them in
// the same batch (Batch.Checkpoints).
type CheckpointParser interface {
	// TakeCheckpoints returns the checkpoints parsed since the last call
	// and forgets them.
	TakeCheckpoints() []Checkpoint
}

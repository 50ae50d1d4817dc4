package reel

import (
	"context"
	"encoding/json"
	"time"
)

// SourceHooks is the source of the sessions reel builds from agent hook
// events (reel hook): one session per client session, whose native id is
// "<client>:<the client's session id>" and whose parent is the session
// synced from the client's transcript.
const SourceHooks = "hooks"

// HookEvent is one event an agent client reported through its hooks, as
// `reel hook` received it.
type HookEvent struct {
	// ID is a UUIDv7 that reel hook gives the event, so that a receiver
	// can drop an event delivered twice (a spool drained after a crash).
	ID string `json:"id"`
	// Client is the reporting client's source name (claude-code, codex,
	// gemini).
	Client string `json:"client"`
	// Name is the hook's event name as the client spells it
	// (SessionStart, UserPromptSubmit, PreToolUse, PostToolUse,
	// Notification, Stop, SubagentStop, PreCompact, SessionEnd, …).
	Name string `json:"name"`
	// SessionID is the client's own session id.
	SessionID string `json:"session_id"`
	Cwd       string `json:"cwd,omitempty"`
	// Time is when reel hook received it.
	Time time.Time `json:"time"`
	// Pane is $TMUX_PANE of the hook's process: it tells which supervised
	// session the agent runs in.
	Pane string `json:"pane,omitempty"`
	// Payload is the client's JSON, exactly as read.
	Payload json.RawMessage `json:"payload"`
}

// HookSink takes hook events. The daemon is one; the spool that keeps
// them while the daemon is down hands them to it later.
type HookSink interface {
	// Hook records e. EINVALID if e has no client, name or session id.
	Hook(ctx context.Context, e HookEvent) error
}

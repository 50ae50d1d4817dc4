package reel

import (
	"context"
	"time"
)

// Statuses of a supervised agent session.
const (
	AgentStarting = "starting" // the tmux session exists; the agent's process is not found yet
	AgentRunning  = "running"  // the agent is working
	AgentWaiting  = "waiting"  // the agent waits for the user's input
	AgentIdle     = "idle"     // no output and no hook event for a while
	AgentPaused   = "paused"   // a user paused it, with a summary
	AgentStopped  = "stopped"  // the agent's process or its tmux session ended, or a user stopped it
)

// AgentSession is one agent (or any command) that reel supervises in a
// tmux session of its own.
type AgentSession struct {
	// ID is a UUIDv7, fixed for the session's life.
	ID string `json:"id"`
	// Name is unique among the registry's sessions; the tmux session is
	// named "reel-" + Name.
	Name   string `json:"name"`
	Status string `json:"status"`
	// Agent names the client it runs (claude-code, codex, gemini, …), or
	// the command's base name for anything else.
	Agent   string   `json:"agent"`
	Command []string `json:"command"`
	Dir     string   `json:"dir"`
	// Tmux is the tmux session's name; Pane its pane id (%N).
	Tmux string `json:"tmux"`
	Pane string `json:"pane,omitempty"`
	// Socket names the tmux server it runs on (tmux -L), empty for
	// tmux's default server. A supervisor on another server lists the
	// session but never reaps or drives it.
	Socket string `json:"socket,omitempty"`
	// PID is the agent's process under the pane's shell, 0 until found.
	PID          int       `json:"pid"`
	CreatedAt    time.Time `json:"created_at"`
	LastActivity time.Time `json:"last_activity"`
	// StoppedAt is set when Status becomes stopped.
	StoppedAt time.Time `json:"stopped_at"`
	// Pause is the latest pause record; it stays after a resume, with
	// ResumedAt set.
	Pause *Pause `json:"pause,omitempty"`
	// SessionID is the reel session of the agent's live events, once a
	// hook names it.
	SessionID string `json:"session_id,omitempty"`
	// Adopted is true for a tmux session reel did not start.
	Adopted bool `json:"adopted,omitempty"`
}

// Pause records why and when a supervised session was paused.
type Pause struct {
	At time.Time `json:"at"`
	// Summary is the user's note, or one made from the pane's last lines.
	Summary   string    `json:"summary"`
	Auto      bool      `json:"auto"` // the summary was made, not written
	ResumedAt time.Time `json:"resumed_at"`
}

// StartRequest asks a Supervisor to start a session.
type StartRequest struct {
	// Name is optional: one is derived from Dir's base name, made unique.
	Name string `json:"name,omitempty"`
	// Dir is where the command runs; the caller's folder if empty.
	Dir     string   `json:"dir,omitempty"`
	Command []string `json:"command"`
	// Env is added to the command's environment.
	Env map[string]string `json:"env,omitempty"`
}

// ReapReport says what a reap changed.
type ReapReport struct {
	// Removed lists sessions whose tmux session was gone; they are
	// deleted from the registry.
	Removed []AgentSession `json:"removed"`
	// Stopped lists sessions whose agent process had exited; they are
	// kept, with status stopped.
	Stopped []AgentSession `json:"stopped"`
}

// Supervisor starts and controls agent sessions. Every key is a session's
// id, a unique prefix of it, or its name. An unknown key is ENOTFOUND,
// with the closest names in the hint; a prefix of several ids EAMBIGUOUS.
type Supervisor interface {
	// Start starts req.Command in a new tmux session and registers it.
	// EINVALID for an empty command or a folder that does not exist;
	// ECONFLICT if req.Name is taken.
	Start(ctx context.Context, req StartRequest) (AgentSession, error)

	// Agents lists the registry, newest first.
	Agents(ctx context.Context) ([]AgentSession, error)

	// Agent returns one session.
	Agent(ctx context.Context, key string) (AgentSession, error)

	// Pause marks a session paused with note, or with a summary made from
	// the pane's last lines when note is empty. ECONFLICT unless the
	// session is starting, running, waiting or idle.
	Pause(ctx context.Context, key, note string) (AgentSession, error)

	// Resume ends a pause. ECONFLICT, naming the current status, unless
	// the session is paused.
	Resume(ctx context.Context, key string) (AgentSession, error)

	// Stop kills the session's tmux session and keeps its record, status
	// stopped. Stopping a stopped session is not an error.
	Stop(ctx context.Context, key string) (AgentSession, error)

	// Send types text into the session's pane, then presses Enter if
	// enter. ECONFLICT for a stopped session.
	Send(ctx context.Context, key, text string, enter bool) error

	// Output returns the pane's last lines (all of its history if lines
	// is 0 or less).
	Output(ctx context.Context, key string, lines int) (string, error)

	// Reap removes sessions whose tmux session is gone and marks stopped
	// those whose agent process exited. When tmux cannot be asked, it
	// changes nothing and returns EUNSUPPORT or the error.
	Reap(ctx context.Context) (ReapReport, error)

	// Adopt registers an existing tmux session, under name (its tmux name
	// if empty). ENOTFOUND if no such tmux session; ECONFLICT if it or
	// the name is registered.
	Adopt(ctx context.Context, tmuxSession, name string) (AgentSession, error)
}

// AgentRegistry persists supervised sessions, so that a daemon restart
// finds them again. Both stores implement it.
type AgentRegistry interface {
	// PutAgent inserts or replaces the session with a.ID. ECONFLICT if
	// another session has a.Name.
	PutAgent(ctx context.Context, a AgentSession) error
	// Agents returns every registered session, newest first.
	Agents(ctx context.Context) ([]AgentSession, error)
	// DeleteAgent removes a session; deleting a missing one is not an
	// error.
	DeleteAgent(ctx context.Context, id string) error
}

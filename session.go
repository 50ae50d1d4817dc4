package reel

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Sources that reel ingests. The string is what users type in --source.
const (
	SourceClaudeCode   = "claude-code"
	SourceCodex        = "codex"
	SourceGemini       = "gemini"
	SourceOpencode     = "opencode"
	SourceCursor       = "cursor"
	SourceAider        = "aider"
	SourcePi           = "pi"
	SourceCopilot      = "copilot"
	SourceAmp          = "amp"
	SourceDroid        = "droid"
	SourceShellHistory = "shell-history"
	SourceShell        = "shell" // reel's own shell recordings
)

// Session statuses.
const (
	StatusActive      = "active"
	StatusCompleted   = "completed"
	StatusInterrupted = "interrupted"
	StatusRecovered   = "recovered"
)

// Session is one conversation or recording, from one source.
type Session struct {
	// ID is derived from (Source, NativeID) by SessionID, so every host that
	// ingests the same session agrees on it.
	ID       string `json:"id"`
	Source   string `json:"source"`
	NativeID string `json:"native_id"`
	// ParentID is the ID of the session this one was spawned from
	// (a subagent) or forked from; empty for a root session.
	ParentID  string    `json:"parent_id,omitempty"`
	Title     string    `json:"title"`
	Project   string    `json:"project"`
	GitBranch string    `json:"git_branch,omitempty"`
	Host      string    `json:"host,omitempty"`
	Model     string    `json:"model,omitempty"`
	Version   string    `json:"client_version,omitempty"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
	Status    string    `json:"status"`
	// EventCount is the number of events; their seqs are 0..EventCount-1.
	EventCount int64  `json:"event_count"`
	Tokens     Tokens `json:"tokens"`
	// Path is the source file the session was read from.
	Path string `json:"path,omitempty"`
}

// Tokens counts model tokens. Each model response is counted once, however
// many records the source split it into.
type Tokens struct {
	Input         int64 `json:"input"`
	Output        int64 `json:"output"`
	CacheRead     int64 `json:"cache_read"`
	CacheCreation int64 `json:"cache_creation"`
	Reasoning     int64 `json:"reasoning"`
}

// Add returns the sum of t and u.
func (t Tokens) Add(u Tokens) Tokens {
	return Tokens{
		Input:         t.Input + u.Input,
		Output:        t.Output + u.Output,
		CacheRead:     t.CacheRead + u.CacheRead,
		CacheCreation: t.CacheCreation + u.CacheCreation,
		Reasoning:     t.Reasoning + u.Reasoning,
	}
}

// Total returns every token counted once.
func (t Tokens) Total() int64 {
	return t.Input + t.Output + t.CacheRead + t.CacheCreation + t.Reasoning
}

// IsZero reports whether no token was counted.
func (t Tokens) IsZero() bool { return t == Tokens{} }

// SessionID returns the deterministic id of the session that source calls
// nativeID: 32 lowercase hex digits of SHA-256 over both.
func SessionID(source, nativeID string) string {
	h := sha256.New()
	h.Write([]byte(source))
	h.Write([]byte{0})
	h.Write([]byte(nativeID))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// ShortID returns the first 12 digits of an id, for display.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

package journal

import (
	"time"

	"github.com/reel-sh/reel"
)

// Version is the journal format version written in every header.
const Version = 1

// Line types, the "t" field of every line.
const (
	TypeStart = "start" // the header
	TypeCmd   = "cmd"   // one finished command
	TypeOut   = "out"   // a replayed command's output
	TypeSkip  = "skip"  // a replay step that was not run
	TypeMeta  = "meta"  // a rename or new tags
	TypeEnd   = "end"   // the footer
	// TypeCheckpoint is a point a user named (see Checkpoint).
	TypeCheckpoint = "checkpoint"
)

// Recording kinds.
const (
	KindShell  = "shell"  // recorded by a shell hook
	KindReplay = "replay" // written by reel replay
)

// Statuses of a recording, the same words as reel's session statuses.
const (
	StatusActive      = "active"      // its owner is alive and recording
	StatusCompleted   = "completed"   // stopped, with a footer
	StatusRecovered   = "recovered"   // its owner died; recovered with a footer
	StatusInterrupted = "interrupted" // its owner died; not yet recovered
)

// Header is a journal's first line.
type Header struct {
	T    string `json:"t"`
	V    int    `json:"v"`
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Shell is "bash", "zsh" or "fish" for a shell recording, or the shell
	// a replay ran its commands with.
	Shell     string            `json:"shell,omitempty"`
	OS        string            `json:"os"`
	Host      string            `json:"host"`
	TTY       string            `json:"tty,omitempty"`
	Cwd       string            `json:"cwd,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
	StartedAt time.Time         `json:"started_at"`
	Owner     Owner             `json:"owner"`
	// Replay, in a replay journal, names what was replayed.
	Replay *ReplayOf `json:"replay,omitempty"`
}

// ReplayOf says what a replay journal replayed, and how.
type ReplayOf struct {
	// Session is the store session id, or the recording id, replayed.
	Session string `json:"session"`
	Name    string `json:"name,omitempty"`
	Policy  string `json:"danger_policy,omitempty"`
	Preset  string `json:"danger_preset,omitempty"`
}

// Command is one finished command.
type Command struct {
	T       string `json:"t"`
	N       int    `json:"n"`
	Cmd     string `json:"cmd"`
	Cwd     string `json:"cwd"`
	StartUS int64  `json:"start_us"`
	EndUS   int64  `json:"end_us"`
	Exit    int    `json:"exit"`
	// Step, in a replay journal, is the replayed command's number.
	Step int `json:"step,omitempty"`
}

// Start returns when the command started.
func (c Command) Start() time.Time { return usTime(c.StartUS) }

// End returns when the command ended.
func (c Command) End() time.Time { return usTime(c.EndUS) }

// Duration returns how long the command ran; 0 when a time is missing.
func (c Command) Duration() time.Duration {
	if c.StartUS <= 0 || c.EndUS < c.StartUS {
		return 0
	}
	return time.Duration(c.EndUS-c.StartUS) * time.Microsecond
}

func usTime(us int64) time.Time {
	if us <= 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// Output is the output of a replayed command, cut to a limit.
type Output struct {
	T    string `json:"t"`
	N    int    `json:"n"`
	Text string `json:"text"`
	// Dropped counts the bytes over the limit that were not kept.
	Dropped int64 `json:"dropped,omitempty"`
}

// Skip is a replay step that was not run, and why.
type Skip struct {
	T      string    `json:"t"`
	Step   int       `json:"step"`
	Cmd    string    `json:"cmd"`
	Cwd    string    `json:"cwd,omitempty"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
	// Rule names the danger rule that matched, if one did.
	Rule string `json:"rule,omitempty"`
}

// Meta renames a recording or replaces its tags. Nil Tags leaves them.
type Meta struct {
	T    string    `json:"t"`
	At   time.Time `json:"at"`
	Name string    `json:"name,omitempty"`
	Tags []string  `json:"tags,omitempty"`
}

// Footer ends a recording.
type Footer struct {
	T        string    `json:"t"`
	EndedAt  time.Time `json:"ended_at"`
	Commands int       `json:"commands"`
	Status   string    `json:"status"`
	// Name is the recording's name when it ended: a recovered one is
	// renamed recovered-YYYY-MM-DD-HHMMSS.
	Name      string `json:"name,omitempty"`
	Recovered bool   `json:"recovered,omitempty"`
	// Reason says why a recording was recovered.
	Reason string `json:"reason,omitempty"`
	// Torn is the torn last line that recovery cut off, if there was one.
	Torn *Torn `json:"torn,omitempty"`
}

// Torn is a last line that was cut off because it was not whole.
type Torn struct {
	Offset int64  `json:"offset"`
	Bytes  int    `json:"bytes"`
	Text   string `json:"text"`
}

// Source is the session source that recordings are ingested as (the same
// string as reel.SourceShell).
const Source = reel.SourceShell

// SessionID returns the store session id that recording id becomes.
func SessionID(id string) string { return reel.SessionID(Source, id) }

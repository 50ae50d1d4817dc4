package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel/internal/journal"
)

// recSummary is one recording in rec list, status and stop --json.
type recSummary struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Status       string         `json:"status"`
	CommandCount int            `json:"command_count"`
	StartedAt    time.Time      `json:"started_at"`
	EndedAt      *time.Time     `json:"ended_at,omitempty"`
	Recovered    bool           `json:"recovered"`
	Kind         string         `json:"kind"`
	Shell        string         `json:"shell,omitempty"`
	Host         string         `json:"host"`
	TTY          string         `json:"tty,omitempty"`
	Cwd          string         `json:"cwd,omitempty"`
	Tags         []string       `json:"tags"`
	SessionID    string         `json:"session_id"`
	Path         string         `json:"path"`
	Owner        *journal.Owner `json:"owner,omitempty"`
}

func summarize(e journal.Entry) recSummary {
	h := e.Header
	sum := recSummary{
		ID: h.ID, Name: e.Name, Status: e.Status(), CommandCount: len(e.Commands), StartedAt: h.StartedAt,
		Recovered: e.Recovered(), Kind: h.Kind, Shell: h.Shell, Host: h.Host, TTY: h.TTY, Cwd: h.Cwd,
		Tags: e.Tags, SessionID: journal.SessionID(h.ID), Path: e.Path,
	}
	if sum.Tags == nil {
		sum.Tags = []string{}
	}
	if e.Ended() {
		t := e.LastTime()
		sum.EndedAt = &t
	} else {
		o := h.Owner
		sum.Owner = &o
	}
	return sum
}

// describeOwner says where an active recording runs, for people.
func describeOwner(e journal.Entry) string {
	parts := []string{fmt.Sprintf("%s pid %d", e.Header.Shell, e.Header.Owner.PID)}
	if e.Header.TTY != "" {
		parts = append(parts, "on "+e.Header.TTY)
	}
	return strings.Join(parts, " ")
}

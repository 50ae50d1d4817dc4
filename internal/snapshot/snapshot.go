package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/proc"
)

// Ext is the snapshot file extension.
const Ext = ".json"

// Version is the snapshot format version.
const Version = 1

// PreviewBytes is the longest preview of a tool result a snapshot keeps.
const PreviewBytes = 512

// Snapshot is what a live session looked like when it was last written.
type Snapshot struct {
	V         int    `json:"v"`
	SessionID string `json:"session_id"`
	Source    string `json:"source"`
	NativeID  string `json:"native_id"`
	Title     string `json:"title,omitempty"`
	Project   string `json:"project,omitempty"`
	// Journal is the session's journal file.
	Journal string `json:"journal"`
	// Events counts the session's events; Checkpoints its checkpoints.
	Events      int64 `json:"events"`
	Checkpoints int64 `json:"checkpoints"`
	// LastCheckpoint is the id of the newest checkpoint, if any.
	LastCheckpoint string       `json:"last_checkpoint,omitempty"`
	Results        []ToolResult `json:"results"`
	Tokens         reel.Tokens  `json:"tokens"`
	// CostUSD is the cost so far as the client reported it; 0 if unknown.
	CostUSD   float64   `json:"cost_usd,omitempty"`
	StartedAt time.Time `json:"started_at"`
	// Time is when the snapshot was written.
	Time time.Time `json:"time"`
	// Completed is set when the session ended cleanly; such a snapshot is
	// removed at once and needs no recovery.
	Completed bool       `json:"completed"`
	Owner     proc.Owner `json:"owner"`
}

// ToolResult is one of the last tool results of a session, cut short.
type ToolResult struct {
	Seq     int64     `json:"seq"`
	Time    time.Time `json:"time"`
	Tool    string    `json:"tool,omitempty"`
	CallID  string    `json:"call_id,omitempty"`
	IsError bool      `json:"is_error,omitempty"`
	// Preview is the result's first PreviewBytes bytes, cut at a rune
	// boundary; Bytes is the full length.
	Preview string `json:"preview"`
	Bytes   int    `json:"bytes"`
}

// Preview returns text cut to at most n bytes, at a rune boundary.
func Preview(text string, n int) string {
	if len(text) <= n {
		return text
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}

// Path returns the snapshot file of session id in dir.
func Path(dir, id string) string { return filepath.Join(dir, id+Ext) }

// Write replaces the snapshot of s.SessionID in dir atomically, creating
// dir (0700) if needed.
func Write(dir string, s *Snapshot) error {
	if s.SessionID == "" || strings.ContainsAny(s.SessionID, `/\`) || strings.HasPrefix(s.SessionID, ".") {
		return reel.Errorf(reel.EINVALID, "write snapshot: bad session id %q", s.SessionID)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create snapshot folder: %w", err)
	}
	s.V = Version
	if s.Results == nil {
		s.Results = []ToolResult{}
	}
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	if err := atomicfile.WriteFile(Path(dir, s.SessionID), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// Read reads the snapshot file at path. ENOTFOUND if there is none,
// ECORRUPT if it is not a snapshot.
func Read(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &reel.Error{Code: reel.ENOTFOUND, Message: "read snapshot " + path, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, &reel.Error{Code: reel.ECORRUPT, Message: "read snapshot " + path, Err: err}
	}
	if s.SessionID == "" {
		return nil, reel.Errorf(reel.ECORRUPT, "read snapshot %s: no session id", path)
	}
	return &s, nil
}

// Remove deletes the snapshot of session id in dir and fsyncs the folder.
// Removing a missing snapshot is not an error.
func Remove(dir, id string) error {
	err := os.Remove(Path(dir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove snapshot: %w", err)
	}
	return atomicfile.SyncDir(dir)
}

// Bad is a file in the snapshot folder that could not be read.
type Bad struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// List reads every snapshot in dir, newest first (by Time, then session
// id). Files that cannot be read are returned in bad, not as an error; a
// missing folder holds no snapshots.
func List(dir string) (snaps []*Snapshot, bad []Bad, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list snapshots: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, Ext) || strings.HasPrefix(name, ".") {
			continue
		}
		s, err := Read(filepath.Join(dir, name))
		if err != nil {
			if reel.ErrorCode(err) == reel.ENOTFOUND {
				continue // removed since the listing
			}
			bad = append(bad, Bad{Path: filepath.Join(dir, name), Error: err.Error()})
			continue
		}
		snaps = append(snaps, s)
	}
	sort.Slice(snaps, func(i, j int) bool {
		if !snaps[i].Time.Equal(snaps[j].Time) {
			return snaps[i].Time.After(snaps[j].Time)
		}
		return snaps[i].SessionID < snaps[j].SessionID
	})
	return snaps, bad, nil
}

// Dead returns the snapshots in dir that need recovery, newest first:
// not completed, and whose owner is dead (see proc.Owner.Alive).
func Dead(dir string) ([]*Snapshot, []Bad, error) {
	snaps, bad, err := List(dir)
	if err != nil {
		return nil, nil, err
	}
	out := snaps[:0]
	for _, s := range snaps {
		if !s.Completed && !s.Owner.Alive() {
			out = append(out, s)
		}
	}
	return out, bad, nil
}

// Prune removes the snapshots in dir written before now - maxAge,
// recovered or not, and returns their paths. A snapshot whose owner is
// alive and still writing it is kept: it is its owner's to replace. A
// file that cannot be read is removed when its modification time is that
// old. A maxAge of 0 or less removes nothing.
func Prune(dir string, maxAge time.Duration, now time.Time) ([]string, error) {
	if maxAge <= 0 {
		return nil, nil
	}
	snaps, bad, err := List(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, s := range snaps {
		if now.Sub(s.Time) <= maxAge || !s.Completed && s.Owner.Alive() {
			continue
		}
		if err := Remove(dir, s.SessionID); err != nil {
			return removed, err
		}
		removed = append(removed, Path(dir, s.SessionID))
	}
	for _, b := range bad {
		fi, err := os.Stat(b.Path)
		if err != nil || now.Sub(fi.ModTime()) <= maxAge {
			continue
		}
		if err := os.Remove(b.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove snapshot: %w", err)
		}
		removed = append(removed, b.Path)
	}
	return removed, nil
}

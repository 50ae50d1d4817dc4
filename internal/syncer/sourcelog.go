package syncer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/reel-sh/reel/internal/atomicfile"
)

// SourceSync is when one source was last synced and how it went. The
// last-sync record says what the latest sync did; a sync of one source
// (reel sync aider) must not make the others look never synced, so each
// source's latest is kept here as well.
type SourceSync struct {
	At      time.Time `json:"at"`
	Outcome string    `json:"outcome"`
	Files   int       `json:"files"`
	Events  int64     `json:"events_inserted"`
}

// UpdateSourceSyncs records r as the latest sync of every source it read,
// in the file at path, atomically. A dry run changes nothing.
func UpdateSourceSyncs(path string, r *Record) error {
	if r.DryRun {
		return nil
	}
	m, err := ReadSourceSyncs(path)
	if err != nil {
		m = map[string]SourceSync{} // a broken log is replaced, not fatal
	}
	seen := map[string]bool{}
	for _, sr := range r.Sources {
		s := m[sr.Source]
		if !seen[sr.Source] {
			s = SourceSync{At: r.FinishedAt, Outcome: r.Outcome}
			seen[sr.Source] = true
		}
		s.Files += sr.Files
		s.Events += sr.Events
		m[sr.Source] = s
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode source syncs: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write source syncs: %w", err)
	}
	return nil
}

// ReadSourceSyncs reads the per-source log at path; empty if there is none.
func ReadSourceSyncs(path string) (map[string]SourceSync, error) {
	m := map[string]SourceSync{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("read source syncs: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return map[string]SourceSync{}, fmt.Errorf("read source syncs %s: %w", path, err)
	}
	return m, nil
}

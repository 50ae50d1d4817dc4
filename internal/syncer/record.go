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

// Outcomes of a sync.
const (
	OutcomeOK        = "ok"        // every file read, no record skipped
	OutcomePartial   = "partial"   // done, but some records or files were skipped
	OutcomeFailed    = "failed"    // stopped by an error
	OutcomeCancelled = "cancelled" // stopped by the user
)

// maxIssues caps the issues a record lists; the counts stay exact.
const maxIssues = 200

// Issue is one skipped or repaired record or file.
type Issue struct {
	Path string `json:"path"`
	// Line is 1-based; 0 for an issue with the whole file.
	Line   int64  `json:"line,omitempty"`
	Reason string `json:"reason"`
	// Action is what reel did: "skipped" (kept raw, no events), "repaired"
	// (read with replacements) or "retry" (read again on the next sync).
	Action string `json:"action"`
}

// String renders the issue as file:line: reason.
func (i Issue) String() string {
	if i.Line > 0 {
		return fmt.Sprintf("%s:%d: %s (%s)", i.Path, i.Line, i.Reason, i.Action)
	}
	return fmt.Sprintf("%s: %s (%s)", i.Path, i.Reason, i.Action)
}

// SourceResult is what one source contributed to a sync.
type SourceResult struct {
	Source string `json:"source"`
	Root   string `json:"root"`
	Found  bool   `json:"found"`
	Files  int    `json:"files"`
	Events int64  `json:"events_inserted"`
}

// Record is the last-sync record: what a sync did, written atomically at
// the end of every sync and shown by reel status.
type Record struct {
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Duration   Duration  `json:"duration"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
	DryRun     bool      `json:"dry_run,omitempty"`
	Host       string    `json:"host"`

	FilesSeen      int `json:"files_seen"`
	FilesUnchanged int `json:"files_unchanged"`
	FilesNew       int `json:"files_new"`
	FilesAppended  int `json:"files_appended"`
	FilesRewritten int `json:"files_rewritten"`

	SessionsInserted int   `json:"sessions_inserted"`
	SessionsUpdated  int   `json:"sessions_updated"`
	EventsInserted   int64 `json:"events_inserted"`
	RecordsRead      int64 `json:"records_read"`
	BytesRead        int64 `json:"bytes_read"`

	// SkippedRecords counts records kept raw without events; SkippedFiles
	// counts files that could not be read. Issues lists the first of them.
	SkippedRecords  int64   `json:"skipped_records"`
	RepairedRecords int64   `json:"repaired_records"`
	SkippedFiles    int     `json:"skipped_files"`
	Issues          []Issue `json:"issues"`
	IssuesOmitted   int     `json:"issues_omitted,omitempty"`

	Sources []SourceResult `json:"sources"`

	// Push is what reel sync --to sent to another store, when it did.
	Push *PushResult `json:"push,omitempty"`
}

func (r *Record) addIssue(i Issue) {
	switch {
	case i.Line == 0 && i.Action == "skipped":
		r.SkippedFiles++
	case i.Action == "skipped":
		r.SkippedRecords++
	case i.Action == "repaired":
		r.RepairedRecords++
	}
	if len(r.Issues) < maxIssues {
		r.Issues = append(r.Issues, i)
	} else {
		r.IssuesOmitted++
	}
}

// Duration is a time.Duration that reads and writes JSON as "1.5s".
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// WriteRecord atomically replaces the last-sync record at path.
func WriteRecord(path string, r *Record) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode sync record: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write sync record: %w", err)
	}
	return nil
}

// ReadRecord reads the last-sync record at path; nil, nil if there is none.
func ReadRecord(path string) (*Record, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sync record: %w", err)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read sync record %s: %w", path, err)
	}
	return &r, nil
}

package hookspool

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

// Rejected is one line of rejected.ndjson: something that can never be
// delivered, kept with why, where it came from and its bytes.
type Rejected struct {
	Time time.Time `json:"time"`
	// Reason says why, in a sentence.
	Reason string `json:"reason"`
	// Where is "file:line" for a spool line, or "reel hook" for a
	// payload refused before it was spooled.
	Where string `json:"where"`
	// Client and Name say what sent it, when known.
	Client string `json:"client,omitempty"`
	Name   string `json:"name,omitempty"`
	// Event is the hook event, when it was one.
	Event *reel.HookEvent `json:"event,omitempty"`
	// Raw holds the bytes as text when they are UTF-8, RawBase64 otherwise.
	Raw       string `json:"raw,omitempty"`
	RawBase64 []byte `json:"raw_base64,omitempty"`
	// Size is how many bytes there were, when Raw holds only the first
	// of them (an oversized payload).
	Size int64 `json:"size,omitempty"`
}

// SetRaw keeps raw in r, as text when it is UTF-8.
func (r *Rejected) SetRaw(raw []byte) {
	if utf8.Valid(raw) {
		r.Raw, r.RawBase64 = string(raw), nil
		return
	}
	r.Raw, r.RawBase64 = "", append([]byte(nil), raw...)
}

// Reject appends r to rejected.ndjson in dir, fsynced, under spool.lock.
func Reject(dir string, r Rejected) error {
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode rejected hook record: %w", err)
	}
	return appendLine(dir, RejectedFile, append(line, '\n'))
}

// ReadRejected returns every record of rejected.ndjson in dir; a line that
// cannot be read is returned as a record whose Reason says so.
func ReadRejected(dir string) ([]Rejected, error) {
	data, err := os.ReadFile(filepath.Join(dir, RejectedFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read rejected hook events: %w", err)
	}
	var out []Rejected
	for i, line := range splitLines(data) {
		var r Rejected
		if json.Unmarshal(line.text, &r) != nil {
			r = Rejected{Reason: "unreadable line", Where: fmt.Sprintf("%s:%d", RejectedFile, i+1)}
			r.SetRaw(line.text)
		}
		out = append(out, r)
	}
	return out, nil
}

// maxLogBytes is where errors.log is rotated to errors.log.1.
const maxLogBytes = 1 << 20

// LogError appends one line to errors.log in dir: the time and msg. It is
// for reel hook, which must print nothing; it never fails loudly, since
// there is nowhere left to report to, and returns what went wrong for
// tests.
func LogError(dir, msg string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, ErrorLogFile)
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogBytes {
		os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "%s pid %d: %s\n", time.Now().UTC().Format(time.RFC3339Nano), os.Getpid(), msg)
	return err
}

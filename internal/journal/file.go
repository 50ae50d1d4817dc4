package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
)

// Ext is the journal file extension.
const Ext = ".ndjson"

// Recording is a journal as read back.
type Recording struct {
	Path   string
	Header Header
	// Name is the current name: the header's, then the last rename.
	Name     string
	Tags     []string
	Commands []Command
	Skips    []Skip
	// Checkpoints are the recording's checkpoint lines, in order.
	Checkpoints []Checkpoint
	// Events is the number of events the lines read become in the store
	// (see internal/ingest's recording importer): one for each command,
	// output and skip line, and one for each well-formed line of a type
	// this reel does not know, which the importer keeps as text.
	Events int64
	Footer *Footer
	Size   int64
	// TornAt is the offset of a torn last line (unterminated, or not
	// JSON), or -1; Torn holds its bytes.
	TornAt int64
	Torn   []byte
	// Invalid lists the 1-based numbers of lines other than the last that
	// could not be read; they are kept in the file but yield nothing.
	Invalid []int
}

// Ended reports whether the recording has a footer.
func (r *Recording) Ended() bool { return r.Footer != nil }

// Recovered reports whether the recording was recovered after its owner
// died.
func (r *Recording) Recovered() bool { return r.Footer != nil && r.Footer.Recovered }

// LastTime returns the time of the last thing recorded: the footer's end,
// else the last command's end, else the start.
func (r *Recording) LastTime() time.Time {
	if r.Footer != nil && !r.Footer.EndedAt.IsZero() {
		return r.Footer.EndedAt
	}
	for i := len(r.Commands) - 1; i >= 0; i-- {
		if t := r.Commands[i].End(); !t.IsZero() {
			return t
		}
	}
	return r.Header.StartedAt
}

// Create writes a new journal holding h in dir, named by h.ID, with mode
// 0600, and fsyncs it and the folder. It fails if the journal exists.
func Create(dir string, h Header) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create recordings folder: %w", err)
	}
	h.T, h.V = TypeStart, Version
	line, err := marshalLine(h)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, h.ID+Ext)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return "", fmt.Errorf("create journal: %w", err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("write journal header: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("fsync journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close journal: %w", err)
	}
	return path, atomicfile.SyncDir(dir)
}

// Append writes v as one line at the end of the journal at path and
// fsyncs it before returning. The journal must exist.
func Append(path string, v any) error {
	line, err := marshalLine(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("append to journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync journal: %w", err)
	}
	return f.Close()
}

// marshalLine encodes v as one JSON line. HTML characters are left alone:
// commands are full of < > and &.
func marshalLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode journal line: %w", err)
	}
	return b.Bytes(), nil
}

// Read reads the journal at path. A torn last line is reported in TornAt,
// not as an error; a journal whose first line is not a header is ECORRUPT.
func Read(path string) (*Recording, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &reel.Error{Code: reel.ENOTFOUND, Message: "read journal " + path, Err: err}
		}
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return Parse(path, data)
}

// Parse reads a journal from its bytes; path is only recorded.
func Parse(path string, data []byte) (*Recording, error) {
	r := &Recording{Path: path, Size: int64(len(data)), TornAt: -1}
	var off int64
	for n := 1; len(data) > 0; n++ {
		line := data
		terminated := false
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, terminated = data[:i+1], true
		}
		data = data[len(line):]
		last := len(data) == 0
		ok := terminated && r.apply(bytes.TrimSpace(line), n)
		switch {
		case ok:
		case n == 1 && (!last || terminated):
			return nil, reel.Errorf(reel.ECORRUPT, "journal %s: the first line is not a reel recording header", path)
		case last:
			r.TornAt, r.Torn = off, line
		default:
			r.Invalid = append(r.Invalid, n)
		}
		off += int64(len(line))
	}
	if r.Header.ID == "" {
		return nil, reel.Errorf(reel.ECORRUPT, "journal %s: no header", path)
	}
	return r, nil
}

// apply folds one whole line into r and reports whether it was read. A
// blank line is read as nothing; a line of an unknown type is read (a newer
// reel wrote it) and skipped.
func (r *Recording) apply(line []byte, n int) bool {
	if len(line) == 0 {
		return n > 1
	}
	var probe struct {
		T string `json:"t"`
	}
	if json.Unmarshal(line, &probe) != nil {
		return false
	}
	if n == 1 {
		if probe.T != TypeStart || json.Unmarshal(line, &r.Header) != nil {
			return false
		}
		r.Name = r.Header.Name
		return true
	}
	switch probe.T {
	case TypeCmd:
		var c Command
		if json.Unmarshal(line, &c) != nil {
			return false
		}
		r.Commands = append(r.Commands, c)
		r.Events++
	case TypeSkip:
		var s Skip
		if json.Unmarshal(line, &s) != nil {
			return false
		}
		r.Skips = append(r.Skips, s)
		r.Events++
	case TypeOut:
		if json.Unmarshal(line, new(Output)) != nil {
			return false
		}
		r.Events++
	case TypeCheckpoint:
		var c Checkpoint
		if json.Unmarshal(line, &c) != nil {
			return false
		}
		r.Checkpoints = append(r.Checkpoints, c)
	case TypeStart:
	case TypeMeta:
		var m Meta
		if json.Unmarshal(line, &m) != nil {
			return false
		}
		if m.Name != "" {
			r.Name = m.Name
		}
		if m.Tags != nil {
			r.Tags = m.Tags
		}
	case TypeEnd:
		var f Footer
		if json.Unmarshal(line, &f) != nil {
			return false
		}
		r.Footer = &f
		if f.Name != "" {
			r.Name = f.Name
		}
	default:
		r.Events++ // kept as text
	}
	return true
}

// Repair cuts a torn last line off the journal at path and fsyncs it. It
// returns what was cut, or nil when the journal was whole. Only a journal
// that nobody writes to any more may be repaired.
func Repair(path string) (*Torn, error) {
	r, err := Read(path)
	if err != nil {
		return nil, err
	}
	if r.TornAt < 0 {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("repair journal: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(r.TornAt); err != nil {
		return nil, fmt.Errorf("repair journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("repair journal: %w", err)
	}
	return &Torn{Offset: r.TornAt, Bytes: len(r.Torn), Text: string(r.Torn)}, f.Close()
}

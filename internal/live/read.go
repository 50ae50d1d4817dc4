package live

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/proc"
)

// BadLine is a journal line other than the last that could not be read.
// It stays in the file and yields nothing.
type BadLine struct {
	Path string `json:"path"`
	// Line is 1-based.
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

// String gives the line as file:line: reason.
func (b BadLine) String() string { return fmt.Sprintf("%s:%d: %s", b.Path, b.Line, b.Reason) }

// Torn is a last line that is not whole: unterminated, or not a journal
// line. A killed writer leaves at most one.
type Torn struct {
	Offset int64 `json:"offset"`
	Bytes  int64 `json:"bytes"`
	// Line is its 1-based line number.
	Line int64 `json:"line"`
}

// Journal is what reading a journal found.
type Journal struct {
	Path string
	// Header is the first line, with every later meta line applied.
	Header Header
	// Owner is the process that wrote the session last: the header's, or
	// the last resume's.
	Owner proc.Owner
	// Events counts the events: their seqs are 0..Events-1. Checkpoints
	// counts the checkpoints.
	Events      int64
	Checkpoints int64
	// Labels maps each checkpoint label to its checkpoint's id.
	Labels map[string]string
	// CostUSD is the last cost a meta line gave.
	CostUSD float64
	// End is the last end line, unless a resume came after it.
	End *End
	// Size is the file's size; Good the size of its whole lines, which is
	// Size unless the last line is torn.
	Size, Good int64
	Torn       *Torn
	Bad        []BadLine
	// Lines counts the whole lines.
	Lines int64
}

// Ended reports whether the session ended and was not resumed.
func (j *Journal) Ended() bool { return j.End != nil }

// Visit, when given to Read, sees each whole line in order after it was
// folded into the Journal.
type Visit func(n int64, l Line) error

// Read reads the journal at path. A torn last line is reported in Torn,
// lines that cannot be read in Bad (with file and line); neither is an
// error. ENOTFOUND if there is no file; ECORRUPT if its first line is not
// a live session header. An event whose seq skips ahead (an earlier line
// was lost) counts the skipped ones; one that goes back is a bad line.
func Read(path string, visit Visit) (*Journal, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &reel.Error{Code: reel.ENOTFOUND, Message: "read live journal " + path, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read live journal: %w", err)
	}
	defer f.Close()
	return readFrom(path, f, visit)
}

func readFrom(path string, r io.Reader, visit Visit) (*Journal, error) {
	j := &Journal{Path: path, Labels: map[string]string{}}
	br := bufio.NewReaderSize(r, 64<<10)
	var n int64
	for {
		data, err := br.ReadBytes('\n')
		if len(data) == 0 && errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read live journal %s: %w", path, err)
		}
		n++
		j.Size += int64(len(data))
		terminated := err == nil
		var l Line
		var perr error
		if terminated {
			l, perr = ParseLine(data)
			if perr == nil {
				perr = j.fold(n, l)
			}
		}
		last := terminated && atEOF(br) || !terminated
		switch {
		case perr == nil && terminated:
			j.Good, j.Lines = j.Size, n
			if visit != nil {
				if err := visit(n, l); err != nil {
					return j, err
				}
			}
			continue
		case n == 1 && !last:
			return nil, reel.Errorf(reel.ECORRUPT, "live journal %s:1: not a live session header: %v", path, perr)
		case last:
			j.Torn = &Torn{Offset: j.Good, Bytes: j.Size - j.Good, Line: n}
		default:
			j.Bad = append(j.Bad, BadLine{Path: path, Line: n, Reason: perr.Error()})
			j.Good, j.Lines = j.Size, n
		}
	}
	if j.Header.SessionID == "" {
		return j, reel.Errorf(reel.ECORRUPT, "live journal %s: no header", path)
	}
	return j, nil
}

// atEOF reports whether nothing follows in br.
func atEOF(br *bufio.Reader) bool {
	_, err := br.Peek(1)
	return err != nil
}

// fold applies one parsed line to j; an error makes it a bad line.
func (j *Journal) fold(n int64, l Line) error {
	if n == 1 {
		if l.Header == nil {
			return fmt.Errorf("the first line is a %q line, not a header", l.T)
		}
		j.Header, j.Owner = *l.Header, l.Header.Owner
		return nil
	}
	switch {
	case l.Header != nil:
		return fmt.Errorf("a second header")
	case l.Event != nil:
		if l.Event.Seq < j.Events {
			return fmt.Errorf("event seq %d repeats or goes back (next is %d)", l.Event.Seq, j.Events)
		}
		j.Events = l.Event.Seq + 1
	case l.Checkpoint != nil:
		c := l.Checkpoint
		if c.Label != "" {
			if other, ok := j.Labels[c.Label]; ok && other != c.ID {
				return fmt.Errorf("checkpoint label %q already names %s", c.Label, other)
			}
			j.Labels[c.Label] = c.ID
		}
		j.Checkpoints++
	case l.Update != nil:
		u := l.Update
		j.Header.Title = orString(u.Title, j.Header.Title)
		j.Header.Model = orString(u.Model, j.Header.Model)
		j.Header.Version = orString(u.Version, j.Header.Version)
		if u.CostUSD > 0 {
			j.CostUSD = u.CostUSD
		}
	case l.Resume != nil:
		j.Owner, j.End = l.Resume.Owner, nil
	case l.End != nil:
		j.End = l.End
	}
	return nil
}

func orString(s, old string) string {
	if s != "" {
		return s
	}
	return old
}

// Repair cuts a torn last line off the journal at path and fsyncs it,
// returning what was cut (nil when the journal was whole). Every line
// before it is kept. Only a journal that nobody writes any more may be
// repaired: its writer is dead, or the caller holds its lock.
func Repair(path string) (*Torn, error) {
	j, err := Read(path, nil)
	if err != nil {
		return nil, err
	}
	if j.Torn == nil {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("repair live journal: %w", err)
	}
	defer f.Close()
	if err := cut(f, j.Torn.Offset); err != nil {
		return nil, err
	}
	return j.Torn, f.Close()
}

// cut truncates f to size and fsyncs it.
func cut(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("repair live journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("repair live journal: fsync: %w", err)
	}
	return nil
}

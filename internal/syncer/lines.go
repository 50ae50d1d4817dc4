package syncer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxRawBytes is the longest line kept even raw. Longer lines are counted
// and skipped whole; export of that session then lacks them and says so.
const maxRawBytes = 256 << 20

// line is one line of a source file.
type line struct {
	data       []byte // with its terminator; nil when dropped for size
	size       int64  // bytes in the file, with the terminator
	terminated bool   // ends with '\n'
	tooLong    bool   // longer than the parse limit
	name       string // the record's name, in a session of several files or rows
	offset     int64  // where the record starts, when not after the previous one
}

// lineReader splits a stream into lines of any length without loading
// more than maxRawBytes of one line into memory.
type lineReader struct {
	r        *bufio.Reader
	maxParse int64
}

func newLineReader(r io.Reader, maxParse int64) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 256<<10), maxParse: maxParse}
}

// next returns the next line, or io.EOF when there is none.
func (lr *lineReader) next() (line, error) {
	var buf []byte
	var size int64
	dropped := false
	for {
		chunk, err := lr.r.ReadSlice('\n')
		size += int64(len(chunk))
		if !dropped {
			if size > maxRawBytes {
				dropped, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == nil:
			return lr.make(buf, size, true, dropped), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if size == 0 {
				return line{}, io.EOF
			}
			return lr.make(buf, size, false, dropped), nil
		default:
			return line{}, fmt.Errorf("read: %w", err)
		}
	}
}

// atEOF reports whether nothing follows the line last returned. A read
// error counts as the end here; next returns it.
func (lr *lineReader) atEOF() bool {
	_, err := lr.r.Peek(1)
	return err != nil
}

func (lr *lineReader) make(buf []byte, size int64, terminated, dropped bool) line {
	l := line{data: buf, size: size, terminated: terminated}
	if dropped {
		l.data = nil
	}
	l.tooLong = size > lr.maxParse
	return l
}

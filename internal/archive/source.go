package archive

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// errTooLarge is returned by capReader past its limit.
var errTooLarge = errors.New("document over the size limit")

// errNotUTF8 is returned by utf8Reader at the first byte that is not
// UTF-8.
var errNotUTF8 = errors.New("document is not valid UTF-8")

// sourceError is a failure of the reader the document comes from (a disk
// error), as opposed to a fault of the document.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// capReader reads at most left bytes from r and fails with errTooLarge,
// not io.EOF, when r holds more: a document cut at the limit must not
// look like a truncated one.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := io.ReadAtLeast(c.r, one[:], 1)
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, c.wrap(err)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, c.wrap(err)
}

func (c *capReader) wrap(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	if err == io.ErrUnexpectedEOF {
		return io.EOF // from ReadAtLeast: nothing more
	}
	return &sourceError{err}
}

// utf8Reader passes r's bytes through and fails with errNotUTF8 at the
// first byte that is not UTF-8. encoding/json would replace such bytes
// inside a string with U+FFFD, changing the data without a word; Write
// never writes them, so a document that holds one was not written by reel.
type utf8Reader struct {
	r     io.Reader
	carry [utf8.UTFMax]byte // the start of a character cut by the last read
	nc    int
	off   int64 // bytes checked before carry
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if n > 0 {
		if cerr := u.check(p[:n]); cerr != nil {
			return 0, cerr
		}
	}
	if err == io.EOF && u.nc > 0 {
		return 0, fmt.Errorf("%w: a character is cut at byte %d, the end", errNotUTF8, u.off)
	}
	return n, err
}

func (u *utf8Reader) check(b []byte) error {
	i := 0
	// Complete the character the last read cut.
	for u.nc > 0 && i < len(b) {
		u.carry[u.nc] = b[i]
		u.nc++
		i++
		if utf8.FullRune(u.carry[:u.nc]) {
			if r, size := utf8.DecodeRune(u.carry[:u.nc]); r == utf8.RuneError && size <= 1 || size != u.nc {
				return fmt.Errorf("%w: byte %d", errNotUTF8, u.off)
			}
			u.off += int64(u.nc)
			u.nc = 0
		}
	}
	if u.nc > 0 {
		return nil // b was all taken by the cut character
	}
	// Keep a cut character at the end for the next read.
	cut := len(b)
	for k := len(b) - 1; k >= i && k >= len(b)-utf8.UTFMax+1; k-- {
		if utf8.RuneStart(b[k]) {
			if !utf8.FullRune(b[k:]) {
				cut = k
			}
			break
		}
	}
	if !utf8.Valid(b[i:cut]) {
		for j := i; j < cut; {
			r, size := utf8.DecodeRune(b[j:cut])
			if r == utf8.RuneError && size <= 1 {
				return fmt.Errorf("%w: byte %d", errNotUTF8, u.off+int64(j-i))
			}
			j += size
		}
	}
	u.off += int64(cut - i)
	u.nc = copy(u.carry[:], b[cut:])
	return nil
}

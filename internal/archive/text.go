package archive

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// A JSON string holds Unicode text only, but reel's strings may hold any
// bytes (a file path that is not UTF-8, a tool's output cut inside a
// character), and encoding/json would replace those bytes with U+FFFD.
// So every string of a document is written in an escaped form that
// decodes to the exact bytes: a byte that is not part of valid UTF-8
// becomes textEsc and two lowercase hex digits, and textEsc itself
// becomes two of it. textEsc is U+FFFE, a noncharacter that no text is
// meant to hold, so an ordinary string is written as it is. (The
// PostgreSQL store keeps text columns the same way, for the same reason.)
const (
	textEsc    = '\uFFFE'
	textEscStr = "\uFFFE"
)

// errEscape is a malformed escape.
var errEscape = errors.New("malformed \\ufffe escape (U+FFFE must be followed by U+FFFE or two lowercase hex digits of a byte that is not UTF-8)")

// encText returns s in its escaped form.
func encText(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, textEscStr) {
		return s
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(textEscStr)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&0xf])
		case r == textEsc:
			b.WriteString(textEscStr + textEscStr)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// decText is encText's inverse. It accepts only what encText writes, so
// that a document read and written again is the same document.
func decText(s string) (string, error) {
	if !strings.Contains(s, textEscStr) {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	n := len(textEscStr)
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], textEscStr)
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j])
		i += j + n
		if strings.HasPrefix(s[i:], textEscStr) {
			b.WriteRune(textEsc)
			i += n
			continue
		}
		if i+2 > len(s) {
			return "", errEscape
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 || hi < 8 {
			return "", errEscape
		}
		b.WriteByte(hi<<4 | lo)
		i += 2
	}
	out := b.String()
	// An escaped byte that forms valid UTF-8 with its neighbours would be
	// written plainly: refuse it, so the escaped form stays canonical.
	if encText(out) != s {
		return "", errEscape
	}
	return out, nil
}

// unhex returns the value of a lowercase hex digit.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

package postgres

import (
	"strings"
	"unicode/utf8"
)

// PostgreSQL text holds only valid UTF-8 without NUL, but reel's strings
// may hold anything: a tool's output with a NUL in it (JSON's \u0000), a
// file path that is not UTF-8. Refusing them would make a sync fail on a
// real session, and replacing them would lose bytes, so text columns hold
// an escaped form that decodes to the exact string: a NUL or a byte that is
// not UTF-8 becomes textEsc and two lowercase hex digits, and textEsc
// itself becomes two of it. textEsc is U+FFFE, a noncharacter that no text
// is meant to hold, so every ordinary string is stored as it is.
const (
	textEsc    = '\uFFFE'
	textEscStr = "\uFFFE"
)

// encText returns s as a text column stores it.
func encText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) && !strings.Contains(s, textEscStr) {
		return s
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == 0:
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

// decText is encText's inverse. A cut escape at the end (left() may cut
// one) is dropped.
func decText(s string) string {
	if !strings.Contains(s, textEscStr) {
		return s
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
		switch {
		case strings.HasPrefix(s[i:], textEscStr):
			b.WriteRune(textEsc)
			i += n
		case i+2 <= len(s) && isHex(s[i]) && isHex(s[i+1]):
			b.WriteByte(unhex(s[i])<<4 | unhex(s[i+1]))
			i += 2
		case len(s)-i < 2:
			i = len(s) // a cut escape
		default:
			b.WriteRune(textEsc) // not an escape reel wrote: kept as is
		}
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// encTexts returns the stored forms of ss.
func encTexts(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = encText(s)
	}
	return out
}

package tmux

import (
	"strings"
	"unicode/utf8"
)

// MaxSummary is the longest automatic pause summary, in bytes.
const MaxSummary = 500

// Summarize makes a pause summary of a pane's text: escape sequences and
// control characters removed, trailing spaces trimmed, runs of blank
// lines squeezed to one, and, when longer than MaxSummary bytes, only
// its end (the latest output) kept, after "…", cut at a rune boundary.
func Summarize(text string) string {
	lines := strings.Split(StripANSI(text), "\n")
	var out []string
	blank := true // no blank line at the start
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	s := strings.TrimRight(strings.Join(out, "\n"), "\n")
	if len(s) <= MaxSummary {
		return s
	}
	const ellipsis = "…"
	cut := len(s) - (MaxSummary - len(ellipsis))
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	return ellipsis + s[cut:]
}

// StripANSI removes terminal escape sequences from s: CSI (ESC [ … final
// byte), OSC (ESC ] … BEL or ESC \), DCS, SOS, PM and APC strings, other
// two-byte escapes, their 8-bit C1 forms, and every other control
// character but newline and tab. A carriage return not before a newline
// drops the line so far, as a terminal overwrites it: "10%\r20%" is
// "20%". Invalid UTF-8 is kept as it is.
func StripANSI(s string) string {
	b := make([]byte, 0, len(s))
	lineStart := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			i = skipEscape(s, i+1)
		case r == 0x9b: // C1 CSI
			i = skipCSI(s, i+size)
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // C1 OSC, DCS, SOS, PM, APC
			i = skipString(s, i+size)
		case r == '\r':
			if i+1 < len(s) && s[i+1] != '\n' {
				b = b[:lineStart]
			}
			i += size
		case r == '\n':
			b = append(b, '\n')
			lineStart = len(b)
			i += size
		case r == '\t':
			b = append(b, '\t')
			i += size
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			i += size
		default:
			b = append(b, s[i:i+size]...)
			i += size
		}
	}
	return string(b)
}

// skipEscape returns the index after the escape sequence whose ESC is
// just before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// ESC, intermediates (0x20–0x2f), then one final byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) {
		i++
	}
	return i
}

// skipCSI returns the index after a control sequence's final byte
// (0x40–0x7e), its parameters and intermediates starting at i.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		i++
		if c >= 0x40 && c <= 0x7e {
			return i
		}
		if c < 0x20 && c != 0x1b {
			continue
		}
		if c == 0x1b { // a broken sequence: the next escape starts here
			return i - 1
		}
	}
	return i
}

// skipString returns the index after a control string starting at i,
// ended by BEL, ESC \ or ST (0x9c).
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		}
		i++
	}
	return i
}

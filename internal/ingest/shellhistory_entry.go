package ingest

import (
	"bytes"
	"errors"
	"strings"
	"time"
)

// shellCommand is what one history entry says.
type shellCommand struct {
	typ      string // the record's type
	text     string // the command, as the shell runs it
	time     time.Time
	duration time.Duration
	// reason is set for an entry of a kind reel does not know; its text
	// is kept as searchable text.
	reason string
}

// Errors of entries that cannot be read. They never quote the entry: a
// history holds secrets.
var (
	errShellBinary    = errors.New("binary data")
	errBashTimeOnly   = errors.New("timestamp without a command")
	errZshTornHeader  = errors.New("extended history line cut before its command")
	errShellEmptyFish = errors.New("empty entry")
)

// shellEntryTime returns when an entry's command started, if it says.
func shellEntryTime(shell string, entry []byte) (time.Time, bool) {
	first, rest := shellCutLine(entry)
	switch shell {
	case shellBash:
		if bashTimestampLine(first) {
			return shellUnix(first[1:])
		}
	case shellZsh:
		if h, ok := zshHeader(first); ok && !h.torn {
			return h.start, h.dated
		}
	case shellFish:
		if bytes.HasPrefix(first, []byte("- cmd:")) {
			return fishWhen(rest)
		}
	}
	return time.Time{}, false
}

// parseShellEntry reads one entry of a shell's history.
func parseShellEntry(shell string, entry []byte) (shellCommand, error) {
	if bytes.IndexByte(entry, 0) >= 0 {
		return shellCommand{}, errShellBinary
	}
	switch shell {
	case shellBash:
		return parseBashEntry(entry)
	case shellZsh:
		return parseZshEntry(entry)
	}
	return parseFishEntry(entry)
}

// parseBashEntry reads an optional "#<seconds>" line and the command.
func parseBashEntry(entry []byte) (shellCommand, error) {
	c := shellCommand{typ: "command"}
	body := entry
	first, rest := shellCutLine(entry)
	dated := bashTimestampLine(first)
	if dated {
		c.time, _ = shellUnix(first[1:])
		body = rest
	}
	c.text = shellText(body)
	if strings.TrimSpace(c.text) == "" {
		if dated {
			return shellCommand{}, errBashTimeOnly
		}
		c.typ = "blank"
	}
	return c, nil
}

// zshLine is the extended history prefix ": <start>:<elapsed>;".
type zshLine struct {
	start   time.Time
	dated   bool
	elapsed time.Duration
	cmd     int  // offset of the command in the line
	torn    bool // no ";": the line was cut
}

// zshHeader reads the extended prefix the way zsh does (Src/hist.c,
// readhistfile): ": " and a digit start it; the fields are read leniently.
func zshHeader(line []byte) (zshLine, bool) {
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if len(line) < 3 || line[0] != ':' || line[1] != ' ' || line[2] < '0' || line[2] > '9' {
		return zshLine{}, false
	}
	var h zshLine
	h.start, h.dated = shellUnix(line[2:])
	semi := bytes.IndexByte(line, ';')
	if semi < 0 {
		h.torn = true
		return h, true
	}
	h.cmd = semi + 1
	if _, elapsed, ok := bytes.Cut(line[2:semi], []byte(":")); ok {
		if t, ok := shellUnix(elapsed); ok {
			h.elapsed = time.Duration(t.Unix()) * time.Second
		}
	}
	return h, true
}

// parseZshEntry reads a plain or extended zsh entry, continued over lines
// by a trailing backslash, with zsh's metafied bytes decoded.
func parseZshEntry(entry []byte) (shellCommand, error) {
	c := shellCommand{typ: "command"}
	body := entry
	if h, ok := zshHeader(entry); ok {
		if h.torn {
			return shellCommand{}, errZshTornHeader
		}
		c.typ = "extended"
		if h.dated {
			c.time = h.start
		}
		c.duration = h.elapsed
		body = entry[h.cmd:]
	}
	body = bytes.ReplaceAll(body, []byte("\\\n"), []byte("\n"))
	c.text = shellText(zshUnmetafy(body))
	if strings.TrimSpace(c.text) == "" {
		c.typ = "blank"
	}
	return c, nil
}

// parseFishEntry reads a "- cmd:" entry with its "when:" field; any other
// line is kept as an unknown entry.
func parseFishEntry(entry []byte) (shellCommand, error) {
	first, rest := shellCutLine(entry)
	cmd, ok := bytes.CutPrefix(bytes.TrimRight(first, "\r\n"), []byte("- cmd:"))
	if !ok {
		c := shellCommand{typ: "line", reason: "a line outside any fish entry", text: shellText(entry)}
		if key, _, found := bytes.Cut(bytes.TrimPrefix(first, []byte("- ")), []byte(":")); found && len(first) > 0 && first[0] == '-' {
			c.typ, c.reason = fishFieldName(bytes.TrimSpace(key)), "a fish entry without a cmd field"
		}
		if strings.TrimSpace(c.text) == "" {
			return shellCommand{}, errShellEmptyFish
		}
		return c, nil
	}
	c := shellCommand{typ: "command"}
	c.time, _ = fishWhen(rest)
	c.text = shellText([]byte(fishUnescape(string(bytes.TrimPrefix(cmd, []byte(" "))))))
	if strings.TrimSpace(c.text) == "" {
		c.typ = "blank"
	}
	return c, nil
}

// fishFieldName returns key as a record type when it looks like a field
// name fish could add one day, and "entry" for anything else: a type is
// stored and shown, so it must not carry a stray command line.
func fishFieldName(key []byte) string {
	if len(key) == 0 || len(key) > 32 {
		return "entry"
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "entry"
		}
	}
	return string(key)
}

// fishWhen finds the "when:" field among an entry's field lines.
func fishWhen(fields []byte) (time.Time, bool) {
	for len(fields) > 0 {
		var line []byte
		line, fields = shellCutLine(fields)
		if v, ok := bytes.CutPrefix(bytes.TrimLeft(line, " \t"), []byte("when:")); ok {
			return shellUnix(bytes.TrimSpace(v))
		}
	}
	return time.Time{}, false
}

// fishUnescape undoes fish's escaping of a cmd: "\\" for a backslash and
// "\n" for a newline; any other backslash stands for itself.
func fishUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == 'n') {
			if s[i+1] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte('\\')
			}
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// zshMeta is the byte zsh writes before a byte it "metafies" (xored with
// 32) so that its tokens never collide with text (Src/zsh.h).
const zshMeta = 0x83

// zshUnmetafy decodes zsh's metafied bytes.
func zshUnmetafy(b []byte) []byte {
	if bytes.IndexByte(b, zshMeta) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == zshMeta && i+1 < len(b) {
			out = append(out, b[i+1]^32)
			i++
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// shellCutLine splits off b's first line, terminator included.
func shellCutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1], b[i+1:]
	}
	return b, nil
}

// shellText is an entry's command as text: its last terminator and
// carriage returns dropped, made valid UTF-8.
func shellText(b []byte) string {
	s := strings.TrimSuffix(string(b), "\n")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSuffix(s, "\r")
	return strings.ToValidUTF8(s, "\uFFFD")
}

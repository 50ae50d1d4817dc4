package hookinstall

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/reel-sh/reel"
)

var (
	tomlTableLine  = regexp.MustCompile(`^\s*\[`)
	tomlNotifyLine = regexp.MustCompile(`^\s*notify\s*=`)
)

// readNotify parses a config.toml and returns its top-level notify argv:
// nil when there is none, ok false when notify is not a list of strings.
func readNotify(file string, data []byte) (argv []string, ok bool, err error) {
	var md map[string]any
	if _, err := toml.Decode(string(data), &md); err != nil {
		line := 0
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line = pe.Position.Line
		}
		return nil, false, reel.Errorf(reel.ECORRUPT, "codex config %s:%d: not TOML: %v", file, line, err).
			WithHint("fix the file; reel never rewrites a file it cannot read")
	}
	v, found := md["notify"]
	if !found {
		return nil, true, nil
	}
	list, isList := v.([]any)
	if !isList {
		return nil, false, nil
	}
	for _, a := range list {
		s, isStr := a.(string)
		if !isStr {
			return nil, false, nil
		}
		argv = append(argv, s)
	}
	return argv, true, nil
}

func installNotify(c Client, file string, data []byte, bin string) ([]byte, Change, error) {
	have, ok, err := readNotify(file, data)
	if err != nil {
		return nil, Change{}, err
	}
	want := Argv(c, bin)
	ev := c.Events[0]
	switch {
	case ok && slices.Equal(have, want):
		return data, Change{}, nil
	case !ok || (have != nil && !isReelArgv(have)):
		start, _ := notifySpan(data)
		return nil, Change{}, reel.Errorf(reel.ECONFLICT, "codex config %s:%d: notify already runs %s, and Codex runs only one notify program",
			file, lineAt(data, int64(start)), describeArgv(have)).
			WithHint("remove that notify line to let reel take Codex's turn events, or have your program also run: " + strings.Join(want, " "))
	}
	line := "notify = " + tomlArray(want) + "\n"
	var out []byte
	var ch Change
	if have == nil {
		out = insertTopLevel(data, line)
		ch.Added = []string{ev}
	} else {
		start, end := notifySpan(data)
		out = slices.Concat(data[:start], []byte(line), data[end:])
		ch.Updated = []string{ev}
	}
	if got, _, err := readNotify(file, out); err != nil || !slices.Equal(got, want) {
		return nil, Change{}, reel.Errorf(reel.EINTERNAL, "codex config %s would not read back after the edit; left unchanged", file)
	}
	return out, ch, nil
}

func uninstallNotify(c Client, file string, data []byte) ([]byte, Change, error) {
	have, _, err := readNotify(file, data)
	if err != nil || !isReelArgv(have) {
		return data, Change{}, err
	}
	start, end := notifySpan(data)
	if start < 0 {
		return nil, Change{}, reel.Errorf(reel.EINTERNAL, "codex config %s: reel's notify line not found where TOML has it; left unchanged", file)
	}
	out := slices.Concat(data[:start], data[end:])
	if got, _, err := readNotify(file, out); err != nil || got != nil {
		return nil, Change{}, reel.Errorf(reel.EINTERNAL, "codex config %s would not read back after the edit; left unchanged", file)
	}
	return out, Change{Removed: []string{c.Events[0]}}, nil
}

func inspectNotify(c Client, file string, data []byte) (State, error) {
	st := State{Events: []string{}, Missing: []string{}, Commands: []string{}}
	have, _, err := readNotify(file, data)
	if err != nil {
		return st, err
	}
	if isReelArgv(have) {
		st.Events = append(st.Events, c.Events...)
		st.Commands = append(st.Commands, strings.Join(have, " "))
	} else {
		st.Missing = append(st.Missing, c.Events...)
	}
	return st, nil
}

func describeArgv(argv []string) string {
	if argv == nil {
		return "a value that is not a list of strings"
	}
	return strings.Join(argv, " ")
}

// insertTopLevel puts line where a top-level key must go: before the
// first table header and the blank and comment lines that lead up to it
// (they belong to the table), or at the end when there is no table.
func insertTopLevel(data []byte, line string) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	at := len(lines)
	for i, l := range lines {
		if tomlTableLine.Match(l) {
			at = i
			break
		}
	}
	if at == len(lines) {
		if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
			data = append(slices.Clone(data), '\n')
		}
		return append(slices.Clone(data), line...)
	}
	for at > 0 {
		t := bytes.TrimSpace(lines[at-1])
		if len(t) > 0 && t[0] != '#' {
			break
		}
		at--
	}
	off := 0
	for _, l := range lines[:at] {
		off += len(l)
	}
	return slices.Concat(data[:off], []byte(line), data[off:])
}

// notifySpan returns the byte range of the top-level notify key, from its
// line's start to past the line where its array closes (-1 if none).
func notifySpan(data []byte) (start, end int) {
	off := 0
	for _, l := range bytes.SplitAfter(data, []byte("\n")) {
		if tomlTableLine.Match(l) {
			break
		}
		if tomlNotifyLine.Match(l) {
			return off, off + valueEnd(data[off:])
		}
		off += len(l)
	}
	return -1, -1
}

// valueEnd returns how far the key = value at the start of b runs: past
// the newline of the line where its brackets balance, quotes and
// comments minded.
func valueEnd(b []byte) int {
	depth, seen := 0, false
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
			i--
		case c == '[':
			depth, seen = depth+1, true
		case c == ']':
			depth--
		case c == '\n' && (depth <= 0 || !seen):
			return i + 1
		}
	}
	return len(b)
}

// tomlArray writes argv as a TOML array of basic strings.
func tomlArray(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range a {
			switch {
			case r == '"' || r == '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case r < 0x20 || r == 0x7f:
				fmt.Fprintf(&b, `\u%04X`, r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		q[i] = b.String()
	}
	return "[" + strings.Join(q, ", ") + "]"
}

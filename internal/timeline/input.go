package timeline

import (
	"encoding/json"
	"strings"
)

// input is a tool call's arguments as a JSON object; nil when they are
// not one.
type input map[string]json.RawMessage

// parseInput decodes a tool call's Input.
func parseInput(raw json.RawMessage) input {
	var in input
	if len(raw) == 0 || json.Unmarshal(raw, &in) != nil {
		return nil
	}
	return in
}

// str returns the string at key, or "".
func (in input) str(key string) string {
	var s string
	if raw, ok := in[key]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// strs returns the strings at key: a list of strings, or one string.
func (in input) strs(key string) []string {
	raw, ok := in[key]
	if !ok {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	if s := in.str(key); s != "" {
		return []string{s}
	}
	return nil
}

// commandLine returns the command line in a shell tool's input: a string,
// or a list of words ("bash -lc SCRIPT" gives SCRIPT), under "command" or
// "cmd"; "" if there is none.
func (in input) commandLine() string {
	for _, key := range []string{"command", "cmd", "commandLine"} {
		if s := in.str(key); s != "" {
			return s
		}
		var argv []string
		if raw, ok := in[key]; ok && json.Unmarshal(raw, &argv) == nil && len(argv) > 0 {
			return argvText(argv)
		}
	}
	return ""
}

// argvText renders a command given as words as a shell line: the script
// of "sh -c SCRIPT" (any common shell, -c or -lc), else the words,
// quoted where a shell would need it.
func argvText(argv []string) string {
	if len(argv) == 3 && (argv[1] == "-c" || argv[1] == "-lc") {
		switch argv[0][strings.LastIndexByte(argv[0], '/')+1:] {
		case "bash", "sh", "zsh", "dash", "fish":
			return argv[2]
		}
	}
	words := make([]string, len(argv))
	for i, w := range argv {
		words[i] = quote(w)
	}
	return strings.Join(words, " ")
}

// quote single-quotes a word for a POSIX shell when it needs it.
func quote(w string) string {
	if w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

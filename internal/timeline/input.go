package timeline

import (
	"encoding/json"

	"github.com/reel-sh/reel"
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

// shellCommand returns the command line a shell tool call ran: its
// input's "command", "cmd" or "commandLine" string, or, for a command
// given as a list of words (Codex's shell), the call's text, which the
// importer renders as the shell line; "" if there is none.
func shellCommand(e reel.Event) string {
	in := parseInput(e.Input)
	for _, key := range []string{"command", "cmd", "commandLine"} {
		if s := in.str(key); s != "" {
			return s
		}
		if len(in.strs(key)) > 0 {
			return e.Text
		}
	}
	return ""
}

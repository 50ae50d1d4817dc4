package runbook

import "strings"

// word is one shell word or operator of a command line, as written.
type word struct {
	text       string
	start, end int
	// op marks an operator: ; | & && || ( ) a newline, or a redirection.
	op bool
	// cmdPos marks a word in command position: the command's name, an
	// assignment before it, or a wrapper such as sudo.
	cmdPos bool
}

// wrappers run the command that follows them, which stays in command
// position.
var wrappers = map[string]bool{
	"sudo": true, "doas": true, "env": true, "nohup": true, "time": true, "exec": true, "command": true,
	"builtin": true, "nice": true, "xargs": true, "then": true, "do": true, "else": true, "if": true,
	"while": true, "until": true, "!": true, "{": true,
}

// lex splits a command line into words and operators, the way a POSIX
// shell would well enough to find literals: quotes, backslashes, $(…),
// ${…} and backquotes stay inside their word; # starts a comment.
func lex(s string) []word {
	var out []word
	cmdPos := true
	i := 0
	emit := func(w word) {
		if w.op {
			if !strings.HasPrefix(w.text, "<") && !strings.HasPrefix(w.text, ">") {
				cmdPos = true
			}
		} else {
			w.cmdPos = cmdPos
			if cmdPos && !isAssignment(w.text) && !wrappers[w.text] {
				cmdPos = false
			}
		}
		out = append(out, w)
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '\n' || c == ';' || c == '(' || c == ')':
			emit(word{text: s[i : i+1], start: i, end: i + 1, op: true})
			i++
		case c == '|' || c == '&':
			j := i + 1
			if j < len(s) && (s[j] == c || (c == '|' && s[j] == '&') || (c == '&' && s[j] == '>')) {
				j++
			}
			emit(word{text: s[i:j], start: i, end: j, op: true})
			i = j
		case c == '<' || c == '>':
			j := i + 1
			for j < len(s) && (s[j] == '<' || s[j] == '>' || s[j] == '&' || s[j] == '|') {
				j++
			}
			emit(word{text: s[i:j], start: i, end: j, op: true})
			i = j
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		default:
			j := wordEnd(s, i)
			emit(word{text: s[i:j], start: i, end: j})
			i = j
		}
	}
	return out
}

// wordEnd returns where the word starting at i ends.
func wordEnd(s string, i int) int {
	for i < len(s) {
		switch c := s[i]; c {
		case ' ', '\t', '\n', ';', '|', '&', '<', '>', '(', ')':
			return i
		case '\\':
			i += 2
		case '\'':
			i = closing(s, i+1, '\'')
		case '"':
			i = dquoteEnd(s, i+1)
		case '`':
			i = closing(s, i+1, '`')
		case '$':
			if i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '{') {
				i = nestEnd(s, i+1)
			} else {
				i++
			}
		default:
			i++
		}
	}
	return min(i, len(s))
}

// closing returns the index after the first c at or after i.
func closing(s string, i int, c byte) int {
	if j := strings.IndexByte(s[min(i, len(s)):], c); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// dquoteEnd returns the index after the double quote that closes a string
// starting at i, skipping backslash escapes.
func dquoteEnd(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

// nestEnd returns the index after the bracket that closes the one at i.
func nestEnd(s string, i int) int {
	open := s[i]
	shut := map[byte]byte{'(': ')', '{': '}'}[open]
	depth := 0
	for i < len(s) {
		switch s[i] {
		case open:
			depth++
		case shut:
			depth--
			if depth == 0 {
				return i + 1
			}
		case '\'':
			i = closing(s, i+1, '\'') - 1
		case '"':
			i = dquoteEnd(s, i+1) - 1
		case '\\':
			i++
		}
		i++
	}
	return len(s)
}

// isAssignment reports whether w is NAME=value.
func isAssignment(w string) bool {
	eq := strings.IndexByte(w, '=')
	if eq <= 0 {
		return false
	}
	for i := 0; i < eq; i++ {
		c := w[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

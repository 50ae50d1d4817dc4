package shellwords

import "strings"

// Split splits a command line into its simple commands, each as
// the words a shell would pass (quotes removed), with wrappers such as
// sudo and env left in place. Command substitutions, backquotes and the
// scripts of sh -c, bash -c and eval are split too, as commands of their
// own, since they run as well.
func Split(line string) [][]string {
	var out [][]string
	var inner []string
	var cur []string
	var w strings.Builder
	inWord := false
	flushWord := func() {
		if inWord {
			cur = append(cur, w.String())
			w.Reset()
			inWord = false
		}
	}
	flushCmd := func() {
		flushWord()
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			flushWord()
		case c == '\n' || c == ';' || c == '|' || c == '&' || c == '(' || c == ')' || c == '{' && !inWord || c == '}' && !inWord:
			flushCmd()
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				j = len(line) - i - 1
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' && j+1 < len(line) {
					j++
				} else if line[j] == '$' && j+1 < len(line) && line[j+1] == '(' {
					end := parenEnd(line, j+1)
					inner = append(inner, line[j+2:max(j+2, end-1)])
					w.WriteString(line[j:end])
					j = end
					continue
				}
				w.WriteByte(line[j])
				j++
			}
			i = j
			inWord = true
		case c == '`':
			j := strings.IndexByte(line[i+1:], '`')
			if j < 0 {
				j = len(line) - i - 1
			}
			inner = append(inner, line[i+1:i+1+j])
			i += j + 1
			inWord = true
		case c == '$' && i+1 < len(line) && line[i+1] == '(':
			end := parenEnd(line, i+1)
			inner = append(inner, line[i+2:max(i+2, end-1)])
			w.WriteString(line[i:end])
			i = end - 1
			inWord = true
		case c == '<' || c == '>':
			flushWord()
			// A redirection stays with its command; its target is a word.
			w.WriteByte(c)
			for i+1 < len(line) && (line[i+1] == '>' || line[i+1] == '&' || line[i+1] == '<') {
				i++
				w.WriteByte(line[i])
			}
			cur = append(cur, w.String())
			w.Reset()
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	flushCmd()
	for _, s := range inner {
		out = append(out, Split(s)...)
	}
	// The script of sh -c, bash -c and eval runs too.
	for _, argv := range append([][]string{}, out...) {
		argv = Unwrap(argv)
		if len(argv) == 0 {
			continue
		}
		switch Base(argv[0]) {
		case "sh", "bash", "zsh", "dash", "ksh", "fish":
			for i := 1; i+1 < len(argv); i++ {
				if argv[i] == "-c" || strings.HasPrefix(argv[i], "-") && strings.HasSuffix(argv[i], "c") {
					out = append(out, Split(argv[i+1])...)
					break
				}
			}
		case "eval":
			out = append(out, Split(strings.Join(argv[1:], " "))...)
		}
	}
	return out
}

// parenEnd returns the index after the parenthesis that closes the one
// at i.
func parenEnd(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '\'':
			if j := strings.IndexByte(s[i+1:], '\''); j >= 0 {
				i += j + 1
			}
		}
	}
	return len(s)
}

// Unwrap drops what runs a command without being it: leading NAME=value
// assignments and wrappers (sudo, env, nohup, time, nice, exec, command,
// builtin, xargs) with their options.
func Unwrap(argv []string) []string {
	for len(argv) > 0 {
		a := argv[0]
		switch {
		case strings.Contains(a, "=") && !strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "="):
			argv = argv[1:]
		case wrapperArgs[Base(a)] != nil:
			takes := wrapperArgs[Base(a)]
			argv = argv[1:]
			for len(argv) > 0 && strings.HasPrefix(argv[0], "-") {
				opt := argv[0]
				argv = argv[1:]
				if takes[opt] && len(argv) > 0 {
					argv = argv[1:]
				}
			}
			if Base(a) == "timeout" && len(argv) > 0 {
				argv = argv[1:] // the duration
			}
			if Base(a) == "env" {
				for len(argv) > 0 && strings.Contains(argv[0], "=") {
					argv = argv[1:]
				}
			}
		default:
			return argv
		}
	}
	return argv
}

// wrapperArgs lists each wrapper's options that take an argument.
var wrapperArgs = map[string]map[string]bool{
	"sudo": {"-u": true, "-g": true, "-C": true, "-D": true, "-h": true, "-p": true, "-r": true, "-t": true, "-U": true},
	"doas": {"-u": true, "-C": true}, "env": {"-u": true, "-C": true, "-S": true}, "nohup": {}, "time": {"-f": true, "-o": true},
	"nice": {"-n": true}, "exec": {"-a": true}, "command": {}, "builtin": {}, "xargs": {"-I": true, "-n": true, "-P": true, "-d": true, "-L": true, "-s": true},
	"stdbuf": {"-i": true, "-o": true, "-e": true}, "timeout": {"-s": true, "-k": true}, "ionice": {"-c": true, "-n": true},
}

// Base returns a command name without its folder.
func Base(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

package timeline

import (
	"path"
	"strings"
)

// commandTouches returns the files a shell command line names as those
// of rm, mv, cp, touch or sed -i (each a "command" touch), in order. It
// reads the line as a POSIX shell splits it into simple commands (at ;,
// &, |, newlines and parentheses), after assignments and sudo, env,
// command or nice before the program; it does not expand variables or
// globs, so it reports what the command said.
func commandTouches(line string) []touch {
	var out []touch
	for _, words := range simpleCommands(line) {
		for _, p := range commandPaths(words) {
			out = append(out, touch{p, opCommand})
		}
	}
	return out
}

// wrappers run the command that follows them.
var wrappers = map[string]bool{"sudo": true, "env": true, "command": true, "nice": true, "nohup": true, "time": true}

// commandPaths returns the paths one simple command's words give to a
// file-changing program.
func commandPaths(words []string) []string {
	for len(words) > 0 && (isAssignment(words[0]) || wrappers[words[0]]) {
		words = words[1:]
	}
	if len(words) == 0 {
		return nil
	}
	prog, args := path.Base(words[0]), words[1:]
	switch prog {
	case "rm", "mv", "cp", "touch":
		// touch -d DATE, -t STAMP and -r FILE take a value that is not
		// a file it changes.
		var skip map[string]bool
		if prog == "touch" {
			skip = map[string]bool{"-d": true, "-t": true, "-r": true, "--date": true, "--reference": true}
		}
		return operands(args, skip)
	case "sed":
		return sedPaths(args)
	}
	return nil
}

// operands returns the words that are not options: all after "--", and
// none that an option in takesValue consumes.
func operands(args []string, takesValue map[string]bool) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i+1:]...)
		case takesValue[a]:
			i++
		case strings.HasPrefix(a, "-") && a != "-":
		default:
			out = append(out, a)
		}
	}
	return out
}

// sedPaths returns the files sed edits in place: none without -i (or
// --in-place); the operands after the script otherwise, the script being
// the first operand unless -e or -f gave it.
func sedPaths(args []string) []string {
	inPlace, script := false, false
	var ops []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			ops = append(ops, args[i+1:]...)
			i = len(args)
		case a == "-e" || a == "-f" || a == "--expression" || a == "--file":
			script = true
			i++
		case strings.HasPrefix(a, "--expression=") || strings.HasPrefix(a, "--file="):
			script = true
		case a == "--in-place" || strings.HasPrefix(a, "--in-place="):
			inPlace = true
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-") && a != "-":
			// A group of short options; -i may carry a suffix (-i.bak),
			// and -e or -f in a group takes the next word.
			for j, r := range a[1:] {
				if r == 'i' {
					inPlace = true
					break
				}
				if r == 'e' || r == 'f' {
					script = true
					if j == len(a)-2 {
						i++
					}
					break
				}
			}
		default:
			ops = append(ops, a)
		}
	}
	if !inPlace {
		return nil
	}
	if !script && len(ops) > 0 {
		ops = ops[1:]
	}
	return ops
}

// isAssignment reports whether a word is a NAME=value prefix.
func isAssignment(w string) bool {
	i := strings.IndexByte(w, '=')
	if i <= 0 {
		return false
	}
	for j, r := range w[:i] {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || j > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// simpleCommands splits a shell line into its simple commands' words,
// honouring single and double quotes and backslashes. Redirections and
// their targets are dropped; a here-document's body is not told apart
// from commands (its lines rarely start with rm or sed -i).
func simpleCommands(line string) [][]string {
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord := false
	flushWord := func() {
		if inWord {
			words = append(words, w.String())
		}
		w.Reset()
		inWord = false
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			cmds = append(cmds, dropRedirections(words))
		}
		words = nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			inWord = true
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				w.WriteString(line[i+1:])
				i = len(line)
				break
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			for i++; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`\n", line[i+1]) >= 0 {
					i++
				}
				w.WriteByte(line[i])
			}
		case c == '\\':
			inWord = true
			if i+1 < len(line) {
				i++
				if line[i] != '\n' {
					w.WriteByte(line[i])
				}
			}
		case c == '#' && !inWord:
			for i < len(line) && line[i] != '\n' {
				i++
			}
			flushCmd()
		case c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')' || c == '{' && !inWord || c == '}' && !inWord:
			flushCmd()
		case c == ' ' || c == '\t' || c == '\r':
			flushWord()
		default:
			inWord = true
			w.WriteByte(c)
		}
	}
	flushCmd()
	return cmds
}

// dropRedirections removes redirection operators and their targets
// ("> f", "2>&1", "<f") from a command's words.
func dropRedirections(words []string) []string {
	out := words[:0:0]
	for i := 0; i < len(words); i++ {
		w := strings.TrimLeft(words[i], "0123456789")
		if strings.HasPrefix(w, ">") || strings.HasPrefix(w, "<") {
			if strings.Trim(w, "<>&|") == "" && i+1 < len(words) {
				i++ // the target is the next word
			}
			continue
		}
		out = append(out, words[i])
	}
	return out
}

package timeline

import (
	"strings"

	"github.com/reel-sh/reel/internal/shellwords"
)

// commandTouches returns the files a shell command line names as those
// of rm, mv, cp, touch or sed -i (each a "command" touch), in order. It
// reads the line as shellwords splits it into simple commands (the
// scripts of sh -c and $(…) included), after the assignments and
// wrappers (sudo, env …) before the program; it does not expand
// variables or globs, so it reports what the command said.
func commandTouches(line string) []touch {
	var out []touch
	for _, words := range shellwords.Split(line) {
		for _, p := range commandPaths(dropRedirections(shellwords.Unwrap(words))) {
			out = append(out, touch{p, opCommand})
		}
	}
	return out
}

// commandPaths returns the paths one simple command's words give to a
// file-changing program.
func commandPaths(words []string) []string {
	if len(words) == 0 {
		return nil
	}
	prog, args := shellwords.Base(words[0]), words[1:]
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

// dropRedirections removes redirections and their targets from a simple
// command's words, as shellwords leaves them: an operator word ("<", ">",
// ">>", ">&" …), the file descriptor word before it ("2" of "2>") and the
// target after it.
func dropRedirections(words []string) []string {
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if isRedirection(w) {
			i++ // the target
			continue
		}
		if i+1 < len(words) && isRedirection(words[i+1]) && strings.Trim(w, "0123456789") == "" {
			continue // the descriptor
		}
		out = append(out, w)
	}
	return out
}

// isRedirection reports whether a word is a redirection operator.
func isRedirection(w string) bool {
	return w != "" && strings.Trim(w, "<>&|") == "" && (w[0] == '<' || w[0] == '>')
}

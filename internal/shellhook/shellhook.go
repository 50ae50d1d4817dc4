package shellhook

import (
	_ "embed"
	"sort"
	"strings"

	"github.com/reel-sh/reel"
)

var (
	//go:embed bash.sh
	bashScript string
	//go:embed zsh.zsh
	zshScript string
	//go:embed fish.fish
	fishScript string
)

var scripts = map[string]string{"bash": bashScript, "zsh": zshScript, "fish": fishScript}

// Shells lists the shells reel integrates with.
func Shells() []string {
	names := make([]string, 0, len(scripts))
	for n := range scripts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Params are what a script needs to know about this reel.
type Params struct {
	// Bin is the reel binary the hook runs for rec start and stop.
	Bin string
	// Locks is the folder of the recorder's lock files
	// (config.Paths.RecordingState): the shell opens a lock file there
	// itself, before rec start locks it.
	Locks string
}

// Script returns the integration script for shell. EINVALID for a shell
// reel does not know.
func Script(shell string, p Params) (string, error) {
	s, ok := scripts[shell]
	if !ok {
		return "", reel.Errorf(reel.EINVALID, "reel cannot hook into %q", shell).
			WithHint("shells: " + strings.Join(Shells(), ", "))
	}
	quote := Quote
	if shell == "fish" {
		quote = QuoteFish
	}
	return strings.NewReplacer("@REEL_BIN@", quote(p.Bin), "@REEL_LOCKS@", quote(p.Locks)).Replace(s), nil
}

// Quote quotes s for bash and zsh: single quotes, with each ' written '\”.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// QuoteFish quotes s for fish, whose single quotes take \\ and \'.
func QuoteFish(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// Assign returns shell code that sets the global variables vars (in order)
// in shell, each value quoted.
func Assign(shell string, vars [][2]string) string {
	var b strings.Builder
	for _, v := range vars {
		switch shell {
		case "fish":
			b.WriteString("set -g " + v[0] + " " + QuoteFish(v[1]) + "\n")
		case "zsh":
			b.WriteString("typeset -g " + v[0] + "=" + Quote(v[1]) + "\n")
		default:
			b.WriteString(v[0] + "=" + Quote(v[1]) + "\n")
		}
	}
	return b.String()
}

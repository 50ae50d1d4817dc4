package hookinstall

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/reel-sh/reel"
)

// Settings formats.
const (
	FormatHooksJSON   = "hooks-json"   // a settings.json with a "hooks" object (Claude Code, Gemini CLI)
	FormatCodexNotify = "codex-notify" // config.toml's notify program (Codex)
)

// Client is an agent client reel installs its hook into.
type Client struct {
	// Name is the client's source name: claude-code, codex or gemini.
	Name string `json:"client"`
	// Format says how its settings hold hooks.
	Format string `json:"format"`
	// Events are the hook events reel's entry is installed for; Codex's
	// notify program gets one event, agent-turn-complete.
	Events []string `json:"events"`
	// Timeout is the entry's timeout in the client's unit (Claude Code:
	// seconds, Gemini: milliseconds); 0 for none.
	Timeout int `json:"-"`
}

// Clients lists every client reel installs hooks into.
func Clients() []Client {
	return []Client{
		{Name: "claude-code", Format: FormatHooksJSON, Timeout: 5, Events: []string{
			"SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Notification",
			"Stop", "SubagentStop", "PreCompact", "SessionEnd"}},
		{Name: "codex", Format: FormatCodexNotify, Events: []string{"agent-turn-complete"}},
		{Name: "gemini", Format: FormatHooksJSON, Timeout: 5000, Events: []string{
			"SessionStart", "BeforeAgent", "BeforeTool", "AfterTool", "AfterAgent",
			"Notification", "PreCompress", "SessionEnd"}},
	}
}

// Lookup returns the client named name; "all" is not one. ENOTFOUND for
// a name reel does not install into.
func Lookup(name string) (Client, error) {
	var names []string
	for _, c := range Clients() {
		if c.Name == name {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return Client{}, reel.Errorf(reel.ENOTFOUND, "no hooks for client %q", name).
		WithHint("use one of " + strings.Join(names, ", ") + " or all")
}

// DefaultSettings returns the settings file of c for a user whose home is
// home: ~/.claude/settings.json ($CLAUDE_CONFIG_DIR), ~/.codex/config.toml
// ($CODEX_HOME) or ~/.gemini/settings.json ($GEMINI_CLI_HOME/.gemini).
func DefaultSettings(c Client, home string, getenv func(string) string) string {
	switch c.Name {
	case "claude-code":
		if d := getenv("CLAUDE_CONFIG_DIR"); d != "" {
			return filepath.Join(d, "settings.json")
		}
		return filepath.Join(home, ".claude", "settings.json")
	case "codex":
		if d := getenv("CODEX_HOME"); d != "" {
			return filepath.Join(d, "config.toml")
		}
		return filepath.Join(home, ".codex", "config.toml")
	}
	if d := getenv("GEMINI_CLI_HOME"); d != "" {
		home = d
	}
	return filepath.Join(home, ".gemini", "settings.json")
}

// Argv returns the program and arguments of reel's hook for c, with bin
// the absolute path of the reel binary.
func Argv(c Client, bin string) []string { return []string{bin, "hook", "--client", c.Name} }

// Command returns Argv as one shell command line, as the JSON settings
// hold it.
func Command(c Client, bin string) string {
	argv := Argv(c, bin)
	for i, a := range argv {
		argv[i] = shellQuote(a)
	}
	return strings.Join(argv, " ")
}

// shellQuote quotes s for sh when it holds anything but plain characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// IsReelCommand reports whether a hook command line is reel's: a program
// named reel (any path) whose first argument is hook.
func IsReelCommand(cmd string) bool { return isReelArgv(splitShell(cmd)) }

func isReelArgv(argv []string) bool {
	return len(argv) >= 2 && filepath.Base(argv[0]) == "reel" && argv[1] == "hook"
}

// splitShell splits a command line into words, with sh's single and
// double quotes and backslashes; enough to read the commands reel writes
// and the usual hand-written ones.
func splitShell(s string) []string {
	var words []string
	var w strings.Builder
	in, quote, esc := false, byte(0), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			w.WriteByte(c)
			esc = false
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == '\\' && quote != '\'':
			esc, in = true, true
		case quote == '"':
			if c == '"' {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// fileMode returns path's mode, or 0600 for a file that does not exist.
func fileMode(path string) os.FileMode {
	if fi, err := os.Stat(path); err == nil {
		return fi.Mode().Perm()
	}
	return 0o600
}

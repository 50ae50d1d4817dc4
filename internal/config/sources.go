package config

import (
	"path/filepath"
	"runtime"

	"github.com/reel-sh/reel"
)

// DefaultEnabled reports whether sync reads a source that config does not
// mention. Shell history is off until asked for: history files hold the
// secrets people type on command lines.
func DefaultEnabled(source string) bool { return source != reel.SourceShellHistory }

// Enabled reports whether sync reads source.
func (c *Config) Enabled(source string) bool {
	s := c.Sources[source]
	switch {
	case s.Enabled != nil:
		return *s.Enabled
	case s.Disabled:
		return false
	}
	return DefaultEnabled(source)
}

// SourceRoots returns the folders (or files) where a source keeps its
// sessions: the configured path, else the client's own environment
// variable, else its default places; then any extra configured paths.
func (c *Config) SourceRoots(source string, env Env) []string {
	s := c.Sources[source]
	var roots []string
	switch {
	case s.Path != "":
		roots = []string{expandHome(s.Path, c.Paths.Home)}
	case source == reel.SourceShell:
		roots = []string{c.Paths.Recordings()} // reel's own, under its data folder
	case source == reel.SourceHooks:
		roots = []string{c.Paths.LiveSource(source)} // reel's own live sessions
	default:
		roots = defaultRoots(source, c.Paths.Home, env)
	}
	for _, p := range s.Paths {
		if p != "" {
			roots = append(roots, expandHome(p, c.Paths.Home))
		}
	}
	// One place named twice ($HISTFILE is often ~/.bash_history) is read
	// once.
	seen := map[string]bool{}
	out := roots[:0]
	for _, r := range roots {
		if r = filepath.Clean(r); !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// defaultRoots returns where a client keeps its sessions when config says
// nothing. An empty or relative environment value counts as unset.
func defaultRoots(source, home string, env Env) []string {
	envDir := func(k string) string {
		if v := env(k); filepath.IsAbs(v) {
			return v
		}
		return ""
	}
	dataHome := envDir("XDG_DATA_HOME")
	if dataHome == "" {
		dataHome = filepath.Join(home, ".local", "share")
	}
	configHome := envDir("XDG_CONFIG_HOME")
	if configHome == "" {
		configHome = filepath.Join(home, ".config")
	}
	// appSupport is where desktop apps (VS Code, Cursor) keep user data.
	appSupport := configHome
	if runtime.GOOS == "darwin" {
		appSupport = filepath.Join(home, "Library", "Application Support")
	}
	switch source {
	case reel.SourceClaudeCode:
		if d := envDir("CLAUDE_CONFIG_DIR"); d != "" {
			return []string{filepath.Join(d, "projects")}
		}
		return []string{filepath.Join(home, ".claude", "projects")}
	case reel.SourceCodex:
		if d := envDir("CODEX_HOME"); d != "" {
			return []string{filepath.Join(d, "sessions")}
		}
		return []string{filepath.Join(home, ".codex", "sessions")}
	case reel.SourceGemini:
		// Gemini CLI's home is $GEMINI_CLI_HOME when set; .gemini is under it.
		if d := envDir("GEMINI_CLI_HOME"); d != "" {
			return []string{filepath.Join(d, ".gemini", "tmp")}
		}
		return []string{filepath.Join(home, ".gemini", "tmp")}
	case reel.SourceOpencode:
		return []string{filepath.Join(dataHome, "opencode")}
	case reel.SourceCursor:
		// The editor's database first: a transcript of a chat it holds
		// too is then skipped, since the database has times and results.
		return []string{
			filepath.Join(appSupport, "Cursor", "User", "globalStorage"),
			filepath.Join(home, ".cursor", "projects"),
		}
	case reel.SourceAider:
		return nil // aider writes into each repository; config lists them
	case reel.SourcePi:
		if d := envDir("PI_CODING_AGENT_SESSION_DIR"); d != "" {
			return []string{d}
		}
		if d := envDir("PI_CODING_AGENT_DIR"); d != "" {
			return []string{filepath.Join(d, "sessions")}
		}
		return []string{filepath.Join(home, ".pi", "agent", "sessions")}
	case reel.SourceCopilot:
		cli := filepath.Join(home, ".copilot", "session-state")
		if d := envDir("COPILOT_HOME"); d != "" {
			cli = filepath.Join(d, "session-state")
		}
		return []string{
			cli,
			filepath.Join(appSupport, "Code", "User"),
			filepath.Join(appSupport, "Code - Insiders", "User"),
		}
	case reel.SourceAmp:
		return []string{filepath.Join(dataHome, "amp", "threads")}
	case reel.SourceDroid:
		return []string{filepath.Join(home, ".factory", "sessions")}
	case reel.SourceShellHistory:
		roots := []string{filepath.Join(home, ".bash_history"), filepath.Join(home, ".zsh_history")}
		if f := envDir("HISTFILE"); f != "" {
			roots = append([]string{f}, roots...)
		}
		return append(roots, filepath.Join(dataHome, "fish", "fish_history"))
	}
	return nil
}

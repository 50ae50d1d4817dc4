package tui

import (
	"strings"

	"github.com/reel-sh/reel"
)

// ResumeCommand returns the shell command that resumes sess in its own
// client, and false when reel knows of none for its source (or the
// session has no native id).
func ResumeCommand(sess reel.Session) (string, bool) {
	if sess.NativeID == "" {
		return "", false
	}
	id := shellQuote(sess.NativeID)
	switch sess.Source {
	case reel.SourceClaudeCode:
		return "claude --resume " + id, true
	case reel.SourceCodex:
		return "codex resume " + id, true
	case reel.SourceGemini:
		return "gemini --resume " + id, true
	case reel.SourceOpencode:
		return "opencode --session " + id, true
	}
	return "", false
}

// shellQuote returns s as one shell word: unchanged when it holds only
// safe characters, else in single quotes.
func shellQuote(s string) string {
	safe := strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@%+=-") == ""
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

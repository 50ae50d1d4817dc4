package tmux

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStripANSI(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"OKPlain", "hello\tworld\n", "hello\tworld\n"},
		{"OKSGR", "\x1b[1;31mred\x1b[0m text", "red text"},
		{"OKCursor", "a\x1b[2K\x1b[1Gb\x1b[?25l\x1b[?2004h", "ab"},
		{"OKOSCBell", "\x1b]0;window title\x07after", "after"},
		{"OKOSCST", "\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"OKDCS", "\x1bPq#0;2;0;0;0\x1b\\x", "x"},
		{"OKTwoByte", "\x1b(B\x1b=\x1b>z", "z"},
		{"OKC1CSI", "\u009b31mc1\u009b0m", "c1"},
		{"OKCarriageReturn", "10%\r20%\r\ndone\r\n", "20%\ndone\n"},
		{"OKControls", "bell\x07 back\x08 nul\x00 del\x7f", "bell back nul del"},
		{"OKUnicode", "✓ café \x1b[32m日本\x1b[0m", "✓ café 日本"},
		{"OKInvalidUTF8", "a\xffb", "a\xffb"},
		{"OKCutSequence", "tail\x1b[", "tail"},
		{"OKCutOSC", "x\x1b]0;never ended", "x"},
		{"OKLoneEscape", "\x1b", ""},
		{"OKBrokenCSI", "\x1b[12\x1b[31mred", "red"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripANSI(tt.in); got != tt.want {
				t.Errorf("StripANSI(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	t.Run("OKSqueeze", func(t *testing.T) {
		in := "\n\n\x1b[1mfirst\x1b[0m   \n\n\n\n  \nsecond\n\n\n"
		if got := Summarize(in); got != "first\n\nsecond" {
			t.Errorf("Summarize = %q", got)
		}
	})
	t.Run("OKLongKeepsTheEnd", func(t *testing.T) {
		in := strings.Repeat("日本語のテキスト ", 100) + "\nthe last line"
		got := Summarize(in)
		if len(got) > MaxSummary || !utf8.ValidString(got) || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "the last line") {
			t.Errorf("Summarize = %d bytes, valid %v: %q", len(got), utf8.ValidString(got), got)
		}
		if len(got) < MaxSummary-3 {
			t.Errorf("Summarize = %d bytes, cut more than a rune short of %d", len(got), MaxSummary)
		}
	})
	t.Run("OKShort", func(t *testing.T) {
		if got := Summarize("ok"); got != "ok" {
			t.Errorf("Summarize = %q", got)
		}
	})
}

func TestAgentOf(t *testing.T) {
	tests := []struct {
		command []string
		want    string
	}{
		{[]string{"claude"}, "claude-code"},
		{[]string{"/usr/local/bin/claude", "--resume"}, "claude-code"},
		{[]string{"npx", "-y", "@anthropic-ai/claude-code"}, "claude-code"},
		{[]string{"env", "FOO=1", "codex", "--full-auto"}, "codex"},
		{[]string{"gemini"}, "gemini"},
		{[]string{"opencode"}, "opencode"},
		{[]string{"aider", "--model", "x"}, "aider"},
		{[]string{"cursor-agent"}, "cursor"},
		{[]string{"./scripts/run-tests.sh"}, "run-tests.sh"},
		{[]string{"python3.12", "x.py"}, "python3.12"},
		{[]string{"env"}, "env"},
	}
	for _, tt := range tests {
		if got := agentOf(tt.command); got != tt.want {
			t.Errorf("agentOf(%q) = %q, want %q", tt.command, got, tt.want)
		}
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"api":                   "api",
		"My Project!":           "my-project",
		"--weird__name..":       "weird-name",
		"日本":                    "agent",
		"":                      "agent",
		strings.Repeat("a", 99): strings.Repeat("a", 40),
	}
	for in, want := range tests {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"api", "api", 0}, {"wbe", "web", 2}, {"kitten", "sitting", 3}, {"日本", "日", 1}} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestShellScript(t *testing.T) {
	got := shellScript([]string{"echo", "it's", "$HOME"})
	if want := `'echo' 'it'\''s' '$HOME'; true`; got != want {
		t.Errorf("shellScript = %q, want %q", got, want)
	}
}

package ingest

import (
	"strconv"
	"strings"

	"github.com/reel-sh/reel"
)

// aiderTokens reads the usage line aider writes after each reply
// (Coder.calculate_and_show_tokens_and_cost):
//
//	Tokens: 12k sent, 1.5k cache write, 9.8k cache hit, 345 received. Cost: $0.01 message, $0.05 session.
//
// aider rounds counts of a thousand or more ("1.2k", "12k"), so the counts
// are as precise as the line. "sent" includes the cache write, which is
// counted apart here so that no token is counted twice.
func aiderTokens(text string) (reel.Tokens, bool) {
	s, ok := strings.CutPrefix(text, "Tokens: ")
	if !ok {
		return reel.Tokens{}, false
	}
	i := strings.Index(s, " received")
	if i < 0 {
		return reel.Tokens{}, false
	}
	var t reel.Tokens
	var sent, received bool
	for part := range strings.SplitSeq(s[:i+len(" received")], ", ") {
		num, label, ok := strings.Cut(strings.TrimSpace(part), " ")
		if !ok {
			return reel.Tokens{}, false
		}
		n, ok := aiderCount(num)
		if !ok {
			return reel.Tokens{}, false
		}
		switch label {
		case "sent":
			t.Input, sent = n, true
		case "received":
			t.Output, received = n, true
		case "cache write":
			t.CacheCreation = n
		case "cache hit", "cache read":
			t.CacheRead = n
		}
	}
	if !sent || !received {
		return reel.Tokens{}, false
	}
	t.Input = max(t.Input-t.CacheCreation, 0)
	return t, true
}

// aiderCount reads a count as aider's format_tokens writes it: "345",
// "1.2k", "12k".
func aiderCount(s string) (int64, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "M"):
		mult, s = 1e6, strings.TrimSuffix(s, "M")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e15 || f != f {
		return 0, false
	}
	return int64(f*mult + 0.5), true
}

// aiderTitle trims the first prompt to a title's length.
func aiderTitle(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return text
}

// aiderValidText makes s valid UTF-8 for an event.
func aiderValidText(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// aiderFirstField returns s up to its first space.
func aiderFirstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return aiderValidText(f[0])
	}
	return ""
}

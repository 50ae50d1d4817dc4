package postgres

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEncText(t *testing.T) {
	tests := []struct {
		name, in, stored string
	}{
		{"OKPlain", "hello, wörld ✓", "hello, wörld ✓"},
		{"OKEmpty", "", ""},
		{"OKNUL", "a\x00b", "a\uFFFE00b"},
		{"OKInvalid", "caf\xe9", "caf\uFFFEe9"},
		{"OKEscapeItself", "x\uFFFEy", "x\uFFFE\uFFFEy"},
		{"OKMixed", "\x00\xff\uFFFE", "\uFFFE00\uFFFEff\uFFFE\uFFFE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := encText(tt.in); got != tt.stored {
				t.Errorf("encText(%q) = %q, want %q", tt.in, got, tt.stored)
			}
			if got := decText(tt.stored); got != tt.in {
				t.Errorf("decText(%q) = %q, want %q", tt.stored, got, tt.in)
			}
		})
	}
	t.Run("OKCutEscape", func(t *testing.T) {
		// left() may cut a stored text inside an escape.
		for _, s := range []string{"ab\uFFFE", "ab\uFFFE0"} {
			if got := decText(s); got != "ab" {
				t.Errorf("decText(%q) = %q, want \"ab\"", s, got)
			}
		}
	})
}

func FuzzEncText(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x00b", "\xff\xfe", "\uFFFE", "\uFFFE00", "é\x00\uFFFE\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := encText(s)
		if !utf8.ValidString(enc) || strings.IndexByte(enc, 0) >= 0 {
			t.Fatalf("encText(%q) = %q, which PostgreSQL text cannot hold", s, enc)
		}
		if dec := decText(enc); dec != s {
			t.Fatalf("decText(encText(%q)) = %q", s, dec)
		}
	})
}

package embed

import (
	"unicode"
	"unicode/utf8"
)

// Words calls f with the lower-case words of s, splitting identifiers as a
// developer reads them: on anything that is not a letter or a digit
// (snake_case, paths, dotted names, flags), between a lower-case letter
// and an upper-case one (camelCase), before the last capital of a run
// followed by lower case (HTTPServer: http, server), and between letters
// and digits (utf8Decode: utf, 8, decode). Words of one letter are left
// out. The built-in model was trained on exactly these words.
func Words(s string, f func(string)) {
	var buf [64]byte
	word := buf[:0]
	emit := func() {
		if utf8.RuneCount(word) > 1 && len(word) <= 40 {
			f(string(word))
		}
		word = word[:0]
	}
	var prev, prevPrev rune // of the current run; 0 at its start
	for i, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			emit()
			prev, prevPrev = 0, 0
			continue
		}
		if prev != 0 {
			split := false
			switch {
			case unicode.IsUpper(r) && unicode.IsLower(prev):
				split = true
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				split = true
			case unicode.IsLower(r) && unicode.IsUpper(prev) && unicode.IsUpper(prevPrev) && !pluralAcronym(s, i, r):
				// HTTPServer: the S starts the next word.
				n := utf8.RuneLen(unicode.ToLower(prev))
				last := string(word[len(word)-n:])
				word = word[:len(word)-n]
				emit()
				word = append(word, last...)
			}
			if split {
				emit()
			}
		}
		word = utf8.AppendRune(word, unicode.ToLower(r))
		prevPrev, prev = prev, r
	}
	emit()
}

// pluralAcronym says whether the lower-case r at s[i] is the s of "URLs",
// "IDs": a lone s after capitals, not the start of a word.
func pluralAcronym(s string, i int, r rune) bool {
	if r != 's' {
		return false
	}
	next, _ := utf8.DecodeRuneInString(s[i+1:])
	return !unicode.IsLower(next)
}

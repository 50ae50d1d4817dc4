package postgres

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
	"golang.org/x/text/unicode/norm"
)

// Limits of what the index holds of an event. PostgreSQL caps a tsvector
// position at 16383, and to_tsvector keeps at most 255 positions of a
// lexeme (reel does the same, so its tsvectors are to_tsvector's); reel also
// caps a lexeme's length, so that a long token (a base64 blob, a hash)
// cannot bloat the GIN index: the index and queries cut words the same
// way, so a long word still finds itself.
const (
	// maxIndexRunes is how much of an event's text is indexed and used for
	// snippets, as in the SQLite store.
	maxIndexRunes = 32768
	maxLexeme     = 255 // bytes
	maxPosition   = 16383
	maxPositions  = 255
)

// isWordRune reports whether r belongs to a word. Like SQLite's unicode61
// tokenizer, letters, numbers and private-use characters make words and
// everything else (spaces, punctuation, symbols, emoji) separates them;
// combining marks stay inside a word so that scripts written with them
// (Devanagari, Thai) are not cut apart.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || unicode.Is(unicode.Co, r)
}

// eachWord calls fn with the lexeme and byte range of each word in the
// first maxIndexRunes characters of s, in order. A lexeme is the word
// lowercased, with the diacritics of Latin letters removed (as unicode61's
// remove_diacritics does) and cut to maxLexeme bytes. Bytes that are not
// UTF-8 separate words.
func eachWord(s string, fn func(lexeme string, start, end int)) {
	runes := 0
	var buf []byte
	for i := 0; i < len(s) && runes < maxIndexRunes; {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				r = ' '
			}
		}
		if !isWordRune(r) {
			i += size
			runes++
			continue
		}
		// A word: its lexeme is a slice of s when it is already lowercase
		// ASCII, and built in buf otherwise.
		start, plain := i, true
		for i < len(s) && runes < maxIndexRunes {
			r, size := rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[i:])
				if r == utf8.RuneError && size == 1 {
					break
				}
				plain = false
			} else if 'A' <= r && r <= 'Z' {
				plain = false
			}
			if !isWordRune(r) {
				break
			}
			i += size
			runes++
		}
		word := s[start:i]
		lex := word
		if !plain {
			buf = foldWord(buf[:0], word)
			lex = string(buf)
		}
		if len(lex) > maxLexeme {
			lex = cutUTF8(lex, maxLexeme)
		}
		if lex != "" {
			fn(lex, start, i)
		}
	}
}

// foldWord appends the lexeme of word to b.
func foldWord(b []byte, word string) []byte {
	for _, r := range word {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		if r = foldRune(r); r >= 0 {
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// foldRune lowercases r and strips a Latin letter's diacritics; it
// returns -1 for a combining diacritical mark, which is dropped.
func foldRune(r rune) rune {
	if 0x300 <= r && r <= 0x36f {
		return -1
	}
	r = unicode.ToLower(r)
	switch {
	case r < 0x250:
		return latinBase[r]
	case 0x1e00 <= r && r <= 0x1eff:
		return latinExtBase[r-0x1e00]
	}
	return r
}

// latinBase maps the Latin letters below U+0250 to their base letters,
// and latinExtBase those of the Latin Extended Additional block.
var latinBase, latinExtBase = func() (a [0x250]rune, b [0x100]rune) {
	for r := range a {
		a[r] = baseLetter(rune(r))
	}
	for r := range b {
		b[r] = baseLetter(rune(0x1e00 + r))
	}
	return a, b
}()

// baseLetter returns r without diacritics: the first rune of its canonical
// decomposition when the rest are combining diacritical marks, plus the
// letters with strokes that do not decompose.
func baseLetter(r rune) rune {
	switch r {
	case 'ø':
		return 'o'
	case 'đ':
		return 'd'
	case 'ł':
		return 'l'
	case 'ħ':
		return 'h'
	case 'ŧ':
		return 't'
	}
	d := []rune(norm.NFD.String(string(r)))
	if len(d) < 2 {
		return r
	}
	for _, m := range d[1:] {
		if m < 0x300 || m > 0x36f {
			return r
		}
	}
	return d[0]
}

// cutUTF8 returns the longest prefix of s of at most n bytes that does not
// split a character.
func cutUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// lexemes returns the lexemes of s in order.
func lexemes(s string) []string {
	var out []string
	eachWord(s, func(lex string, _, _ int) { out = append(out, lex) })
	return out
}

// vectorizer builds tsvectors, reusing its scratch space between events.
type vectorizer struct {
	pos map[string][]pgtype.TSVectorPosition
}

// tsvector returns the index entry of text: each lexeme with the
// positions (1-based word numbers) where it occurs. Positions past
// PostgreSQL's maximum share the last one, and a lexeme keeps at most
// maxPositions of them, as to_tsvector does.
func (v *vectorizer) tsvector(text string) pgtype.TSVector {
	if v.pos == nil {
		v.pos = map[string][]pgtype.TSVectorPosition{}
	}
	clear(v.pos)
	n := 0
	eachWord(text, func(lex string, _, _ int) {
		n++
		p := uint16(min(n, maxPosition))
		ps := v.pos[lex]
		if len(ps) < maxPositions && (len(ps) == 0 || ps[len(ps)-1].Position < p) {
			v.pos[lex] = append(ps, pgtype.TSVectorPosition{Position: p})
		}
	})
	tsv := pgtype.TSVector{Lexemes: make([]pgtype.TSVectorLexeme, 0, len(v.pos)), Valid: true}
	for lex, ps := range v.pos {
		tsv.Lexemes = append(tsv.Lexemes, pgtype.TSVectorLexeme{Word: lex, Positions: ps})
	}
	// PostgreSQL orders lexemes bytewise, as Go compares strings.
	sort.Slice(tsv.Lexemes, func(i, j int) bool { return tsv.Lexemes[i].Word < tsv.Lexemes[j].Word })
	return tsv
}

// quoteLexeme quotes a lexeme for tsquery's text form.
func quoteLexeme(lex string) string {
	if strings.ContainsAny(lex, `'\`) {
		lex = strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(lex)
	}
	return "'" + lex + "'"
}

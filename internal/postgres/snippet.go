package postgres

import (
	"strings"

	"github.com/reel-sh/reel"
)

const (
	// snippetWords is the length of a hit's snippet, in words, as in the
	// SQLite store.
	snippetWords = 24
	// snippetLead is how many words of context a snippet shows before
	// the match it is built around.
	snippetLead = 4
)

// phrase is a positive term or phrase of a query as lexemes; prefix says
// the last one is a prefix.
type phrase struct {
	lex    []string
	prefix bool
}

// phrases returns the positive terms and phrases of the query rooted at
// n, which snippets highlight; negated ones are not.
func phrases(n *reel.Node) []phrase {
	var out []phrase
	var walk func(n *reel.Node)
	walk = func(n *reel.Node) {
		switch n.Op {
		case reel.OpTerm, reel.OpPhrase:
			if lex := lexemes(n.Text); len(lex) > 0 {
				out = append(out, phrase{lex: lex, prefix: n.Op == reel.OpTerm && n.Prefix})
			}
		case reel.OpAnd, reel.OpOr:
			for _, k := range n.Kids {
				walk(k)
			}
		}
	}
	if n != nil {
		walk(n)
	}
	return out
}

// token is a word of a text: its lexeme and byte range.
type token struct {
	lex        string
	start, end int
}

// instance is an occurrence of phrase p over tokens first to last.
type instance struct {
	first, last, p int
}

// snippet returns the part of text that best shows the query's phrases,
// at most snippetWords words, and the byte ranges of the phrase instances
// within it. Words are split as the index splits them, so a snippet
// highlights exactly what made the event match. The window is the one
// that holds the most distinct phrases, then the most instances, and the
// earliest; "…" marks text left out before or after it.
func snippet(text string, ps []phrase) (string, [][2]int) {
	var toks []token
	eachWord(text, func(lex string, start, end int) { toks = append(toks, token{lex, start, end}) })
	var insts []instance
	for i := range toks {
		for pi, p := range ps {
			if matchAt(toks, i, p) {
				insts = append(insts, instance{i, i + len(p.lex) - 1, pi})
			}
		}
	}
	ws := 0
	if len(toks) > snippetWords {
		best := -1
		seen := make([]bool, len(ps))
		lo := 0
		for _, in := range insts {
			start := min(max(in.first-snippetLead, 0), len(toks)-snippetWords)
			end := start + snippetWords
			for lo < len(insts) && insts[lo].first < start {
				lo++
			}
			clear(seen)
			score := 0
			for _, x := range insts[lo:] {
				if x.first >= end {
					break
				}
				if x.last < end {
					if !seen[x.p] {
						seen[x.p] = true
						score += 1000
					}
					score++
				}
			}
			if score > best {
				best, ws = score, start
			}
		}
	}
	we := min(ws+snippetWords, len(toks))
	if len(toks) == 0 {
		return "", [][2]int{}
	}
	start, end := 0, len(text)
	var b strings.Builder
	if ws > 0 {
		start = toks[ws].start
		b.WriteString("…")
	}
	if we < len(toks) {
		end = toks[we-1].end
	}
	shift := b.Len() - start
	b.WriteString(text[start:end])
	if we < len(toks) {
		b.WriteString("…")
	}
	ranges := [][2]int{}
	for _, in := range insts {
		first, last := max(in.first, ws), min(in.last, we-1)
		if first > last {
			continue
		}
		r := [2]int{toks[first].start + shift, toks[last].end + shift}
		if n := len(ranges); n > 0 && r[0] <= ranges[n-1][1] {
			ranges[n-1][1] = max(ranges[n-1][1], r[1]) // overlapping instances
			continue
		}
		ranges = append(ranges, r)
	}
	return b.String(), ranges
}

// matchAt reports whether phrase p occurs at token i.
func matchAt(toks []token, i int, p phrase) bool {
	if i+len(p.lex) > len(toks) {
		return false
	}
	for j, lex := range p.lex {
		got := toks[i+j].lex
		if p.prefix && j == len(p.lex)-1 {
			if !strings.HasPrefix(got, lex) {
				return false
			}
		} else if got != lex {
			return false
		}
	}
	return true
}

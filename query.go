package reel

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query node operators.
const (
	OpTerm   = "term"   // one word, perhaps a prefix
	OpPhrase = "phrase" // words that must appear in order
	OpAnd    = "and"
	OpOr     = "or"
	OpNot    = "not" // only ever a child of an AND that has a positive child
)

// Node is one node of a parsed query.
type Node struct {
	Op string
	// Text is the word or phrase of a term or phrase node, as typed.
	Text string
	// Prefix is set for a term typed with a trailing '*'.
	Prefix bool
	Kids   []*Node
}

// Query is a search query parsed from what a user typed. The syntax is:
// words (all must match), "quoted phrases", prefix* terms, AND, OR and NOT
// in capitals, -word to exclude, and parentheses. Parsing never fails: stray
// operators, unbalanced quotes and parentheses, and words with no letter or
// digit are dropped, so any input is a valid query.
type Query struct {
	Raw  string
	Root *Node // nil when nothing searchable is left
}

// Empty reports whether the query has no positive term and so matches
// nothing.
func (q Query) Empty() bool { return q.Root == nil }

// Terms returns the positive words of the query, in order, for highlighting
// and for search modes that do not use the boolean structure.
func (q Query) Terms() []string {
	var out []string
	var walk func(n *Node)
	walk = func(n *Node) {
		switch n.Op {
		case OpTerm, OpPhrase:
			out = append(out, n.Text)
		case OpAnd, OpOr:
			for _, k := range n.Kids {
				walk(k)
			}
		}
	}
	if q.Root != nil {
		walk(q.Root)
	}
	return out
}

// ParseQuery parses s. See Query for the syntax.
func ParseQuery(s string) Query {
	p := &queryParser{toks: lexQuery(s)}
	root := p.or()
	for p.pos < len(p.toks) { // stray ')' or operators: parse the rest too
		p.pos++
		if rest := p.or(); rest != nil {
			root = joinNodes(OpAnd, root, rest)
		}
	}
	return Query{Raw: s, Root: normalize(root)}
}

type qtok struct {
	kind string // "word", "phrase", "(", ")", "AND", "OR", "NOT", "-"
	text string
}

func lexQuery(s string) []qtok {
	var toks []qtok
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r) || r == utf8.RuneError:
			i += size
		case r == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				toks = append(toks, qtok{"phrase", s[i+1:]})
				i = len(s)
			} else {
				toks = append(toks, qtok{"phrase", s[i+1 : i+1+end]})
				i += end + 2
			}
		case r == '(' || r == ')':
			toks = append(toks, qtok{string(r), ""})
			i++
		default:
			j := i
			for j < len(s) {
				r, sz := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(r) || r == '"' || r == '(' || r == ')' {
					break
				}
				j += sz
			}
			w := s[i:j]
			i = j
			switch {
			case w == "AND" || w == "OR" || w == "NOT":
				toks = append(toks, qtok{w, ""})
			case strings.HasPrefix(w, "-") && len(w) > 1:
				toks = append(toks, qtok{"-", ""}, qtok{"word", w[1:]})
			default:
				toks = append(toks, qtok{"word", w})
			}
		}
	}
	return toks
}

type queryParser struct {
	toks []qtok
	pos  int
}

func (p *queryParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return ""
}

func (p *queryParser) or() *Node {
	var n *Node
	for {
		k := p.peek()
		if k == "" || k == ")" {
			return n
		}
		if k == "OR" {
			p.pos++
			continue
		}
		n = joinNodes(OpOr, n, p.and())
	}
}

func (p *queryParser) and() *Node {
	var n *Node
	for {
		switch p.peek() {
		case "", ")", "OR":
			return n
		case "AND":
			p.pos++
			continue
		}
		n = joinNodes(OpAnd, n, p.unary())
	}
}

func (p *queryParser) unary() *Node {
	switch p.peek() {
	case "NOT", "-":
		p.pos++
		if k := p.peek(); k == "" || k == ")" || k == "OR" || k == "AND" {
			return nil
		}
		if n := p.unary(); n != nil {
			return &Node{Op: OpNot, Kids: []*Node{n}}
		}
		return nil
	case "(":
		p.pos++
		n := p.or()
		if p.peek() == ")" {
			p.pos++
		}
		return n
	case "phrase":
		t := p.toks[p.pos]
		p.pos++
		return phraseNode(t.text)
	case "word":
		t := p.toks[p.pos]
		p.pos++
		return wordNode(t.text)
	}
	p.pos++ // a token that cannot start a term
	return nil
}

func phraseNode(s string) *Node {
	s = strings.Join(strings.Fields(s), " ")
	if !searchable(s) {
		return nil
	}
	return &Node{Op: OpPhrase, Text: s}
}

func wordNode(w string) *Node {
	prefix := false
	if strings.HasSuffix(w, "*") {
		w = strings.TrimRight(w, "*")
		prefix = true
	}
	if !searchable(w) {
		return nil
	}
	return &Node{Op: OpTerm, Text: w, Prefix: prefix}
}

// searchable reports whether s has a letter or digit: anything else is
// punctuation that no index would hold.
func searchable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func joinNodes(op string, a, b *Node) *Node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.Op == op:
		a.Kids = append(a.Kids, b)
		return a
	}
	return &Node{Op: op, Kids: []*Node{a, b}}
}

// normalize removes what no index can evaluate: a NOT with nothing
// positive beside it, and empty groups. It returns nil when nothing
// positive is left.
func normalize(n *Node) *Node {
	if n == nil {
		return nil
	}
	switch n.Op {
	case OpNot:
		return nil // a bare NOT matches nothing on its own
	case OpOr:
		var kids []*Node
		for _, k := range n.Kids {
			if k = normalize(k); k != nil {
				kids = append(kids, k)
			}
		}
		return collapse(n.Op, kids)
	case OpAnd:
		var pos, neg []*Node
		for _, k := range n.Kids {
			if k.Op == OpNot {
				if inner := normalize(k.Kids[0]); inner != nil {
					neg = append(neg, &Node{Op: OpNot, Kids: []*Node{inner}})
				}
				continue
			}
			if k = normalize(k); k != nil {
				pos = append(pos, k)
			}
		}
		if len(pos) == 0 {
			return nil
		}
		return collapse(n.Op, append(pos, neg...))
	}
	return n
}

func collapse(op string, kids []*Node) *Node {
	switch len(kids) {
	case 0:
		return nil
	case 1:
		if kids[0].Op != OpNot {
			return kids[0]
		}
	}
	return &Node{Op: op, Kids: kids}
}

// String renders the query canonically, for display and tests.
func (q Query) String() string {
	if q.Root == nil {
		return ""
	}
	return q.Root.String()
}

// String renders the node canonically.
func (n *Node) String() string {
	switch n.Op {
	case OpTerm:
		if n.Prefix {
			return n.Text + "*"
		}
		return n.Text
	case OpPhrase:
		return `"` + n.Text + `"`
	case OpNot:
		return "NOT " + n.Kids[0].String()
	}
	parts := make([]string, len(n.Kids))
	for i, k := range n.Kids {
		parts[i] = k.String()
		if k.Op == OpAnd || k.Op == OpOr {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+strings.ToUpper(n.Op)+" ")
}

// Highlight markers wrap matched text in the marked snippets that stores
// build; SplitHighlights turns them into plain text and byte ranges.
const (
	HighlightStart = "\x02"
	HighlightEnd   = "\x03"
)

// SplitHighlights removes highlight markers from s and returns the plain
// text and the [start, end) byte ranges they enclosed.
func SplitHighlights(s string) (string, [][2]int) {
	var b strings.Builder
	ranges := [][2]int{}
	start := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case HighlightStart[0]:
			start = b.Len()
		case HighlightEnd[0]:
			if start >= 0 && b.Len() > start {
				ranges = append(ranges, [2]int{start, b.Len()})
			}
			start = -1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), ranges
}

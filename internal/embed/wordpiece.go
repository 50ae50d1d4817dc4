package embed

import (
	"encoding/json"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reel-sh/reel"
	"golang.org/x/text/unicode/norm"
)

// wordPiece is the part of a Hugging Face tokenizers tokenizer.json that
// the small model2vec (potion) models use: a BERT normalizer (clean text,
// split CJK characters, lowercase, strip accents), the BERT pre-tokenizer
// (split on white space and punctuation) and a WordPiece vocabulary with
// "##" continuation pieces. Other tokenizer kinds are refused.
type wordPiece struct {
	vocab     map[string]int
	unk       int // -1 when the vocabulary has no unknown token
	prefix    string
	maxChars  int
	lowercase bool
	strip     bool
	clean     bool
	cjk       bool
}

type tokenizerFile struct {
	Normalizer   *normalizerSpec `json:"normalizer"`
	PreTokenizer *preSpec        `json:"pre_tokenizer"`
	Model        struct {
		Type     string          `json:"type"`
		Unk      string          `json:"unk_token"`
		Prefix   *string         `json:"continuing_subword_prefix"`
		MaxChars int             `json:"max_input_chars_per_word"`
		Vocab    json.RawMessage `json:"vocab"`
	} `json:"model"`
}

type normalizerSpec struct {
	Type         string           `json:"type"`
	CleanText    *bool            `json:"clean_text"`
	ChineseChars *bool            `json:"handle_chinese_chars"`
	StripAccents *bool            `json:"strip_accents"`
	Lowercase    *bool            `json:"lowercase"`
	Normalizers  []normalizerSpec `json:"normalizers"`
}

type preSpec struct {
	Type          string    `json:"type"`
	PreTokenizers []preSpec `json:"pretokenizers"`
}

// loadWordPiece reads a tokenizer.json.
func loadWordPiece(path string) (*wordPiece, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &reel.Error{Code: reel.ENOTFOUND, Message: "read " + path, Err: err}
	}
	var f tokenizerFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, &reel.Error{Code: reel.ECORRUPT, Message: "tokenizer " + path + " is not JSON", Err: err}
	}
	if f.Model.Type != "WordPiece" {
		return nil, reel.Errorf(reel.EUNSUPPORT, "tokenizer %s: model type %q; reel reads WordPiece tokenizers", path, f.Model.Type).
			WithHint("use a model2vec model with a WordPiece (BERT) vocabulary, such as potion-base-8M")
	}
	var vocab map[string]int
	if err := json.Unmarshal(f.Model.Vocab, &vocab); err != nil || len(vocab) == 0 {
		return nil, reel.Errorf(reel.ECORRUPT, "tokenizer %s: the WordPiece vocabulary is missing or not an object of token ids", path)
	}
	t := &wordPiece{vocab: vocab, unk: -1, prefix: "##", maxChars: 100}
	if f.Model.Prefix != nil {
		t.prefix = *f.Model.Prefix
	}
	if f.Model.MaxChars > 0 {
		t.maxChars = f.Model.MaxChars
	}
	if id, ok := t.vocab[f.Model.Unk]; ok && f.Model.Unk != "" {
		t.unk = id
	}
	if f.Normalizer != nil {
		if err := t.setNormalizer(*f.Normalizer, path); err != nil {
			return nil, err
		}
	}
	if err := checkPre(f.PreTokenizer, path); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *wordPiece) setNormalizer(n normalizerSpec, path string) error {
	on := func(b *bool, def bool) bool {
		if b == nil {
			return def
		}
		return *b
	}
	switch n.Type {
	case "BertNormalizer":
		t.clean = on(n.CleanText, true)
		t.cjk = on(n.ChineseChars, true)
		t.lowercase = on(n.Lowercase, true)
		t.strip = on(n.StripAccents, t.lowercase) // BERT: strip accents follows lowercase when unset
	case "Lowercase":
		t.lowercase = true
	case "StripAccents", "NFD":
		t.strip = true
	case "NFC", "NFKC", "NFKD", "Strip":
	case "Sequence":
		for _, s := range n.Normalizers {
			if err := t.setNormalizer(s, path); err != nil {
				return err
			}
		}
	default:
		return reel.Errorf(reel.EUNSUPPORT, "tokenizer %s: normalizer %q is not supported", path, n.Type)
	}
	return nil
}

func checkPre(p *preSpec, path string) error {
	if p == nil {
		return nil
	}
	switch p.Type {
	case "BertPreTokenizer", "Whitespace", "WhitespaceSplit", "Punctuation":
		return nil
	case "Sequence":
		for i := range p.PreTokenizers {
			if err := checkPre(&p.PreTokenizers[i], path); err != nil {
				return err
			}
		}
		return nil
	}
	return reel.Errorf(reel.EUNSUPPORT, "tokenizer %s: pre-tokenizer %q is not supported", path, p.Type)
}

// normalize applies the normalizer to s.
func (t *wordPiece) normalize(s string) string {
	if t.strip {
		s = norm.NFD.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case t.clean && (r == 0 || r == utf8.RuneError || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r')):
			continue
		case t.strip && unicode.Is(unicode.Mn, r):
			continue
		case t.clean && unicode.IsSpace(r):
			b.WriteByte(' ')
			continue
		case t.cjk && isCJK(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
			continue
		}
		if t.lowercase {
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// words splits normalised text as the BERT pre-tokenizer does: on white
// space, with every punctuation character a word of its own.
func words(s string, f func(string)) {
	start := -1
	for i, r := range s {
		switch {
		case unicode.IsSpace(r):
			if start >= 0 {
				f(s[start:i])
				start = -1
			}
		case isPunct(r):
			if start >= 0 {
				f(s[start:i])
				start = -1
			}
			f(s[i : i+utf8.RuneLen(r)])
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		f(s[start:])
	}
}

// tokenize appends the ids of s's word pieces to ids; an unknown word is
// one unknown token (model2vec drops those after truncating, before
// pooling).
func (t *wordPiece) tokenize(s string, ids []int) []int {
	words(t.normalize(s), func(w string) {
		ids = t.piece(w, ids)
	})
	return ids
}

// piece is greedy longest-match-first WordPiece on one word; a word with
// a part that matches nothing is unknown as a whole.
func (t *wordPiece) piece(w string, ids []int) []int {
	if utf8.RuneCountInString(w) > t.maxChars {
		return t.unknown(ids)
	}
	mark := len(ids)
	var buf [128]byte
	for start := 0; start < len(w); {
		end := len(w)
		found := -1
		for end > start {
			var id int
			var ok bool
			if start == 0 {
				id, ok = t.vocab[w[:end]]
			} else {
				// string(b) in a map index does not allocate.
				b := append(append(buf[:0], t.prefix...), w[start:end]...)
				id, ok = t.vocab[string(b)]
			}
			if ok {
				found = id
				break
			}
			_, size := utf8.DecodeLastRuneInString(w[start:end])
			end -= size
		}
		if found < 0 {
			return t.unknown(ids[:mark])
		}
		ids = append(ids, found)
		start = end
	}
	return ids
}

// unknown appends the unknown token, when the vocabulary has one.
func (t *wordPiece) unknown(ids []int) []int {
	if t.unk >= 0 {
		ids = append(ids, t.unk)
	}
	return ids
}

func isPunct(r rune) bool {
	if (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) {
		return true
	}
	return unicode.IsPunct(r)
}

func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) || (r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}

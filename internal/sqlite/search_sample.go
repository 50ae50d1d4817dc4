package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sample is what the newest events hold of the query's prefixes.
type sample struct {
	prefixes []string
	// from is the oldest sampled event's id: every event from it on was
	// read.
	from   int64
	counts map[string]int // events holding each word
	events []sampledEvent // those with a word or an unsure prefix, newest first
}

// sampledEvent is an event's words with one of the prefixes.
type sampledEvent struct {
	id    int64
	words []string // distinct, each exactly as the index holds it
	// unsure are the prefixes that a token of the event may start with
	// once the index has folded its non-ASCII characters: the event may
	// hold a term with such a prefix that is not in words.
	unsure []string
}

// readSample reads the newest events, size of them: see sample.read.
func readSample(ctx context.Context, tx *sql.Tx, prefixes []string, size int) (*sample, error) {
	sm := &sample{prefixes: prefixes, counts: map[string]int{}, from: noHigh}
	var from int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce(min(id), 0) FROM (SELECT id FROM events ORDER BY id DESC LIMIT ?)`,
		size).Scan(&from)
	if err != nil {
		return nil, err
	}
	return sm, sm.read(ctx, tx, from)
}

// read adds the events with ids from from up to sm.from to the sample,
// reading their indexed text (the first 32768 characters) and splitting
// it into tokens as the index's tokenizer does, as far as that can be
// done for certain: see tokens.
func (sm *sample) read(ctx context.Context, tx *sql.Tx, from int64) error {
	// Only the texts that hold a prefix (LIKE folds ASCII case) or a
	// non-ASCII character (fewer characters than bytes) can hold a token
	// with one, so SQLite leaves the others out. A text of at most 32768
	// bytes is indexed whole, which spares counting its characters.
	var w where
	for _, p := range sm.prefixes {
		w.add("t LIKE ?", "%"+p+"%")
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, t FROM (
			SELECT id, CASE WHEN octet_length(text) <= 32768 THEN text ELSE substr(text, 1, 32768) END AS t
			FROM events WHERE id >= ? AND id < ?
		) WHERE `+strings.Join(w.conds, " OR ")+` OR length(t) <> octet_length(t)
		ORDER BY id DESC`, append([]any{from, sm.from}, w.args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	sm.from = from
	var text []byte
	for rows.Next() {
		ev := sampledEvent{}
		if err := rows.Scan(&ev.id, &text); err != nil {
			return err
		}
		tokens(text, sm.prefixes, func(w []byte) {
			if !slices.Contains(ev.words, string(w)) {
				ev.words = append(ev.words, string(w))
				sm.counts[string(w)]++
			}
		}, func(p string) {
			if !slices.Contains(ev.unsure, p) {
				ev.unsure = append(ev.unsure, p)
			}
		})
		if len(ev.words)+len(ev.unsure) > 0 {
			sm.events = append(sm.events, ev)
		}
	}
	return rows.Err()
}

// holding returns how many sampled events hold a word with prefix p.
func (sm *sample) holding(p string) int {
	n := 0
	for _, ev := range sm.events {
		if slices.ContainsFunc(ev.words, func(w string) bool { return strings.HasPrefix(w, p) }) {
			n++
		}
	}
	return n
}

// common returns the words with prefix p that are in at least minSampled
// sampled events (at most maxCommon, the most frequent), sorted, and the
// most frequent of them.
func (sm *sample) common(p string) (words []string, top string) {
	for w, n := range sm.counts {
		if n >= minSampled && strings.HasPrefix(w, p) {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if sm.counts[words[i]] != sm.counts[words[j]] {
			return sm.counts[words[i]] > sm.counts[words[j]]
		}
		return words[i] < words[j]
	})
	words = words[:min(len(words), maxCommon)]
	if len(words) > 0 {
		top = words[0]
	}
	sort.Strings(words)
	return words, top
}

// rest returns the events with ids at or above from that hold a term
// with prefix p other than the common words, each with those terms, and
// the terms of every event it read. It reads the events below the sample
// first, if they are at most maxWindow. ok is false when the sample
// cannot tell: the events are more, or one of them may hold a term its
// tokens were unsure of.
func (sm *sample) rest(ctx context.Context, tx *sql.Tx, p string, common []string, from int64) (
	out map[int64][]string, words map[int64][]string, ok bool, err error) {
	if from < sm.from {
		if sm.from-from > maxWindow {
			return nil, nil, false, nil
		}
		if err := sm.read(ctx, tx, from); err != nil {
			return nil, nil, false, err
		}
	}
	out, words = map[int64][]string{}, map[int64][]string{}
	for _, ev := range sm.events {
		if ev.id < from {
			break
		}
		if slices.Contains(ev.unsure, p) {
			return nil, nil, false, nil
		}
		for _, w := range ev.words {
			if !strings.HasPrefix(w, p) {
				continue
			}
			words[ev.id] = append(words[ev.id], w)
			if !slices.Contains(common, w) {
				out[ev.id] = append(out[ev.id], w)
			}
		}
	}
	return out, words, true, nil
}

// tokens splits text into tokens the way the index's tokenizer
// (unicode61, remove_diacritics 2) does, lowercasing text in place, and
// calls word with each token that starts with one of the prefixes. An
// ASCII letter or digit is part of a token, any other ASCII character
// separates tokens, and the tokenizer folds ASCII letters to lower case
// and changes no other ASCII character: a token of ASCII characters alone
// is certain.
//
// Non-ASCII characters are where certainty ends. The tokenizer keeps
// letters, digits, private-use characters and some combining marks, by
// its own Unicode tables, and folds each into one character or drops it.
// So only characters below U+3000 or among the emoji that Go's tables
// call punctuation, symbols, spaces or controls are taken as separators
// (categories that have not moved between Unicode versions there); any
// other may be kept, dropped or end a token, and may fold into any
// letter. When a run of characters holding one of those could give a
// token that starts with a prefix, unsure is called with the prefix.
// Text that is not valid UTF-8 is unsure for every prefix.
func tokens(text []byte, prefixes []string, word func([]byte), unsure func(string)) {
	if !utf8.Valid(text) {
		for _, p := range prefixes {
			unsure(p)
		}
		return
	}
	start, ascii := -1, true
	for i := 0; i <= len(text); {
		sep, size := true, 1
		if i < len(text) {
			switch c := text[i]; {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				sep = false
			case 'A' <= c && c <= 'Z':
				text[i] = c + ('a' - 'A')
				sep = false
			case c >= utf8.RuneSelf:
				var r rune
				r, size = utf8.DecodeRune(text[i:])
				if !separator(r) {
					sep, ascii = false, false
				}
			}
		}
		if !sep {
			if start < 0 {
				start = i
			}
			i += size
			continue
		}
		if start >= 0 {
			run := text[start:i]
			for _, p := range prefixes {
				switch {
				case ascii && len(run) >= len(p) && string(run[:len(p)]) == p:
					word(run)
				case !ascii && mayFoldTo(run, p):
					unsure(p)
				}
			}
		}
		start, ascii = -1, true
		i += size
	}
}

// separator reports whether the tokenizer surely takes the non-ASCII rune
// r for a separator.
func separator(r rune) bool {
	if r >= 0x3000 && (r < 0x1f000 || r > 0x1faff) {
		return false
	}
	return !unicode.In(r, unicode.L, unicode.N, unicode.M, unicode.Co)
}

// mayFoldTo reports whether a token the tokenizer makes of run may start
// with p: a token may start at the run's start or after any non-ASCII
// character in it, and each non-ASCII character may be folded into any
// one character or dropped. The run's ASCII letters are lowercase.
func mayFoldTo(run []byte, p string) bool {
	if len(p) >= 63 {
		return true
	}
	done := uint64(1) << len(p)
	for start := 0; start < len(run); {
		// Bit j of reach is set when the token so far may be p[:j].
		reach := uint64(1)
		next := -1 // where the next token may start
		for i := start; i < len(run) && reach != 0 && reach&done == 0; {
			c := run[i]
			if c < utf8.RuneSelf {
				var moved uint64
				for j := range len(p) {
					if reach&(1<<j) != 0 && p[j] == c {
						moved |= 1 << (j + 1)
					}
				}
				reach = moved
				i++
				continue
			}
			_, size := utf8.DecodeRune(run[i:])
			reach |= reach << 1 // dropped, or folded into the next letter of p
			i += size
			if next < 0 {
				next = i
			}
		}
		if reach&done != 0 {
			return true
		}
		if next < 0 {
			// No non-ASCII character was passed: look for the next one.
			for i := start; i < len(run); i++ {
				if run[i] >= utf8.RuneSelf {
					_, size := utf8.DecodeRune(run[i:])
					next = i + size
					break
				}
			}
		}
		if next < 0 || next >= len(run) {
			return false
		}
		start = next
	}
	return false
}

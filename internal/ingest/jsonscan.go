package ingest

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The helpers below walk JSON that is already known to be valid: every
// record line is checked once with json.Valid, and each value they return
// is a slice of that line. Decoding the same bytes again with
// json.Unmarshal would validate and scan them once more at every level of
// nesting, which is where most of the parsers' time went. They give the
// same results as json.Unmarshal would on the same input, and must never
// be handed bytes that were not validated.

// jsonSkipSpace returns the index of the first non-blank byte of data at or
// after i.
func jsonSkipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// jsonStringEnd returns the index just past the string that starts with
// the quote at data[i].
func jsonStringEnd(data []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(data[i:], '"')
		if j < 0 {
			return len(data)
		}
		i += j
		// The quote ends the string unless an odd run of backslashes
		// escapes it.
		n := 0
		for k := i - 1; k >= 0 && data[k] == '\\'; k-- {
			n++
		}
		i++
		if n%2 == 0 {
			return i
		}
	}
}

// jsonValueEnd returns the index just past the value that starts at
// data[i].
func jsonValueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return jsonStringEnd(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = jsonStringEnd(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(data)
	}
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// jsonEachField calls fn with the quoted key and the value of every member
// of the object data holds, in document order. It returns false when data
// is not an object.
func jsonEachField(data []byte, fn func(key, value []byte)) bool {
	i := jsonSkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = jsonSkipSpace(data, i+1)
	for i < len(data) && data[i] == '"' {
		end := jsonStringEnd(data, i)
		key := data[i:end]
		i = jsonSkipSpace(data, end)
		i = jsonSkipSpace(data, i+1) // past the colon
		if i >= len(data) {
			break
		}
		end = jsonValueEnd(data, i)
		fn(key, data[i:end])
		i = jsonSkipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = jsonSkipSpace(data, i+1)
		}
	}
	return true
}

// jsonElems returns the elements of the array data holds, or nil when it
// is not an array; an empty array gives an empty, non-nil slice.
func jsonElems(data []byte) []json.RawMessage {
	i := jsonSkipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil
	}
	elems := []json.RawMessage{}
	i = jsonSkipSpace(data, i+1)
	for i < len(data) && data[i] != ']' {
		end := jsonValueEnd(data, i)
		elems = append(elems, data[i:end])
		i = jsonSkipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = jsonSkipSpace(data, i+1)
		}
	}
	return elems
}

// jsonPlain returns the contents of a quoted string that needs no
// decoding: no escapes, no control characters, valid UTF-8. Such a string
// reads the same whether or not it was validated.
func jsonPlain(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	inner := raw[1 : len(raw)-1]
	ascii := true
	for _, c := range inner {
		switch {
		case c < ' ', c == '"', c == '\\':
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(inner) {
		return nil, false
	}
	return inner, true
}

// jsonUnquote decodes a JSON string as json.Unmarshal does, invalid UTF-8
// becoming U+FFFD; ok is false when raw is not a string.
func jsonUnquote(raw []byte) (string, bool) {
	if inner, ok := jsonPlain(raw); ok {
		return string(inner), true
	}
	if s, ok := jsonUnescape(raw); ok {
		return s, true
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// jsonFields decodes the object data holds into fields the way
// json.Unmarshal fills a struct of json.RawMessage fields: a key goes to
// the field of that name, or else to one whose name equals it under case
// folding, and a repeated key keeps its last value. It returns false, and
// sets nothing, when data is not an object.
func jsonFields(data []byte, names []string, fields []*json.RawMessage) bool {
	return jsonEachField(data, func(rawKey, value []byte) {
		var key string
		if inner, ok := jsonPlain(rawKey); ok {
			if i := jsonFieldIndex(names, inner); i >= 0 {
				*fields[i] = value
				return
			}
			key = string(inner)
		} else {
			key, _ = jsonUnquote(rawKey)
			for i, n := range names {
				if n == key {
					*fields[i] = value
					return
				}
			}
		}
		for i, n := range names {
			if strings.EqualFold(n, key) {
				*fields[i] = value
				return
			}
		}
	})
}

// jsonFieldIndex returns the index of the name that is exactly key, or -1.
func jsonFieldIndex(names []string, key []byte) int {
	for i, n := range names {
		if n == string(key) {
			return i
		}
	}
	return -1
}

// jsonUnescape decodes a quoted JSON string with escapes the way
// json.Unmarshal does: a lone surrogate or a byte that is not UTF-8
// becomes U+FFFD. ok is false for anything it does not expect, which the
// caller leaves to json.Unmarshal.
func jsonUnescape(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	s := raw[1 : len(raw)-1]
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return "", false
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := jsonHex4(s[i+2:])
				if r < 0 {
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if s2 := s[i:]; len(s2) >= 2 && s2[0] == '\\' && s2[1] == 'u' {
						if r2 := jsonHex4(s2[2:]); r2 >= 0 {
							if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
								b = utf8.AppendRune(b, dec)
								i += 6
								continue
							}
						}
					}
					r = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return "", false
			}
			i += 2
		case c == '"' || c < ' ':
			return "", false
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	return string(b), true
}

// jsonHex4 reads the four hex digits of a \u escape, or returns -1.
func jsonHex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// jsonTokens reads the tokens of a valid JSON value one at a time: the
// delimiters, and each string (key or value), number and literal whole.
// Unlike json.Decoder.Token it boxes nothing and decodes a string only
// when asked to.
type jsonTokens struct {
	data []byte
	i    int
}

// next returns the next token, or ok false at the end. Its kind is its
// first byte: a delimiter, '"', 't', 'f', 'n', or '-' or a digit.
func (t *jsonTokens) next() (kind byte, raw []byte, ok bool) {
	for t.i < len(t.data) {
		switch c := t.data[t.i]; c {
		case ' ', '\t', '\r', '\n', ':', ',':
			t.i++
		case '{', '}', '[', ']':
			t.i++
			return c, t.data[t.i-1 : t.i], true
		default:
			start := t.i
			t.i = jsonValueEnd(t.data, start)
			return c, t.data[start:t.i], true
		}
	}
	return 0, nil, false
}

// skip moves past the value that comes next, after a key.
func (t *jsonTokens) skip() {
	t.i = jsonSkipSpace(t.data, t.i)
	if t.i < len(t.data) && t.data[t.i] == ':' {
		t.i = jsonSkipSpace(t.data, t.i+1)
	}
	if t.i < len(t.data) {
		t.i = jsonValueEnd(t.data, t.i)
	}
}

package ingest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// codexObj is a JSON object whose values are decoded on demand, each as the
// type the caller expects. Codex changed the JSON type of several fields
// over its versions (arguments and output are strings or objects, source is a
// string or an object), so a value of another type reads as absent instead of
// failing the record.
type codexObj map[string]json.RawMessage

// codexDecode decodes raw as an object, or returns nil. raw must be valid
// JSON (a part of a validated line): the values are slices of it.
func codexDecode(raw []byte) codexObj {
	if len(raw) == 0 || raw[0] != '{' {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			return nil
		}
	}
	o := codexObj{}
	jsonEachField(raw, func(key, value []byte) {
		if inner, ok := jsonPlain(key); ok {
			o[string(inner)] = value
			return
		}
		k, _ := jsonUnquote(key)
		o[k] = value
	})
	return o
}

// str returns the string at key, or "".
func (o codexObj) str(key string) string { return codexStr(o[key]) }

// obj returns the object at key, or nil.
func (o codexObj) obj(key string) codexObj { return codexDecode(o[key]) }

// int returns the number at key, truncated to an integer.
func (o codexObj) int(key string) (int64, bool) {
	raw := o[key]
	if len(raw) == 0 || raw[0] == 'n' {
		return 0, false
	}
	f, ok := codexNumber(raw)
	if !ok {
		return 0, false
	}
	if f > 1<<62 || f < -(1<<62) {
		return 0, false
	}
	return int64(f), true
}

// float returns the number at key.
func (o codexObj) float(key string) (float64, bool) {
	raw := o[key]
	if string(raw) == "null" {
		// json.Unmarshal leaves the number at zero and succeeds.
		return 0, true
	}
	return codexNumber(raw)
}

// codexNumber reads raw, a valid JSON value, as a number the way
// json.Unmarshal decodes one into a float64.
func codexNumber(raw []byte) (float64, bool) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// list returns the array at key as raw elements.
func (o codexObj) list(key string) []json.RawMessage { return codexList(o[key]) }

// codexList decodes raw as an array, or returns nil.
func codexList(raw json.RawMessage) []json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	return jsonElems(raw)
}

// codexStr decodes raw as a string, or returns "".
func codexStr(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	s, _ := jsonUnquote(raw)
	return s
}

// codexTime parses a Codex timestamp (RFC 3339, milliseconds, "Z").
func codexTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// codexOpaqueKeys hold values that are not text to search: encrypted
// reasoning and compaction state, signatures, inline image and file data,
// and the type tags, ids and statuses every item carries.
var codexOpaqueKeys = map[string]bool{
	"encrypted_content": true,
	"signature":         true,
	"image_url":         true,
	"file_data":         true,
	"data":              true,
	"type":              true,
	"id":                true,
	"call_id":           true,
	"turn_id":           true,
	"status":            true,
}

// codexCollectText returns the string values inside a JSON document, in
// document order, one per line, leaving out opaque values (see
// codexOpaqueKeys, data: URLs, and long unbroken tokens such as base64). It
// is how records reel does not model stay searchable. raw must be valid
// JSON: a validated line or a part of one.
func codexCollectText(raw []byte) string {
	toks := jsonTokens{data: raw}
	type frame struct{ obj, wantKey bool }
	var stack []frame
	var sb strings.Builder
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
	}
	for {
		kind, tok, ok := toks.next()
		if !ok {
			break
		}
		switch kind {
		case '{', '[', '}', ']':
			switch kind {
			case '{':
				stack = append(stack, frame{obj: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
				valueDone()
			}
		case '"':
			v, _ := jsonUnquote(tok)
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
				stack[n-1].wantKey = false
				if codexOpaqueKeys[v] {
					toks.skip()
					stack[n-1].wantKey = true
				}
				continue
			}
			if codexIsText(v) {
				if sb.Len() > 0 {
					sb.WriteByte('\n')
				}
				sb.WriteString(v)
			}
			valueDone()
		default:
			valueDone()
		}
	}
	return strings.TrimSpace(sb.String())
}

// codexIsText reports whether a JSON string value is worth indexing.
func codexIsText(s string) bool {
	if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "data:") {
		return false
	}
	if len(s) > 200 && strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r == '\n' }) < 0 {
		return false
	}
	return true
}

// codexDecodeText decodes s as an object when it is valid JSON, or
// returns nil: unlike codexDecode, it takes text that only looks like
// JSON.
func codexDecodeText(s string) codexObj {
	if !json.Valid([]byte(s)) {
		return nil
	}
	return codexDecode([]byte(s))
}

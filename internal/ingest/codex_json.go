package ingest

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// codexObj is a JSON object whose values are decoded on demand, each as the
// type the caller expects. Codex changed the JSON type of several fields
// over its versions (arguments and output are strings or objects, source is a
// string or an object), so a value of another type reads as absent instead of
// failing the record.
type codexObj map[string]json.RawMessage

// codexDecode decodes raw as an object, or returns nil.
func codexDecode(raw []byte) codexObj {
	if len(raw) == 0 || raw[0] != '{' {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			return nil
		}
	}
	var o codexObj
	if json.Unmarshal(raw, &o) != nil {
		return nil
	}
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
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return 0, false
	}
	if f > 1<<62 || f < -(1<<62) {
		return 0, false
	}
	return int64(f), true
}

// float returns the number at key.
func (o codexObj) float(key string) (float64, bool) {
	var f float64
	if len(o[key]) == 0 || json.Unmarshal(o[key], &f) != nil {
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
	var l []json.RawMessage
	if json.Unmarshal(raw, &l) != nil {
		return nil
	}
	return l
}

// codexStr decodes raw as a string, or returns "".
func codexStr(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
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
// is how records reel does not model stay searchable.
func codexCollectText(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type frame struct{ obj, wantKey bool }
	var stack []frame
	var sb strings.Builder
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
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
		case string:
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
				stack[n-1].wantKey = false
				if codexOpaqueKeys[v] {
					var skip json.RawMessage
					if dec.Decode(&skip) != nil {
						return strings.TrimSpace(sb.String())
					}
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

package ingest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	// claudeGatherLimit bounds the text kept from a record reel does not
	// model, so one huge bookkeeping line cannot flood the index.
	claudeGatherLimit = 64 << 10
	// claudeTitleRunes bounds a session title.
	claudeTitleRunes = 100
	// claudeBlobLen is the length from which a string with no blank in it
	// is taken for data (base64, hashes), not text.
	claudeBlobLen = 256
)

// claudeKind returns the first byte of a raw JSON value ('{', '[', '"',
// 't', 'n', a digit...), or 0 when there is none.
func claudeKind(raw json.RawMessage) byte {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// claudeString returns raw as a string, or "" when it is not one. Invalid
// UTF-8 comes back with U+FFFD in its place.
func claudeString(raw json.RawMessage) string {
	if claudeKind(raw) != '"' {
		return ""
	}
	s, _ := jsonUnquote(bytes.TrimSpace(raw))
	return s
}

// claudeBool reports whether raw is JSON true.
func claudeBool(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "true"
}

// claudeInt returns raw as an integer, 0 when it is not a number.
func claudeInt(raw json.RawMessage) int64 {
	s := string(bytes.TrimSpace(raw))
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1<<62 || f < -(1<<62) {
		return 0
	}
	return int64(f)
}

// claudeClip returns s cut to n runes, marked with an ellipsis when cut.
func claudeClip(s string, n int) string {
	count := 0
	for i := range s {
		if count == n {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
		count++
	}
	return s
}

// claudeTitle returns the first non-blank line of text, with runs of
// blanks made single spaces, cut to claudeTitleRunes.
func claudeTitle(text string) string {
	for line := range strings.Lines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		// Clip before normalising, so a huge one-line prompt costs little.
		line = claudeClip(strings.TrimSpace(line), claudeTitleRunes)
		return strings.Join(strings.Fields(line), " ")
	}
	return ""
}

// claudeCleanJSON returns raw as valid UTF-8 JSON: tool input is stored
// and served as text, so invalid bytes become U+FFFD.
func claudeCleanJSON(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if utf8.Valid(raw) {
		// raw is a part of the record line, which the caller may reuse.
		return bytes.Clone(raw)
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil
	}
	return bytes.TrimSpace(buf.Bytes())
}

// claudeWalker visits the scalar values of a JSON value in document order,
// knowing the object keys above each one. It reads tokens, so it never
// builds the value in memory and can stop at any point; what it knows of
// the keys above is kept up to date as it goes, so each value costs the
// same however deep it sits.
type claudeWalker struct {
	frames []claudeFrame
	// objects indexes the object frames in frames.
	objects []int
	// skip is the set of keys under which under reports true, and
	// skipping the number of open objects whose current key is in it.
	skip     map[string]bool
	skipping int
}

type claudeFrame struct {
	object  bool
	wantKey bool
	key     string
}

// claudePathKeys is how many of the innermost keys path names.
const claudePathKeys = 4

// walk calls visit for every string, number and boolean in raw; visit
// returns false to stop. raw must be valid JSON: it is a record line or a
// part of one, and the line was validated before anything walks it.
func (w *claudeWalker) walk(raw []byte, visit func(value string, isString bool) bool) {
	toks := jsonTokens{data: raw}
	w.frames, w.objects, w.skipping = w.frames[:0], w.objects[:0], 0
	for {
		kind, tok, ok := toks.next()
		if !ok {
			return
		}
		var top *claudeFrame
		if n := len(w.frames); n > 0 {
			top = &w.frames[n-1]
		}
		switch kind {
		case '{', '[', '}', ']':
			switch kind {
			case '{':
				w.objects = append(w.objects, len(w.frames))
				w.frames = append(w.frames, claudeFrame{object: true, wantKey: true})
			case '[':
				w.frames = append(w.frames, claudeFrame{})
			default:
				if top == nil {
					return
				}
				if top.object {
					w.setKey(top, "")
					w.objects = w.objects[:len(w.objects)-1]
				}
				w.frames = w.frames[:len(w.frames)-1]
				if n := len(w.frames); n > 0 && w.frames[n-1].object {
					w.frames[n-1].wantKey = true
				}
			}
			continue
		}
		if top != nil && top.object && top.wantKey {
			key, _ := jsonUnquote(tok)
			w.setKey(top, key)
			top.wantKey = false
			continue
		}
		if top != nil && top.object {
			top.wantKey = true
		}
		var value string
		isString := false
		switch kind {
		case '"':
			value, _ = jsonUnquote(tok)
			isString = true
		case 't', 'f':
			value = string(tok)
		case 'n':
			continue
		default:
			value = string(tok) // a number, as written
		}
		if !visit(value, isString) {
			return
		}
	}
}

// setKey makes key the current key of object frame f.
func (w *claudeWalker) setKey(f *claudeFrame, key string) {
	if w.skip[f.key] {
		w.skipping--
	}
	f.key = key
	if w.skip[key] {
		w.skipping++
	}
}

// depth returns how many objects enclose the current value.
func (w *claudeWalker) depth() int { return len(w.objects) }

// path returns the innermost object keys above the current value, joined
// by dots; array positions are left out.
func (w *claudeWalker) path() string {
	objs := w.objects[max(0, len(w.objects)-claudePathKeys):]
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = w.frames[o].key
	}
	return strings.Join(keys, ".")
}

// under reports whether any key above the current value is in w.skip.
func (w *claudeWalker) under() bool { return w.skipping > 0 }

// claudeSkipKeys hold ids, times and client bookkeeping: never text a
// person would search for.
var claudeSkipKeys = map[string]bool{
	"type": true, "subtype": true, "level": true,
	"uuid": true, "parentUuid": true, "logicalParentUuid": true, "leafUuid": true,
	"sessionId": true, "session_id": true, "agentId": true, "requestId": true,
	"messageId": true, "id": true, "tool_use_id": true, "toolUseID": true,
	"toolUseId": true, "parentToolUseID": true, "promptId": true,
	"timestamp": true, "version": true, "cwd": true, "gitBranch": true,
	"userType": true, "entrypoint": true, "slug": true, "role": true, "commandMode": true, "operation": true,
	"signature": true, "encrypted_content": true, "media_type": true,
	"backupFileName": true, "backupTime": true,
}

// claudeGatherText returns the human text of a JSON value: its string
// leaves, one per line, skipping ids, times and data, bounded by limit.
func claudeGatherText(raw []byte, limit int) string {
	var b strings.Builder
	w := claudeWalker{skip: claudeSkipKeys}
	w.walk(raw, func(v string, isString bool) bool {
		if !isString || w.under() || !claudeIsText(v) {
			return true
		}
		v = strings.TrimSpace(v)
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		if room := limit - b.Len(); len(v) > room {
			b.WriteString(claudeCutBytes(v, room))
			b.WriteString("…")
			return false
		}
		b.WriteString(v)
		return true
	})
	return b.String()
}

// claudeCutBytes returns the longest prefix of s of at most n bytes that
// ends on a rune boundary.
func claudeCutBytes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// claudeIDPrefixes start the ids of API objects (tool calls, messages,
// requests).
var claudeIDPrefixes = []string{"toolu_", "srvtoolu_", "msg_", "req_"}

// claudeIsText reports whether a string value reads as text rather than
// an id, a time or encoded data.
func claudeIsText(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	blank := strings.IndexFunc(s, unicode.IsSpace) >= 0
	if blank {
		return true
	}
	if len(s) >= claudeBlobLen || claudeIsUUID(s) || claudeIsHex(s) {
		return false
	}
	for _, p := range claudeIDPrefixes {
		if strings.HasPrefix(s, p) {
			return false
		}
	}
	if len(s) >= 20 && len(s) <= 40 && s[0] >= '0' && s[0] <= '9' {
		if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return false
		}
	}
	return true
}

// claudeIsUUID reports whether s has the 8-4-4-4-12 shape of a uuid.
func claudeIsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !claudeIsHexDigit(c) {
			return false
		}
	}
	return true
}

// claudeIsHex reports whether s is a long run of hex digits: a hash.
func claudeIsHex(s string) bool {
	if len(s) < 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !claudeIsHexDigit(s[i]) {
			return false
		}
	}
	return true
}

func claudeIsHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// claudePrimaryKeys are the input fields that say most about a tool call,
// best first; the rendering puts the first one present at the top, so a
// Bash call reads as its command line.
var claudePrimaryKeys = []string{
	"command", "pattern", "file_path", "notebook_path", "url", "query", "path", "prompt", "description",
}

// claudeRenderInput renders tool input as text that keeps every value:
// the primary field's value on the first line, then "key: value" lines in
// input order, nested keys joined by dots.
func claudeRenderInput(raw json.RawMessage) string {
	type pair struct {
		key, value string
		top        bool // the value of a top-level field
	}
	var pairs []pair
	var w claudeWalker
	w.walk(raw, func(v string, _ bool) bool {
		pairs = append(pairs, pair{key: w.path(), value: v, top: w.depth() == 1})
		return true
	})
	first := -1
	for _, k := range claudePrimaryKeys {
		for i, p := range pairs {
			if p.top && p.key == k && strings.TrimSpace(p.value) != "" {
				first = i
				break
			}
		}
		if first >= 0 {
			break
		}
	}
	var b strings.Builder
	if first >= 0 {
		b.WriteString(pairs[first].value)
	}
	for i, p := range pairs {
		if i == first {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		if p.key != "" {
			b.WriteString(p.key)
			b.WriteString(": ")
		}
		b.WriteString(p.value)
	}
	return b.String()
}

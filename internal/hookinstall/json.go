package hookinstall

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/reel-sh/reel"
)

// node is a JSON value that keeps its object keys in order: one of
// *object, []node (an array), or a json.Number, string, bool or nil.
type node any

// object is a JSON object whose keys keep the file's order.
type object struct {
	keys []string
	vals map[string]node
}

func newObject() *object { return &object{vals: map[string]node{}} }

func (o *object) get(k string) (node, bool) { v, ok := o.vals[k]; return v, ok }

// set replaces k's value, or adds k at the end.
func (o *object) set(k string, v node) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) remove(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

// parseJSON reads a settings file into an ordered tree. An empty file is
// an empty object. Anything else that is not one JSON object (comments,
// trailing commas, a second value) is ECORRUPT naming file and line.
func parseJSON(file string, data []byte) (*object, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return newObject(), nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readValue(dec)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = fmt.Errorf("more after the settings object")
			if terr != nil && !errors.Is(terr, io.EOF) {
				err = terr
			}
		}
	}
	if err != nil {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		hint := "fix the file, or use --settings to name another; reel never rewrites a file it cannot read"
		if bytes.Contains(data, []byte("//")) || bytes.Contains(data, []byte("/*")) {
			hint = "remove its comments (JSON has none), or add reel's hooks by hand: reel hooks install --dry-run prints them"
		}
		return nil, reel.Errorf(reel.ECORRUPT, "settings %s:%d: not JSON: %v", file, lineAt(data, off), err).WithHint(hint)
	}
	o, ok := v.(*object)
	if !ok {
		return nil, reel.Errorf(reel.ECORRUPT, "settings %s:1: not a JSON object", file)
	}
	return o, nil
}

// lineAt returns the 1-based line of byte offset off.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off > 0 && (off == int64(len(data)) || data[off-1] != '\n') {
		off-- // the offset is just past the bad byte
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func readValue(dec *json.Decoder) (node, error) {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := newObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := readValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			arr := []node{}
			for dec.More() {
				v, err := readValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return tok, nil
}

// marshalJSON writes the tree indented by two spaces, as the clients
// write their settings, with a final newline; HTML characters stay as
// they are.
func marshalJSON(o *object) []byte {
	var b bytes.Buffer
	writeValue(&b, o, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

func writeValue(b *bytes.Buffer, v node, depth int) {
	indent := func(d int) { b.WriteString("\n" + strings.Repeat("  ", d)) }
	switch t := v.(type) {
	case *object:
		if len(t.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			writeString(b, k)
			b.WriteString(": ")
			writeValue(b, t.vals[k], depth+1)
		}
		indent(depth)
		b.WriteByte('}')
	case []node:
		if len(t) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			writeValue(b, e, depth+1)
		}
		indent(depth)
		b.WriteByte(']')
	case string:
		writeString(b, t)
	case json.Number:
		b.WriteString(t.String())
	case bool:
		fmt.Fprint(b, t)
	case nil:
		b.WriteString("null")
	default:
		// Only the decoder's types and the ones this package builds occur.
		panic(fmt.Sprintf("hookinstall: unexpected JSON node %T", v))
	}
}

func writeString(b *bytes.Buffer, s string) {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Write(bytes.TrimSuffix(tmp.Bytes(), []byte("\n")))
}

package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
)

// The functions here apply VS Code's chat mutations (objectMutationLog.ts)
// to a decoded JSON value: set a value at a path, delete the property at a
// path, and truncate-then-append an array at a path. A path is a list of
// object keys (string) and array indexes (int). A mutation whose path does
// not exist fails, and leaves the value as it was.
//
// A decoded value is nil, a bool, a json.Number, a string, a []any or a
// *copilotObject, which keeps its keys in their order, so that a request
// rebuilt from the log reads as VS Code wrote it (tool input included).

// copilotObject is a JSON object that keeps the order of its keys.
type copilotObject struct {
	keys []string
	vals map[string]any
}

// get returns the value of key.
func (o *copilotObject) get(key string) (any, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// set sets key to v, adding it last if it is new.
func (o *copilotObject) set(key string, v any) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// del removes key.
func (o *copilotObject) del(key string) {
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	for i, k := range o.keys {
		if k == key {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

// copilotDecodeTree decodes one JSON value, keeping numbers as written and
// object keys in order; a repeated key keeps its last value.
func copilotDecodeTree(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := copilotDecodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode chat value: data after the value")
	}
	return v, nil
}

// copilotDecodeValue reads the value that comes next from dec.
func copilotDecodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch d := tok.(type) {
	case json.Delim:
		if d == '[' {
			arr := []any{}
			for dec.More() {
				v, err := copilotDecodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
		obj := &copilotObject{vals: map[string]any{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string)
			v, err := copilotDecodeValue(dec)
			if err != nil {
				return nil, err
			}
			obj.set(key, v)
		}
		_, err := dec.Token()
		return obj, err
	default:
		return tok, nil
	}
}

// copilotEncodeTree encodes a decoded value.
func copilotEncodeTree(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := copilotEncodeValue(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// copilotEncodeValue appends the JSON of v to b.
func copilotEncodeValue(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := copilotEncodeValue(b, it); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case *copilotObject:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			if err := copilotEncodeValue(b, x.vals[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(data)
	return nil
}

// copilotPath reads a mutation's path, "k": an array of keys and indexes.
func copilotPath(raw json.RawMessage) ([]any, bool) {
	elems := codexList(raw)
	if elems == nil {
		return nil, false
	}
	path := make([]any, 0, len(elems))
	for _, e := range elems {
		switch claudeKind(e) {
		case '"':
			path = append(path, codexStr(e))
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			f, ok := codexNumber(e)
			if !ok || f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
				return nil, false
			}
			path = append(path, int(f))
		default:
			return nil, false
		}
	}
	return path, true
}

// copilotTreeGet returns the value at path, if there is one.
func copilotTreeGet(node any, path []any) (any, bool) {
	for _, key := range path {
		switch n := node.(type) {
		case *copilotObject:
			k, ok := key.(string)
			if !ok {
				return nil, false
			}
			if node, ok = n.get(k); !ok {
				return nil, false
			}
		case []any:
			i, ok := key.(int)
			if !ok || i < 0 || i >= len(n) {
				return nil, false
			}
			node = n[i]
		default:
			return nil, false
		}
	}
	return node, true
}

// copilotTreeSet returns node with v set at path. The last key may name a
// property that does not exist yet, or the index just past an array's end.
func copilotTreeSet(node any, path []any, v any) (any, bool) {
	if len(path) == 0 {
		return v, true
	}
	switch n := node.(type) {
	case *copilotObject:
		k, ok := path[0].(string)
		if !ok {
			return node, false
		}
		if len(path) == 1 {
			n.set(k, v)
			return n, true
		}
		child, ok := n.get(k)
		if !ok {
			return node, false
		}
		c, ok := copilotTreeSet(child, path[1:], v)
		if !ok {
			return node, false
		}
		n.set(k, c)
		return n, true
	case []any:
		i, ok := path[0].(int)
		if !ok || i < 0 || i > len(n) || (i == len(n) && len(path) > 1) {
			return node, false
		}
		if i == len(n) {
			return append(n, v), true
		}
		c, ok := copilotTreeSet(n[i], path[1:], v)
		if !ok {
			return node, false
		}
		n[i] = c
		return n, true
	}
	return node, false
}

// copilotTreeDelete returns node without the property at path; an array
// element becomes null, as JavaScript's undefined serializes.
func copilotTreeDelete(node any, path []any) (any, bool) {
	if len(path) == 0 {
		return node, false
	}
	parent, ok := copilotTreeGet(node, path[:len(path)-1])
	if !ok {
		return node, false
	}
	switch p := parent.(type) {
	case *copilotObject:
		k, ok := path[len(path)-1].(string)
		if !ok {
			return node, false
		}
		p.del(k)
		return node, true
	case []any:
		i, ok := path[len(path)-1].(int)
		if !ok || i < 0 || i >= len(p) {
			return node, false
		}
		p[i] = nil
		return node, true
	}
	return node, false
}

// copilotTreePush returns node with the array at path cut to from
// elements, when hasFrom and it is longer, and values appended. A missing
// array is empty.
func copilotTreePush(node any, path []any, values []any, from int, hasFrom bool) (any, bool) {
	var arr []any
	if cur, ok := copilotTreeGet(node, path); ok {
		arr, _ = cur.([]any)
	}
	if hasFrom && from < len(arr) {
		// Past the end, JavaScript's length = from would leave holes; VS
		// Code never asks for that, so nothing is cut.
		arr = arr[:max(0, from)]
	}
	arr = append(arr, values...)
	return copilotTreeSet(node, path, arr)
}

package archive

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// classify turns an error of document into the one Read returns.
func (rd *reader) classify(err error) error {
	var re *reel.Error
	var se *sourceError
	var syn *json.SyntaxError
	off := rd.dec.InputOffset()
	switch {
	case errors.As(err, &re):
		return re
	case errors.As(err, &se):
		return fmt.Errorf("read reel document: %w", se.err)
	case errors.Is(err, errTooLarge):
		return reel.Errorf(reel.EINVALID, "read reel document: larger than the limit of %d bytes", rd.lim.MaxBytes)
	case errors.Is(err, errNotUTF8):
		return reel.Errorf(reel.EINVALID, "read reel document: %v", err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return reel.Errorf(reel.EINVALID, "read reel document: truncated after byte %d", off)
	case errors.As(err, &syn):
		return reel.Errorf(reel.EINVALID, "read reel document: malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	}
	return reel.Errorf(reel.EINVALID, "read reel document: %v", err)
}

// pathError says which element a decoding error is in, in the document's
// terms rather than Go's.
func pathError(path string, err error) error {
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errTooLarge),
		errors.Is(err, errNotUTF8):
		return err
	case errors.As(err, &te):
		field := path
		if te.Field != "" {
			field += "." + te.Field
		}
		return fmt.Errorf("%s: %s where %s is wanted", field, te.Value, kindName(te.Type))
	case errors.As(err, &pe):
		return fmt.Errorf("%s: time %q is not RFC 3339", path, pe.Value)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return err
	}
	return fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "json: "))
}

// kindName names what a Go type holds in JSON.
func kindName(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	if t == reflect.TypeFor[time.Time]() {
		return "an RFC 3339 time"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "an integer in the int64 range"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct:
		return "an object"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return t.String()
}

// tokenString describes a token for an error message.
func tokenString(tok json.Token) string {
	switch v := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return string(v)
	case string:
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprint(tok)
}

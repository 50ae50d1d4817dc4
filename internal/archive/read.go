package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/reel-sh/reel"
)

// members are the document's members, in the order they must come.
var members = []string{"format", "version", "session", "raw", "events", "checkpoints"}

// Read reads a reel document from r. The document is untrusted: Read
// reads at most lim.MaxBytes of it, decodes the arrays one element at a
// time, and checks each element as it comes (see checker), so neither a
// huge array nor a crafted count makes it hold more than lim allows. It
// returns the document only if all of it is consistent, with every
// event's and checkpoint's SessionID set to the session's.
//
// EINVALID names the member and the index of the first fault: malformed
// or truncated JSON, bytes that are not UTF-8, a member missing, out of
// order or unknown, a number out of range, broken base64 or escapes, a
// size over lim, elements that would hold more than heldFactor times the
// bytes read, or an inconsistency (see the package comment).
// EUNSUPPORT, with a hint, if the document is of a newer version than
// this reel reads. An error of r itself is returned wrapped.
func Read(r io.Reader, lim Limits) (*Document, error) {
	lim = lim.orDefault()
	dec := json.NewDecoder(&utf8Reader{r: &capReader{r: r, left: lim.MaxBytes}})
	// Unknown members are refused, not skipped: a document of this
	// version written by reel never has one, and skipping would drop
	// whatever a newer or a foreign writer meant by it.
	dec.DisallowUnknownFields()
	rd := &reader{dec: dec, lim: lim, chk: newChecker(lim), texts: texts{max: lim.MaxTextBytes}}
	doc, err := rd.document()
	if err != nil {
		return nil, rd.classify(err)
	}
	return doc, nil
}

// Sniff reports whether prefix, the start of a file, is the start of a
// reel document: an object whose first member is "format":"reel". The
// first 64 bytes are enough for what Write writes.
func Sniff(prefix []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(prefix))
	for _, want := range []json.Token{json.Delim('{'), "format", FormatName} {
		if tok, err := dec.Token(); err != nil || tok != want {
			return false
		}
	}
	return true
}

// reader decodes one document.
type reader struct {
	dec   *json.Decoder
	lim   Limits
	chk   *checker
	texts texts
	held  int64 // bytes of memory the decoded elements hold
}

func (rd *reader) document() (*Document, error) {
	if err := rd.delim('{', "the document"); err != nil {
		return nil, err
	}
	doc := &Document{}
	if err := rd.member(0); err != nil {
		return nil, err
	}
	if err := rd.value("format", &doc.Format); err != nil {
		return nil, err
	}
	if doc.Format != FormatName {
		return nil, reel.Errorf(reel.EINVALID, "read reel document: format is %q, not %q", doc.Format, FormatName)
	}
	if err := rd.member(1); err != nil {
		return nil, err
	}
	var version int64
	if err := rd.value("version", &version); err != nil {
		return nil, err
	}
	switch {
	case version > Version:
		return nil, reel.Errorf(reel.EUNSUPPORT, "read reel document: format version %d is newer than this reel reads (%d)", version, Version).
			WithHint("upgrade reel to import it, or export it again with the reel that wrote it")
	case version < 1:
		return nil, reel.Errorf(reel.EINVALID, "read reel document: version %d is not a format version", version)
	}
	doc.Version = int(version)

	if err := rd.member(2); err != nil {
		return nil, err
	}
	var sj sessionJSON
	if err := rd.value("session", &sj); err != nil {
		return nil, err
	}
	doc.Session = sj.session(&rd.texts)
	if err := rd.textErr("session", -1); err != nil {
		return nil, err
	}
	if err := rd.chk.session(&doc.Session); err != nil {
		return nil, err
	}
	id := doc.Session.ID

	if err := rd.member(3); err != nil {
		return nil, err
	}
	err := rd.array("raw", rd.lim.MaxRecords, func(i int) error {
		var w rawJSON
		if err := rd.element("raw", i, &w); err != nil {
			return err
		}
		doc.Raw = append(doc.Raw, w.record(&rd.texts, rd.lim.MaxRecordBytes))
		if err := rd.textErr("raw", i); err != nil {
			return err
		}
		if err := rd.hold("raw", i, rawBytes(&doc.Raw[i])); err != nil {
			return err
		}
		return rd.chk.raw(&doc.Raw[i])
	})
	if err != nil {
		return nil, err
	}

	if err := rd.member(4); err != nil {
		return nil, err
	}
	err = rd.array("events", rd.lim.MaxEvents, func(i int) error {
		var w eventJSON
		if err := rd.element("events", i, &w); err != nil {
			return err
		}
		doc.Events = append(doc.Events, w.event(&rd.texts, id))
		if err := rd.textErr("events", i); err != nil {
			return err
		}
		if err := rd.hold("events", i, eventBytes(&doc.Events[i])); err != nil {
			return err
		}
		return rd.chk.event(&doc.Events[i])
	})
	if err != nil {
		return nil, err
	}
	if err := rd.chk.eventsDone(); err != nil {
		return nil, err
	}

	if err := rd.member(5); err != nil {
		return nil, err
	}
	err = rd.array("checkpoints", rd.lim.MaxCheckpoints, func(i int) error {
		var w checkpointJSON
		if err := rd.element("checkpoints", i, &w); err != nil {
			return err
		}
		doc.Checkpoints = append(doc.Checkpoints, w.checkpoint(&rd.texts, id))
		if err := rd.textErr("checkpoints", i); err != nil {
			return err
		}
		if err := rd.hold("checkpoints", i, checkpointBytes(&doc.Checkpoints[i])); err != nil {
			return err
		}
		return rd.chk.checkpoint(&doc.Checkpoints[i])
	})
	if err != nil {
		return nil, err
	}

	if err := rd.member(len(members)); err != nil {
		return nil, err
	}
	// Whatever follows the document is refused: a second document, or
	// the tail of a file that the document was pasted over.
	if tok, err := rd.dec.Token(); err != io.EOF {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("data after the document's end (%v)", tok)
	}
	return doc, nil
}

// member reads the key of member i of the document, or its closing brace
// when i is past the last member.
func (rd *reader) member(i int) error {
	tok, err := rd.dec.Token()
	if err != nil {
		return err
	}
	key, ok := tok.(string)
	switch {
	case i == len(members) && tok == json.Delim('}'):
		return nil
	case i == len(members) && ok:
		return fmt.Errorf("unknown member %q after %q", key, members[i-1])
	case !ok:
		return fmt.Errorf("member %q missing (found %v)", members[i], tok)
	case key == members[i]:
		return nil
	}
	for _, m := range members {
		if m == key {
			return fmt.Errorf("member %q out of order: %q must come first", key, members[i])
		}
	}
	return fmt.Errorf("unknown member %q where %q must come", key, members[i])
}

// value decodes the next value into v.
func (rd *reader) value(path string, v any) error {
	if err := rd.dec.Decode(v); err != nil {
		return pathError(path, err)
	}
	return nil
}

// element decodes element i of an array into v. The element's path is
// formatted only for an error: this runs for every element.
func (rd *reader) element(array string, i int, v any) error {
	if err := rd.dec.Decode(v); err != nil {
		return pathError(fmt.Sprintf("%s[%d]", array, i), err)
	}
	return nil
}

// array reads a JSON array, calling fn for each element with its index,
// and refusing more than max elements before decoding another.
func (rd *reader) array(name string, max int, fn func(i int) error) error {
	if err := rd.delim('[', name); err != nil {
		return err
	}
	for i := 0; rd.dec.More(); i++ {
		if i >= max {
			return fmt.Errorf("%s: more than the limit of %d", name, max)
		}
		if err := fn(i); err != nil {
			return err
		}
	}
	return rd.delim(']', name)
}

// delim reads the delimiter d.
func (rd *reader) delim(d json.Delim, what string) error {
	tok, err := rd.dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		want := map[json.Delim]string{'{': "an object", '[': "an array", ']': "the end of the array"}[d]
		return fmt.Errorf("%s: %s wanted, found %v", what, want, tokenString(tok))
	}
	return nil
}

// textErr returns the failure to decode a string of element i of an
// array, or of the member when i < 0.
func (rd *reader) textErr(member string, i int) error {
	switch err := rd.texts.err; {
	case err == nil:
		return nil
	case i < 0:
		return fmt.Errorf("%s.%w", member, err)
	default:
		return fmt.Errorf("%s[%d].%w", member, i, err)
	}
}

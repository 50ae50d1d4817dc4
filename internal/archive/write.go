package archive

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/reel-sh/reel"
)

// Write writes doc to w as a reel document (see the package comment),
// element by element: it holds one element's JSON at a time, never the
// whole document. The output depends only on doc, so the same session
// always gives the same bytes. EINVALID if doc is inconsistent (what Read
// would refuse, limits aside); then nothing is written.
func Write(w io.Writer, doc *Document) error {
	if doc == nil {
		return reel.Errorf(reel.EINVALID, "write reel document: no document")
	}
	if err := check(doc, noLimits); err != nil {
		return reel.Errorf(reel.EINVALID, "write reel document: %v", err)
	}
	ew := &elemWriter{w: bufio.NewWriterSize(w, 64<<10)}
	ew.enc = json.NewEncoder(&ew.buf)
	ew.enc.SetEscapeHTML(false)

	ew.str(`{"format":` + strconv.Quote(FormatName) + `,"version":` + strconv.Itoa(Version) + ",\n" + `"session":`)
	ew.put(toSessionJSON(&doc.Session))
	ew.str(",\n" + `"raw":[`)
	for i := range doc.Raw {
		ew.sep(i)
		ew.put(toRawJSON(&doc.Raw[i]))
	}
	ew.end(len(doc.Raw))
	ew.str(",\n" + `"events":[`)
	for i := range doc.Events {
		ew.sep(i)
		ew.put(toEventJSON(&doc.Events[i]))
	}
	ew.end(len(doc.Events))
	ew.str(",\n" + `"checkpoints":[`)
	for i := range doc.Checkpoints {
		ew.sep(i)
		ew.put(toCheckpointJSON(&doc.Checkpoints[i]))
	}
	ew.end(len(doc.Checkpoints))
	ew.str("}\n")
	if ew.err == nil {
		ew.err = ew.w.Flush()
	}
	if ew.err != nil {
		return fmt.Errorf("write reel document: %w", ew.err)
	}
	return nil
}

// elemWriter writes a document's pieces, keeping the first error. Each
// element is encoded into buf and copied out, one element at a time.
type elemWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	err error
}

func (ew *elemWriter) str(s string) {
	if ew.err == nil {
		_, ew.err = ew.w.WriteString(s)
	}
}

// sep starts element i of an array: each element is on a line of its own.
func (ew *elemWriter) sep(i int) {
	if i == 0 {
		ew.str("\n")
	} else {
		ew.str(",\n")
	}
}

// end closes an array of n elements.
func (ew *elemWriter) end(n int) {
	if n > 0 {
		ew.str("\n")
	}
	ew.str("]")
}

func (ew *elemWriter) put(v any) {
	if ew.err != nil {
		return
	}
	ew.buf.Reset()
	if ew.err = ew.enc.Encode(v); ew.err != nil {
		return
	}
	// Encode ends the value with a newline, which sep and end place.
	_, ew.err = ew.w.Write(bytes.TrimSuffix(ew.buf.Bytes(), []byte("\n")))
}

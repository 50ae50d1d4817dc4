package archive

import (
	"fmt"
	"reflect"

	"github.com/reel-sh/reel"
)

// heldFactor bounds the memory that a document's decoded elements hold:
// heldFactor times the bytes read, plus a little. A decoded element is
// larger than its JSON when the JSON is small (an event is 272 bytes in
// memory, and {"seq":7} is 9 in JSON), so without this bound a document
// of many tiny elements would make Read hold 30 times its size. The
// elements that reel writes hold at most about 6 times their JSON, for
// an event of no text, time or tokens, and on average much less.
const heldFactor = 8

// hold counts n more bytes held by element i of an array, and refuses
// them past the bound.
func (rd *reader) hold(array string, i int, n int64) error {
	rd.held += n
	slack := min(1<<20, rd.lim.MaxBytes)
	if rd.held > heldFactor*rd.dec.InputOffset()+slack {
		return fmt.Errorf("%s[%d]: %d bytes of elements decoded from %d bytes of document; a document written by reel holds at most %d times its size",
			array, i, rd.held, rd.dec.InputOffset(), heldFactor)
	}
	return nil
}

// The sizes of the model's structs, which each element holds besides its
// strings and data.
var (
	rawSize        = int64(reflect.TypeFor[reel.RawRecord]().Size())
	eventSize      = int64(reflect.TypeFor[reel.Event]().Size())
	checkpointSize = int64(reflect.TypeFor[reel.Checkpoint]().Size())
)

func rawBytes(r *reel.RawRecord) int64 {
	return rawSize + int64(len(r.Name)+len(r.Data)+len(r.Type)+len(r.Status)+len(r.Reason))
}

func eventBytes(e *reel.Event) int64 {
	n := eventSize + int64(len(e.Kind)+len(e.Role)+len(e.Text)+len(e.Tool)+len(e.CallID)+
		len(e.MessageID)+len(e.NativeID)+len(e.Model)+len(e.Input))
	if e.ExitCode != nil {
		n += 8
	}
	return n
}

func checkpointBytes(c *reel.Checkpoint) int64 {
	return checkpointSize + int64(len(c.ID)+len(c.Label)+len(c.State))
}

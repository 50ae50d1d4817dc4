package archive

import "github.com/reel-sh/reel"

// CursorPrefix starts the cursor path of an imported session:
// "import://" and the session's id. An import writes that cursor, so
// importing the session again replaces it instead of adding a copy, and
// no sync ever reads the path as a file.
const CursorPrefix = "import://"

// Batches returns the batches that write doc's session into a store, at
// most maxPerBatch raw records and events each (all in one batch when
// maxPerBatch <= 0). The first batch has FromRaw and FromSeq 0, so it
// first drops whatever the store held of the session: applying them
// replaces the session with the document's.
//
// Apply them in one call, which makes the import atomic. Applied one by
// one, every prefix is still consistent: each batch's events come after
// the raw records they point at, and its session counts the events
// written so far (only the last counts them all).
//
// The checkpoints are in the last batch, whose session counts every
// event. doc must be consistent, as Read returns it.
func Batches(doc *Document, maxPerBatch int) []*reel.Batch {
	total := len(doc.Raw) + len(doc.Events)
	if maxPerBatch <= 0 || maxPerBatch > total {
		maxPerBatch = max(total, 1)
	}
	sess := doc.Session
	var bs []*reel.Batch
	ri, ei := 0, 0
	for len(bs) == 0 || ri < len(doc.Raw) || ei < len(doc.Events) {
		r0, e0 := ri, ei
		for n := 0; n < maxPerBatch && (ri < len(doc.Raw) || ei < len(doc.Events)); n++ {
			// An event goes as soon as its raw record has gone.
			if ei < len(doc.Events) && (doc.Events[ei].RawIndex < int64(ri) || ri == len(doc.Raw)) {
				ei++
			} else {
				ri++
			}
		}
		// The batches share doc's arrays, capped so that no append to one
		// writes into the next.
		b := &reel.Batch{FromRaw: int64(r0), FromSeq: int64(e0),
			Raw: doc.Raw[r0:ri:ri], Events: doc.Events[e0:ei:ei]}
		b.Session = sess
		b.Session.EventCount = int64(ei)
		b.Cursor = reel.Cursor{
			Path: CursorPrefix + sess.ID, Source: sess.Source, SessionID: sess.ID,
			NextRaw: int64(ri), NextSeq: int64(ei),
		}
		bs = append(bs, b)
	}
	last := bs[len(bs)-1]
	last.Session.EventCount = sess.EventCount
	last.Checkpoints = doc.Checkpoints
	return bs
}

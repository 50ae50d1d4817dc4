package archive

import (
	"fmt"
	"math"
	"strings"

	"github.com/reel-sh/reel"
)

// checker checks a document's parts in document order: the session, each
// raw record, each event, the end of the events, each checkpoint. Read
// runs it on each element as soon as it is decoded, so a bad document is
// refused at its first bad element, and no crafted count makes Read hold
// more than the elements it accepted; Write and FromStore run it over a
// whole document (check). Its errors name the member and the index.
type checker struct {
	lim     Limits
	sess    *reel.Session
	nraw    int64
	nevents int64
	ncps    int
	ids     map[string]bool
	labels  map[string]bool
}

func newChecker(lim Limits) *checker {
	return &checker{lim: lim, ids: map[string]bool{}, labels: map[string]bool{}}
}

// check checks a whole document.
func check(doc *Document, lim Limits) error {
	c := newChecker(lim)
	if err := c.session(&doc.Session); err != nil {
		return err
	}
	for i := range doc.Raw {
		if err := c.raw(&doc.Raw[i]); err != nil {
			return err
		}
	}
	for i := range doc.Events {
		if err := c.event(&doc.Events[i]); err != nil {
			return err
		}
	}
	if err := c.eventsDone(); err != nil {
		return err
	}
	for i := range doc.Checkpoints {
		if err := c.checkpoint(&doc.Checkpoints[i]); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) session(s *reel.Session) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("session."+format, args...)
	}
	switch {
	case s.Source == "":
		return bad("source: empty")
	case s.ID != reel.SessionID(s.Source, s.NativeID):
		// The id is derived, so every host agrees on it; an id that is
		// not would collide with or shadow another session.
		return bad("id: %q is not the id of source %q, native id %q (%s)",
			s.ID, s.Source, s.NativeID, reel.SessionID(s.Source, s.NativeID))
	case !reel.StorableTime(s.StartedAt):
		return bad("started_at: %s is outside the years 1678 to 2262", s.StartedAt)
	case !reel.StorableTime(s.EndedAt):
		return bad("ended_at: %s is outside the years 1678 to 2262", s.EndedAt)
	case s.EventCount < 0:
		return bad("event_count: %d is negative", s.EventCount)
	case s.EventCount > int64(c.lim.MaxEvents):
		return bad("event_count: %d, over the limit of %d events", s.EventCount, c.lim.MaxEvents)
	}
	c.sess = s
	return nil
}

func (c *checker) raw(r *reel.RawRecord) error {
	i := c.nraw
	if i >= int64(c.lim.MaxRecords) {
		return fmt.Errorf("raw: more than the limit of %d records", c.lim.MaxRecords)
	}
	n := int64(len(r.Data))
	switch {
	case r.Index != i:
		return fmt.Errorf("raw[%d].index: %d, want %d (indexes run from 0 with no gap)", i, r.Index, i)
	case r.Offset < 0:
		return fmt.Errorf("raw[%d].offset: %d is negative", i, r.Offset)
	case r.Offset > math.MaxInt64-n:
		return fmt.Errorf("raw[%d].offset: %d plus the record's %d bytes overflows", i, r.Offset, n)
	case n > c.lim.MaxRecordBytes:
		return fmt.Errorf("raw[%d]: %d bytes of data, over the limit of %d", i, n, c.lim.MaxRecordBytes)
	case r.Status == "":
		return fmt.Errorf("raw[%d].status: empty", i)
	}
	c.nraw++
	return nil
}

func (c *checker) event(e *reel.Event) error {
	i := c.nevents
	switch {
	case i >= int64(c.lim.MaxEvents):
		return fmt.Errorf("events: more than the limit of %d events", c.lim.MaxEvents)
	case i >= c.sess.EventCount:
		return fmt.Errorf("events: more than the session's event_count of %d", c.sess.EventCount)
	case e.SessionID != c.sess.ID:
		return fmt.Errorf("events[%d]: of session %q, not %s", i, e.SessionID, c.sess.ID)
	case e.Seq != i:
		return fmt.Errorf("events[%d].seq: %d, want %d (seqs run from 0 with no gap)", i, e.Seq, i)
	case e.RawIndex < 0 || e.RawIndex >= c.nraw:
		return fmt.Errorf("events[%d].raw_index: %d is not the index of a raw record (there are %d)", i, e.RawIndex, c.nraw)
	case !reel.StorableTime(e.Time):
		return fmt.Errorf("events[%d].time: %s is outside the years 1678 to 2262", i, e.Time)
	}
	c.nevents++
	return nil
}

func (c *checker) eventsDone() error {
	if c.nevents != c.sess.EventCount {
		return fmt.Errorf("events: %d, but the session's event_count is %d", c.nevents, c.sess.EventCount)
	}
	return nil
}

func (c *checker) checkpoint(cp *reel.Checkpoint) error {
	i := c.ncps
	switch {
	case i >= c.lim.MaxCheckpoints:
		return fmt.Errorf("checkpoints: more than the limit of %d checkpoints", c.lim.MaxCheckpoints)
	case cp.SessionID != c.sess.ID:
		return fmt.Errorf("checkpoints[%d]: of session %q, not %s", i, cp.SessionID, c.sess.ID)
	case cp.ID == "":
		return fmt.Errorf("checkpoints[%d].id: empty", i)
	case c.ids[cp.ID]:
		return fmt.Errorf("checkpoints[%d].id: %q names an earlier checkpoint too", i, cp.ID)
	case cp.Label != "" && c.labels[cp.Label]:
		return fmt.Errorf("checkpoints[%d].label: %q names an earlier checkpoint too", i, cp.Label)
	case cp.Seq < 0 || cp.Seq > c.nevents:
		return fmt.Errorf("checkpoints[%d].seq: %d is outside 0 to %d, the number of events", i, cp.Seq, c.nevents)
	case !reel.StorableTime(cp.Time):
		return fmt.Errorf("checkpoints[%d].time: %s is outside the years 1678 to 2262", i, cp.Time)
	}
	if err := cp.Validate(); err != nil {
		// A label or state no store keeps; the message names the id.
		return fmt.Errorf("checkpoints[%d]: %s", i, strings.TrimPrefix(err.Error(), "put checkpoint "))
	}
	c.ids[cp.ID] = true
	if cp.Label != "" {
		c.labels[cp.Label] = true
	}
	c.ncps++
	return nil
}

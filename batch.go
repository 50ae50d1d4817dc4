package reel

// Validate checks that b is consistent, as every Store's Apply does before
// writing anything: a session with an id and a source, a cursor for the
// same session, indexes and seqs that never go back, and times every store
// keeps exactly, and checkpoints that Checkpoint.Validate accepts, of the
// batch's session, at a seq no later than its EventCount (one past its
// last event), with labels that no two of them share. EINVALID names what
// is wrong.
func (b *Batch) Validate() error {
	invalid := func(format string, args ...any) error {
		return Errorf(EINVALID, "apply batch: "+format, args...)
	}
	if b == nil {
		return invalid("no batch")
	}
	ss := &b.Session
	switch {
	case ss.ID == "":
		return invalid("session has no id")
	case ss.Source == "":
		return invalid("session %s has no source", ss.ID)
	case b.FromRaw < 0 || b.FromSeq < 0:
		return invalid("negative FromRaw %d or FromSeq %d", b.FromRaw, b.FromSeq)
	case !StorableTime(ss.StartedAt) || !StorableTime(ss.EndedAt):
		return invalid("session %s: time out of range", ss.ID)
	case b.Cursor.Path != "" && b.Cursor.SessionID != "" && b.Cursor.SessionID != ss.ID:
		return invalid("cursor of %s names session %s, batch is for %s", b.Cursor.Path, b.Cursor.SessionID, ss.ID)
	case !StorableTime(b.Cursor.ModTime):
		return invalid("cursor of %s: time out of range", b.Cursor.Path)
	}
	next := b.FromRaw
	for i := range b.Raw {
		r := &b.Raw[i]
		if r.Index < next {
			return invalid("raw record %d: index below %d (FromRaw or the previous record)", r.Index, next)
		}
		next = r.Index + 1
	}
	next = b.FromSeq
	for i := range b.Events {
		e := &b.Events[i]
		switch {
		case e.SessionID != ss.ID:
			return invalid("event %d belongs to session %q, batch is for %s", e.Seq, e.SessionID, ss.ID)
		case e.Seq < next:
			return invalid("event %d: seq below %d (FromSeq or the previous event)", e.Seq, next)
		case !StorableTime(e.Time):
			return invalid("event %d: time out of range", e.Seq)
		}
		next = e.Seq + 1
	}
	labels := map[string]string{}
	for i := range b.Checkpoints {
		c := &b.Checkpoints[i]
		if err := c.Validate(); err != nil {
			return invalid("%s", err.Error())
		}
		switch other, ok := labels[c.Label]; {
		case c.SessionID != ss.ID:
			return invalid("checkpoint %q belongs to session %q, batch is for %s", c.ID, c.SessionID, ss.ID)
		case c.Seq > ss.EventCount:
			return invalid("checkpoint %q: seq %d is beyond the session's %d events", c.ID, c.Seq, ss.EventCount)
		case ok && other != c.ID:
			return invalid("checkpoints %q and %q share the label %q", other, c.ID, c.Label)
		}
		if c.Label != "" {
			labels[c.Label] = c.ID
		}
	}
	return nil
}

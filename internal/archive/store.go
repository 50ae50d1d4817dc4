package archive

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
)

// ListCheckpoints returns a session's checkpoints, as reel.Store's
// Checkpoints method does.
type ListCheckpoints func(ctx context.Context, sessionID string) ([]reel.Checkpoint, error)

// FromStore returns the document of the session whose id is ref or
// starts with ref, read from st: its raw records, its events and, through
// list, its checkpoints; st.Checkpoints when list is nil.
//
// The session is read in several steps, so a sync writing to it at the
// same time could make them disagree: FromStore reads it again when the
// session changed meanwhile, and fails with EBUSY if it keeps changing.
// Checkpoints past the session's end (see withinEvents) are left out.
// ENOTFOUND or EAMBIGUOUS as st.Session returns them; ECORRUPT if what
// the store holds is inconsistent (an event pointing at no raw record, a
// gap in the seqs), which a document cannot carry.
func FromStore(ctx context.Context, st reel.Store, ref string, list ListCheckpoints) (*Document, error) {
	if list == nil {
		list = st.Checkpoints
	}
	const attempts = 3
	for range attempts {
		doc, stable, err := fromStore(ctx, st, ref, list)
		if err != nil || stable {
			return doc, err
		}
	}
	return nil, reel.Errorf(reel.EBUSY, "export session %s: it kept changing while it was read", ref).
		WithHint("wait for the sync that writes it to finish, then export again")
}

// fromStore reads the session once; stable is false when it changed
// while it was read.
func fromStore(ctx context.Context, st reel.Store, ref string, list ListCheckpoints) (doc *Document, stable bool, err error) {
	sess, err := st.Session(ctx, ref)
	if err != nil {
		return nil, false, err
	}
	doc = &Document{Format: FormatName, Version: Version, Session: sess}
	if doc.Events, err = st.Events(ctx, sess.ID, reel.Filter{}); err != nil {
		return nil, false, fmt.Errorf("export session %s: %w", sess.ID, err)
	}
	err = st.RawRecords(ctx, sess.ID, func(r reel.RawRecord) error {
		doc.Raw = append(doc.Raw, r)
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("export session %s: %w", sess.ID, err)
	}
	if list != nil {
		if doc.Checkpoints, err = list(ctx, sess.ID); err != nil {
			return nil, false, fmt.Errorf("export session %s: %w", sess.ID, err)
		}
		doc.Checkpoints = withinEvents(doc.Checkpoints, int64(len(doc.Events)))
	}
	again, err := st.Session(ctx, sess.ID)
	if err != nil {
		return nil, false, fmt.Errorf("export session %s: %w", sess.ID, err)
	}
	if !sameSession(sess, again) {
		return nil, false, nil
	}
	if err := check(doc, noLimits); err != nil {
		return nil, false, reel.Errorf(reel.ECORRUPT, "export session %s: the store holds what a reel document cannot: %v", sess.ID, err)
	}
	return doc, true, nil
}

// withinEvents returns the checkpoints of cps that mark one of n events
// or the next one. A store keeps a checkpoint when a re-read shortens its
// session; one past the end marks nothing the document holds, and an
// import would refuse it.
func withinEvents(cps []reel.Checkpoint, n int64) []reel.Checkpoint {
	out := cps[:0]
	for _, c := range cps {
		if c.Seq <= n {
			out = append(out, c)
		}
	}
	return out
}

// sameSession reports whether a and b are the same state of a session.
func sameSession(a, b reel.Session) bool {
	a.StartedAt, a.EndedAt = a.StartedAt.UTC(), a.EndedAt.UTC()
	b.StartedAt, b.EndedAt = b.StartedAt.UTC(), b.EndedAt.UTC()
	return a == b
}

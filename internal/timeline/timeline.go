package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/reel-sh/reel"
)

var _ reel.Timeline = (*Timeline)(nil)

// Timeline implements reel.Timeline over a reel.Store. It is safe for
// concurrent use, as the store is.
type Timeline struct {
	store reel.Store
}

// New returns a Timeline that reads store.
func New(store reel.Store) *Timeline { return &Timeline{store: store} }

// span is the part of a session that a query selects, before its time,
// kind and role filters: seqs in [from, to), to < 0 for no upper bound.
type span struct {
	session reel.Session
	from    int64
	to      int64
}

// empty reports whether the span holds no seq at all.
func (s span) empty() bool { return s.to >= 0 && s.to <= s.from }

// resolve finds q's session and checkpoints and returns the seq span
// they bound. EINVALID for a negative SinceSeq or Limit.
func (t *Timeline) resolve(ctx context.Context, q reel.EventQuery) (span, error) {
	if q.SinceSeq < 0 {
		return span{}, reel.Errorf(reel.EINVALID, "since seq %d is negative", q.SinceSeq)
	}
	if q.Limit < 0 {
		return span{}, reel.Errorf(reel.EINVALID, "limit %d is negative", q.Limit)
	}
	sess, err := t.store.Session(ctx, q.Session)
	if err != nil {
		return span{}, err
	}
	sp := span{session: sess, from: 0, to: -1}
	if q.FromCheckpoint != "" || q.ToCheckpoint != "" {
		cps, err := t.store.Checkpoints(ctx, sess.ID)
		if err != nil {
			return span{}, err
		}
		var a, b reel.Checkpoint
		if q.FromCheckpoint != "" {
			if a, err = checkpoint(sess, cps, q.FromCheckpoint); err != nil {
				return span{}, err
			}
		}
		if q.ToCheckpoint != "" {
			if b, err = checkpoint(sess, cps, q.ToCheckpoint); err != nil {
				return span{}, err
			}
		}
		switch {
		case q.FromCheckpoint != "" && q.ToCheckpoint != "":
			sp.from, sp.to = min(a.Seq, b.Seq), max(a.Seq, b.Seq)
		case q.FromCheckpoint != "":
			sp.from = a.Seq
		default:
			sp.to = b.Seq
		}
	}
	sp.from = max(sp.from, q.SinceSeq)
	return sp, nil
}

// filter returns the store filter of sp with q's time range, kinds and
// roles; no limit.
func (sp span) filter(q reel.EventQuery) reel.Filter {
	f := reel.Filter{Kinds: q.Kinds, Roles: q.Roles, SeqFrom: sp.from, Since: q.From,
		Until: untilAfter(q.To)}
	if sp.to > 0 {
		f.SeqTo = sp.to
	}
	return f
}

// maxStored is the latest time a store keeps (int64 nanoseconds since the
// Unix epoch).
var maxStored = time.Unix(0, 1<<63-1)

// untilAfter turns the inclusive upper bound to into the store's exclusive
// Until: to plus a nanosecond, or no bound when to is zero or so late
// that every stored time is before it (to plus a nanosecond would be past
// what a store can compare).
func untilAfter(to time.Time) time.Time {
	if to.IsZero() || !to.Before(maxStored) {
		return time.Time{}
	}
	return to.Add(time.Nanosecond)
}

// Events returns the events q selects, in seq order: those of the span its
// checkpoints bound ([A.Seq, B.Seq) in whichever order, from one to the
// end, or from the start to one), from SinceSeq on, within [From, To]
// (an event with no time is outside any time range), of q's kinds and
// roles, at most q.Limit of them. ENOTFOUND for an unknown session or
// checkpoint (the hint lists the session's checkpoints), EAMBIGUOUS for
// a prefix of several, EINVALID for a negative SinceSeq or Limit.
func (t *Timeline) Events(ctx context.Context, q reel.EventQuery) ([]reel.Event, error) {
	evs, err := t.read(ctx, q, func(f *reel.Filter) { f.Limit = q.Limit })
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return evs, nil
}

// read returns the events of the span q selects, through the store filter
// of its span and q that adjust changes; a non-nil slice.
func (t *Timeline) read(ctx context.Context, q reel.EventQuery, adjust func(*reel.Filter)) ([]reel.Event, error) {
	sp, err := t.resolve(ctx, q)
	if err != nil {
		return nil, err
	}
	if sp.empty() {
		return []reel.Event{}, nil
	}
	f := sp.filter(q)
	adjust(&f)
	evs, err := t.store.Events(ctx, sp.session.ID, f)
	if evs == nil && err == nil {
		evs = []reel.Event{}
	}
	return evs, err
}

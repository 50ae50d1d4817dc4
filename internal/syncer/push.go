package syncer

import (
	"context"
	"fmt"
	"time"

	"github.com/reel-sh/reel"
)

// PushOptions configure a push of one store's sessions into another.
type PushOptions struct {
	From, To reel.Store
	// Host names this machine in the push cursors kept in To, so that
	// several machines pushing into one store keep apart what each sent.
	Host string
	// BatchRecords bounds the raw records and events sent per batch.
	BatchRecords int
	// Progress, if set, is called after each session.
	Progress func(done, total int)
}

// PushResult is what a push did.
type PushResult struct {
	Sessions  int   `json:"sessions"`
	Pushed    int   `json:"sessions_pushed"`
	Unchanged int   `json:"sessions_unchanged"`
	Raw       int64 `json:"raw_records_pushed"`
	Events    int64 `json:"events_pushed"`
	// Checkpoints counts the checkpoints put into To: those it lacked or
	// held otherwise.
	Checkpoints int64 `json:"checkpoints_pushed"`
	// Refused lists the checkpoints To would not take (a label another
	// checkpoint of the session has there, a seq past the session's end
	// there), each with why; the push goes on without them.
	Refused []string `json:"checkpoints_refused,omitempty"`
}

// pushCursorPath is the key of the cursor in To that records how much of
// a session this host has pushed.
func pushCursorPath(host, sessionID string) string {
	return "push://" + host + "/" + sessionID
}

// Push copies every session of From into To, incrementally: a session is
// sent from where the last push of it stopped when its source file was
// only appended to since, and whole when it was rewritten. Each batch is
// committed with a push cursor, so a push that is stopped resumes where it
// was; ids are deterministic and writes idempotent, so pushes from several
// hosts into one store converge.
func Push(ctx context.Context, opt PushOptions) (PushResult, error) {
	if opt.BatchRecords <= 0 {
		opt.BatchRecords = 5000
	}
	var res PushResult
	sessions, err := opt.From.Sessions(ctx, reel.Filter{})
	if err != nil {
		return res, fmt.Errorf("list local sessions: %w", err)
	}
	res.Sessions = len(sessions)
	for i, s := range sessions {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		raw, events, err := pushSession(ctx, opt, s)
		if err != nil {
			return res, fmt.Errorf("push session %s: %w", s.ID, err)
		}
		if raw == 0 && events == 0 {
			res.Unchanged++
		} else {
			res.Pushed++
		}
		res.Raw += raw
		res.Events += events
		if err := pushCheckpoints(ctx, opt, s, &res); err != nil {
			return res, fmt.Errorf("push checkpoints of session %s: %w", s.ID, err)
		}
		if opt.Progress != nil {
			opt.Progress(i+1, len(sessions))
		}
	}
	return res, nil
}

// pushSession sends what To lacks of session s.
func pushSession(ctx context.Context, opt PushOptions, s reel.Session) (raw, events int64, err error) {
	key := pushCursorPath(opt.Host, s.ID)
	// The local cursor of the session's file says how far it was read and
	// whether it was rewritten; the push cursor holds the local cursor's
	// head hash and offset as of the last push.
	local, err := opt.From.Cursor(ctx, s.Path)
	if err != nil && reel.ErrorCode(err) != reel.ENOTFOUND {
		return 0, 0, err
	}
	pushed, err := opt.To.Cursor(ctx, key)
	fresh := reel.ErrorCode(err) == reel.ENOTFOUND
	if err != nil && !fresh {
		return 0, 0, err
	}
	from := reel.Cursor{Path: key, Source: s.Source, SessionID: s.ID}
	if !fresh && pushed.HeadHash == local.HeadHash && pushed.Offset <= local.Offset &&
		pushed.Size == local.Size && pushed.ModTime.Equal(local.ModTime) && pushed.NextSeq == s.EventCount {
		return 0, 0, nil
	}
	appended := !fresh && local.HeadHash != "" && pushed.HeadHash == local.HeadHash && pushed.Offset <= local.Offset
	if appended {
		from.NextRaw, from.NextSeq = pushed.NextRaw, pushed.NextSeq
	}

	var recs []reel.RawRecord
	err = opt.From.RawRecords(ctx, s.ID, func(r reel.RawRecord) error {
		if r.Index >= from.NextRaw {
			recs = append(recs, r)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	evs, err := opt.From.Events(ctx, s.ID, reel.Filter{})
	if err != nil {
		return 0, 0, err
	}
	if from.NextSeq > int64(len(evs)) {
		from.NextSeq = 0 // the session shrank: send it whole
		from.NextRaw = 0
		return pushSessionWhole(ctx, opt, s, local, key)
	}
	evs = evs[from.NextSeq:]

	pos := from
	for first := true; first || len(recs) > 0 || len(evs) > 0; first = false {
		nr, ne := min(len(recs), opt.BatchRecords), min(len(evs), opt.BatchRecords)
		b := &reel.Batch{Session: s, FromRaw: pos.NextRaw, FromSeq: pos.NextSeq, Raw: recs[:nr], Events: evs[:ne]}
		next := pos
		if nr > 0 {
			next.NextRaw = recs[nr-1].Index + 1
		}
		next.NextSeq += int64(ne)
		recs, evs = recs[nr:], evs[ne:]
		b.Cursor = next
		if len(recs) == 0 && len(evs) == 0 {
			// Only the last batch's cursor matches the local one: a push
			// stopped before it resumes from its last committed batch.
			b.Cursor.HeadHash, b.Cursor.Offset = local.HeadHash, local.Offset
			b.Cursor.Size, b.Cursor.ModTime = local.Size, local.ModTime
		} else {
			b.Cursor.HeadHash, b.Cursor.Offset, b.Cursor.Size = pushed.HeadHash, min(pushed.Offset, local.Offset), -1
			if !appended {
				b.Cursor.HeadHash = ""
			}
		}
		b.Cursor.ModTime = b.Cursor.ModTime.UTC()
		if err := opt.To.Apply(ctx, b); err != nil {
			return raw, events, err
		}
		raw += int64(nr)
		events += int64(ne)
		pos = next
	}
	return raw, events, nil
}

// pushSessionWhole sends session s from its first record.
func pushSessionWhole(ctx context.Context, opt PushOptions, s reel.Session, local reel.Cursor, key string) (int64, int64, error) {
	// A zero push cursor makes the next pushSession read everything.
	if err := opt.To.Apply(ctx, &reel.Batch{Session: s, Cursor: reel.Cursor{Path: key, Source: s.Source, SessionID: s.ID, Size: -1, ModTime: time.Time{}}}); err != nil {
		return 0, 0, err
	}
	return pushSession(ctx, opt, s)
}

// pushCheckpoints puts into To the checkpoints of session s that To lacks
// or holds otherwise. A session without checkpoints costs one query of
// From. A checkpoint To refuses (ECONFLICT, EINVALID) is listed in
// res.Refused; other errors stop the push.
func pushCheckpoints(ctx context.Context, opt PushOptions, s reel.Session, res *PushResult) error {
	local, err := opt.From.Checkpoints(ctx, s.ID)
	if err != nil || len(local) == 0 {
		return err
	}
	remote, err := opt.To.Checkpoints(ctx, s.ID)
	if err != nil {
		return err
	}
	held := make(map[string]reel.Checkpoint, len(remote))
	for _, c := range remote {
		held[c.ID] = c
	}
	for _, c := range local {
		if h, ok := held[c.ID]; ok && sameCheckpoint(h, c) {
			continue
		}
		err := opt.To.PutCheckpoint(ctx, c)
		switch reel.ErrorCode(err) {
		case "":
			res.Checkpoints++
		case reel.ECONFLICT, reel.EINVALID:
			res.Refused = append(res.Refused, err.Error())
		default:
			return err
		}
	}
	return nil
}

// sameCheckpoint reports whether a and b are the same checkpoint, their
// times compared as instants.
func sameCheckpoint(a, b reel.Checkpoint) bool {
	return a.ID == b.ID && a.SessionID == b.SessionID && a.Label == b.Label && a.Time.Equal(b.Time) &&
		a.Seq == b.Seq && string(a.State) == string(b.State) && (a.State == nil) == (b.State == nil)
}

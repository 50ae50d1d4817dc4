package hookrecv

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/hook"
	"github.com/reel-sh/reel/internal/live"
)

// Observer hears the status a hook event implies for the supervised
// session running in a tmux pane (the tmux Supervisor's ObserveHook).
type Observer interface {
	ObserveHook(ctx context.Context, pane, status, sessionID string) error
}

// Options configure a Receiver.
type Options struct {
	// Live keeps the live sessions; required.
	Live *live.Manager
	// Observer, if set, hears each event's status.
	Observer Observer
	// CheckpointPrompts marks a checkpoint labelled prompt-N before the
	// N-th user prompt of a session, so that the events of each turn are
	// the span between two checkpoints.
	CheckpointPrompts bool
	// Logger hears what cannot be returned; nil discards.
	Logger *slog.Logger
}

// Receiver is a reel.HookSink over live sessions. It is safe for
// concurrent use.
type Receiver struct {
	opt Options
	mu  sync.Mutex
	// seen holds, per live session, the ids of the hook events in its
	// window.
	seen map[string]map[string]bool
}

var _ reel.HookSink = (*Receiver)(nil)

// New returns a Receiver.
func New(opt Options) *Receiver {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Receiver{opt: opt, seen: map[string]map[string]bool{}}
}

// openTries and openPause bound how long Hook waits for a journal that
// recovery (a reel sync elsewhere) holds for a moment.
const (
	openTries = 20
	openPause = 25 * time.Millisecond
)

// Hook records e in its session's live session. EINVALID if e lacks an
// id, client, name or session id.
func (r *Receiver) Hook(ctx context.Context, e reel.HookEvent) error {
	if err := hook.Validate(e); err != nil {
		return err
	}
	// One event at a time: events of one session must keep their order,
	// and they arrive one by one from one agent anyway.
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.open(ctx, e)
	if err != nil {
		return err
	}
	seen := r.seenOf(s)
	if seen[e.ID] {
		return nil
	}
	if hook.IsPrompt(e) && r.opt.CheckpointPrompts {
		if err := r.checkpointPrompt(s, e); err != nil {
			return err
		}
	}
	evs := hook.Events(e)
	if len(evs) > 0 {
		if _, err := s.Append(evs...); err != nil {
			return fmt.Errorf("hook %s of %s: %w", e.Name, hook.NativeID(e), err)
		}
	}
	seen[e.ID] = true
	if st := hook.Status(e); st != "" && e.Pane != "" && r.opt.Observer != nil {
		// A pane reel does not supervise is the common case: an agent run
		// in a terminal of the user's own.
		if err := r.opt.Observer.ObserveHook(ctx, e.Pane, st, s.ID()); err != nil && reel.ErrorCode(err) != reel.ENOTFOUND {
			r.opt.Logger.Warn("observe hook", "pane", e.Pane, "err", err)
		}
	}
	if hook.Canonical(e) == hook.SessionEnd {
		delete(r.seen, s.ID())
		return s.Close(reel.StatusCompleted, "")
	}
	return nil
}

// open returns the live session of e's client session, opening it (or
// reopening its journal) if this process has not.
func (r *Receiver) open(ctx context.Context, e reel.HookEvent) (*live.Session, error) {
	meta := live.Meta{
		Source:   reel.SourceHooks,
		NativeID: hook.NativeID(e),
		ParentID: reel.SessionID(e.Client, e.SessionID),
		Title:    e.Client + " session " + e.SessionID,
		Project:  e.Cwd,
	}
	for try := 1; ; try++ {
		s, err := r.opt.Live.Open(ctx, meta)
		if reel.ErrorCode(err) != reel.EBUSY || try == openTries {
			return s, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(openPause):
		}
	}
}

// seenOf returns the ids of the hook events in s's window, read from the
// window the first time, and trimmed back to it when it has grown past
// twice the window's events.
func (r *Receiver) seenOf(s *live.Session) map[string]bool {
	ids := r.seen[s.ID()]
	if ids != nil && len(ids) <= 2*max(len(s.Events(0)), 1024) {
		return ids
	}
	ids = map[string]bool{}
	for _, ev := range s.Events(0) {
		if ev.NativeID != "" {
			ids[ev.NativeID] = true
		}
	}
	r.seen[s.ID()] = ids
	return ids
}

// checkpointPrompt marks the checkpoint before a user prompt: prompt-N
// for the N-th, or unlabelled if the user already gave that label to a
// checkpoint of their own.
func (r *Receiver) checkpointPrompt(s *live.Session, e reel.HookEvent) error {
	n := 1
	for _, c := range s.Checkpoints() {
		if len(c.Label) > len("prompt-") && c.Label[:len("prompt-")] == "prompt-" {
			n++
		}
	}
	label := fmt.Sprintf("prompt-%d", n)
	_, err := s.Checkpoint(label, nil)
	if reel.ErrorCode(err) == reel.ECONFLICT {
		_, err = s.Checkpoint("", nil)
	}
	if err != nil {
		return fmt.Errorf("checkpoint prompt of %s: %w", hook.NativeID(e), err)
	}
	return nil
}

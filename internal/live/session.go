package live

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/snapshot"
)

// MaxLabel is the longest checkpoint label, in bytes, as the stores keep.
const MaxLabel = 200

// Session is one open live session. Its methods are safe for concurrent
// use; each call's lines are written in one piece, in call order.
type Session struct {
	m    *Manager
	id   string
	path string

	mu     sync.Mutex
	hdr    Header
	f      *os.File
	size   int64 // bytes in the journal, all of them whole lines
	next   int64 // the next event's seq
	events ring[reel.Event]
	cps    ring[reel.Checkpoint]
	// labels holds every label of the session, not only the window's:
	// a label is unique within the whole session.
	labels  map[string]string
	results ring[snapshot.ToolResult]
	stats   Stats
	lastCP  string
	gen     uint64 // bumped by every change, for the snapshot
	err     error  // set when the journal failed: the session is unusable
	ended   bool   // Close wrote the end line
	bad     []BadLine
	torn    *Torn

	// done is set once the journal is released (closed, failed, or the
	// manager closed); read without mu by Manager.Open.
	done atomic.Bool

	// snapMu orders snapshot writes; written is the gen last written, so
	// an older snapshot never replaces a newer one (or a removed one).
	snapMu  sync.Mutex
	written uint64
}

// Info describes a live session.
type Info struct {
	SessionID string `json:"session_id"`
	Meta
	Journal string `json:"journal"`
	Host    string `json:"host,omitempty"`
	Stats   Stats  `json:"stats"`
	// FirstSeq is the seq of the oldest event in memory (the window).
	FirstSeq int64 `json:"first_seq"`
	// Repaired is the torn last line cut off when the session was
	// reopened; Bad lists lines of the journal that could not be read.
	Repaired *Torn     `json:"repaired,omitempty"`
	Bad      []BadLine `json:"bad_lines,omitempty"`
}

// ID returns the session's id, reel.SessionID(source, native id).
func (s *Session) ID() string { return s.id }

// Path returns the session's journal.
func (s *Session) Path() string { return s.path }

// usable returns why the session cannot be written, or nil. Called with
// mu held.
func (s *Session) usable() error {
	switch {
	case s.err != nil:
		return s.err
	case s.done.Load():
		return reel.Errorf(reel.ECONFLICT, "live session %s is closed", reel.ShortID(s.id)).
			WithHint("open it again to resume it")
	}
	return nil
}

// Append writes events at the end of the session and returns the seq the
// first of them got; they get dense seqs in order. Each event is one
// line, written with one write; the journal is fsynced once per call
// after its last line (or after every line with SyncEachLine), so when
// Append returns every event it wrote is durable.
//
// The events are taken as given, with SessionID and Seq set, a zero Time
// set to now, and Input compacted: that is what the journal, the window,
// a sync and the store hold. EINVALID (nothing written) for an event
// with no kind, a time no store keeps, or an Input that is not JSON. If
// the journal fails part way, the events before the failure are written
// and counted, a partial line is cut off, and the session becomes
// unusable: every later call returns the error, and the journal is the
// truth (open the session again to go on).
func (s *Session) Append(events ...reel.Event) (int64, error) {
	now := s.m.now()
	lines := make([][]byte, len(events))
	evs := make([]reel.Event, len(events))
	for i, e := range events {
		switch {
		case e.Kind == "":
			return 0, reel.Errorf(reel.EINVALID, "append to live session: event %d has no kind", i)
		case !reel.StorableTime(e.Time):
			return 0, reel.Errorf(reel.EINVALID, "append to live session: event %d: time %s is outside the years 1678 to 2262", i, e.Time)
		}
		if len(e.Input) > 0 {
			var b bytes.Buffer
			if err := json.Compact(&b, e.Input); err != nil {
				return 0, reel.Errorf(reel.EINVALID, "append to live session: event %d: input is not JSON: %v", i, err)
			}
			e.Input = b.Bytes()
		}
		if e.Time.IsZero() {
			e.Time = now
		}
		e.SessionID, e.RawIndex = "", 0
		evs[i] = e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return 0, err
	}
	first := s.next
	for i := range evs {
		evs[i].Seq = first + int64(i)
		line, err := marshalLine(eventLine{T: TypeEvent, Event: evs[i]})
		if err != nil {
			return 0, reel.Errorf(reel.EINVALID, "append to live session: event %d: %v", i, err)
		}
		lines[i] = line
	}
	if len(evs) == 0 {
		return first, nil
	}
	for i := range evs {
		if err := s.writeLine(lines[i], s.m.opt.Sync == SyncEachLine); err != nil {
			return first, err
		}
		e := evs[i]
		e.SessionID = s.id
		s.remember(&e)
	}
	s.gen++
	if s.m.opt.Sync != SyncEachLine {
		if err := s.fsync(); err != nil {
			return first, err
		}
	}
	return first, nil
}

// remember folds one written event into the window and the counters.
// Called with mu held.
func (s *Session) remember(e *reel.Event) {
	s.next = e.Seq + 1
	s.stats.count(e)
	if s.events.push(*e) {
		s.stats.EvictedEvents = satInc(s.stats.EvictedEvents)
	}
	if e.Kind == reel.KindToolResult {
		s.results.push(snapshot.ToolResult{
			Seq: e.Seq, Time: e.Time, Tool: e.Tool, CallID: e.CallID, IsError: e.IsError,
			Preview: snapshot.Preview(e.Text, snapshot.PreviewBytes), Bytes: len(e.Text),
		})
	}
}

// rememberCheckpoint folds one written checkpoint in. Called with mu held.
func (s *Session) rememberCheckpoint(c reel.Checkpoint) {
	if c.Label != "" {
		s.labels[c.Label] = c.ID
	}
	s.lastCP = c.ID
	s.stats.Checkpoints = satInc(s.stats.Checkpoints)
	if s.cps.push(c) {
		s.stats.EvictedCheckpoints = satInc(s.stats.EvictedCheckpoints)
	}
}

// writeLine appends one line with one write, and fsyncs it if sync.
// On failure it cuts off what part of the line was written and makes
// the session unusable. Called with mu held.
func (s *Session) writeLine(line []byte, sync bool) error {
	n, err := s.f.Write(line)
	if err == nil && n < len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if n > 0 {
			s.f.Truncate(s.size)
		}
		return s.fail(fmt.Errorf("append to live journal %s: %w", s.path, err))
	}
	s.size += int64(n)
	s.stats.Bytes = satAdd(s.stats.Bytes, int64(n))
	if sync {
		return s.fsync()
	}
	return nil
}

// fsync makes every line written so far durable. Called with mu held.
func (s *Session) fsync() error {
	if err := s.f.Sync(); err != nil {
		return s.fail(fmt.Errorf("fsync live journal %s: %w", s.path, err))
	}
	return nil
}

// fail makes the session unusable after a journal error and releases it.
// Called with mu held.
func (s *Session) fail(err error) error {
	s.err = err
	s.release()
	return err
}

// release closes the journal, which drops its lock, and forgets the
// session. Called with mu held.
func (s *Session) release() {
	if s.done.Load() {
		return
	}
	s.f.Close()
	s.done.Store(true)
	s.m.forget(s)
}

// checkpointID returns a checkpoint's deterministic id: 32 hex digits of
// SHA-256 over the session id, the checkpoint's number in the session
// (from 0), the seq it marks and its label.
func checkpointID(sessionID string, n, seq int64, label string) string {
	h := sha256.New()
	for _, part := range []string{sessionID, "checkpoint", strconv.FormatInt(n, 10), strconv.FormatInt(seq, 10), label} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// CheckLabel returns EINVALID if label cannot name a checkpoint: longer
// than MaxLabel bytes, or holding a control character (a label is
// printed on one line). The empty label is allowed and never conflicts.
func CheckLabel(label string) error {
	switch {
	case len(label) > MaxLabel:
		return reel.Errorf(reel.EINVALID, "checkpoint label is %d bytes, longer than %d", len(label), MaxLabel)
	case strings.IndexFunc(label, unicode.IsControl) >= 0:
		return reel.Errorf(reel.EINVALID, "checkpoint label %q holds a control character", label)
	}
	return nil
}

// Checkpoint marks the session's next event (its seq is the count of
// events so far) with label and an optional JSON state, appends the
// checkpoint line (fsynced), and writes the session's snapshot before it
// returns. The checkpoint's id is deterministic (see checkpointID), and
// the journal keeps it, so every reader finds the same id.
//
// ECONFLICT, naming the other checkpoint, if another checkpoint of the
// session has label; EINVALID for a bad label (see CheckLabel) or a state
// that is not JSON. If only the snapshot fails, the checkpoint is
// returned with the error: it is in the journal.
func (s *Session) Checkpoint(label string, state json.RawMessage) (reel.Checkpoint, error) {
	if err := CheckLabel(label); err != nil {
		return reel.Checkpoint{}, err
	}
	if len(state) > 0 {
		var b bytes.Buffer
		if err := json.Compact(&b, state); err != nil {
			return reel.Checkpoint{}, reel.Errorf(reel.EINVALID, "checkpoint state is not JSON: %v", err)
		}
		state = b.Bytes()
	}
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return reel.Checkpoint{}, err
	}
	if other, ok := s.labels[label]; ok && label != "" {
		s.mu.Unlock()
		return reel.Checkpoint{}, reel.Errorf(reel.ECONFLICT, "checkpoint label %q already names checkpoint %s of session %s",
			label, other, reel.ShortID(s.id)).WithHint("choose another label")
	}
	c := reel.Checkpoint{
		ID: checkpointID(s.id, s.stats.Checkpoints, s.next, label), SessionID: s.id, Label: label,
		Time: s.m.now(), Seq: s.next, State: state,
	}
	line, err := marshalLine(checkpointLine{T: TypeCheckpoint, Checkpoint: c})
	if err == nil {
		err = s.writeLine(line, true)
	}
	if err != nil {
		s.mu.Unlock()
		return reel.Checkpoint{}, err
	}
	s.rememberCheckpoint(c)
	s.gen++
	s.mu.Unlock()
	if err := s.snapshot(true); err != nil {
		return c, fmt.Errorf("checkpoint %s is in the journal, but: %w", c.ID, err)
	}
	return c, nil
}

// Update changes the session's title, model, client version or cost with
// a meta line (fsynced). An update with nothing set writes nothing.
func (s *Session) Update(u Update) error {
	if u.Title == "" && u.Model == "" && u.Version == "" && u.CostUSD <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	u.T, u.Time = TypeMeta, s.m.now()
	line, err := marshalLine(u)
	if err != nil {
		return err
	}
	if err := s.writeLine(line, true); err != nil {
		return err
	}
	s.hdr.Title = orString(u.Title, s.hdr.Title)
	s.hdr.Model = orString(u.Model, s.hdr.Model)
	s.hdr.Version = orString(u.Version, s.hdr.Version)
	if u.CostUSD > 0 {
		s.stats.CostUSD = u.CostUSD
	}
	s.gen++
	return nil
}

// Close ends the session with status (reel.StatusCompleted when empty, or
// reel.StatusInterrupted) and reason: it appends the end line (fsynced),
// marks the snapshot completed and removes it, and releases the journal.
// Closing a closed session does nothing; EINVALID for another status.
func (s *Session) Close(status, reason string) error {
	if status == "" {
		status = reel.StatusCompleted
	}
	if status != reel.StatusCompleted && status != reel.StatusInterrupted {
		return reel.Errorf(reel.EINVALID, "close live session: status %q is not %s or %s", status, reel.StatusCompleted, reel.StatusInterrupted)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return nil
	}
	if err := s.usable(); err != nil {
		return err
	}
	line, err := marshalLine(End{T: TypeEnd, Time: s.m.now(), Status: status, Events: s.next, Reason: reason})
	if err != nil {
		return err
	}
	if err := s.writeLine(line, true); err != nil {
		return err
	}
	s.gen++
	s.ended = true
	snap := s.build()
	snap.Completed = true
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	s.written = s.gen
	// The snapshot goes before the journal's lock: once the lock is
	// dropped, another Open may write the session's next snapshot.
	defer s.release()
	if err := snapshot.Write(s.m.opt.Snapshots, snap); err != nil {
		return fmt.Errorf("session %s ended, but: %w", reel.ShortID(s.id), err)
	}
	return snapshot.Remove(s.m.opt.Snapshots, s.id)
}

// build returns the session's snapshot as of now. Called with mu held.
func (s *Session) build() *snapshot.Snapshot {
	return &snapshot.Snapshot{
		SessionID: s.id, Source: s.hdr.Source, NativeID: s.hdr.NativeID, Title: s.hdr.Title, Project: s.hdr.Project,
		Journal: s.path, Events: s.next, Checkpoints: s.stats.Checkpoints, LastCheckpoint: s.lastCP,
		Results: s.results.items(), Tokens: s.stats.Tokens, CostUSD: s.stats.CostUSD,
		StartedAt: s.hdr.StartedAt, Time: s.m.now(), Owner: s.m.owner,
	}
}

// snapshot writes the session's snapshot if it changed since the last
// one written, or always if force.
func (s *Session) snapshot(force bool) error {
	s.mu.Lock()
	if s.done.Load() {
		s.mu.Unlock()
		return nil
	}
	snap, gen := s.build(), s.gen
	s.mu.Unlock()
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	if gen < s.written || gen == s.written && !force {
		return nil
	}
	if err := snapshot.Write(s.m.opt.Snapshots, snap); err != nil {
		return fmt.Errorf("snapshot live session %s: %w", reel.ShortID(s.id), err)
	}
	s.written = gen
	return nil
}

// Events returns the events in memory with Seq >= since, oldest first.
// Older events were evicted from the window: they are in the journal.
func (s *Session) Events(since int64) []reel.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.events.items()
	i := 0
	for i < len(all) && all[i].Seq < since {
		i++
	}
	return all[i:]
}

// Checkpoints returns the checkpoints in memory, oldest first.
func (s *Session) Checkpoints() []reel.Checkpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cps.items()
}

// Info describes the session as of now.
func (s *Session) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{SessionID: s.id, Meta: s.hdr.Meta, Journal: s.path, Host: s.hdr.Host, Stats: s.stats,
		FirstSeq: s.next, Repaired: s.torn, Bad: s.bad}
	if s.events.n > 0 {
		in.FirstSeq = s.events.buf[s.events.start].Seq
	}
	return in
}

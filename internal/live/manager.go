package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/proc"
	"github.com/reel-sh/reel/internal/snapshot"
)

// SyncPolicy says when a journal is fsynced.
type SyncPolicy int

const (
	// SyncEachAppend fsyncs once per Append call, after its last line:
	// a call of many events costs one fsync. The default.
	SyncEachAppend SyncPolicy = iota
	// SyncEachLine fsyncs after every line.
	SyncEachLine
)

// Options configure a Manager.
type Options struct {
	// Journals is the folder of journals (config Paths.Live()); each
	// source has a folder in it, and each session a file
	// <source>/<session id>.ndjson.
	Journals string
	// Snapshots is the folder of crash snapshots (Paths.Snapshots()).
	Snapshots string
	// Live bounds the window and paces the snapshots; zero fields take
	// the config defaults.
	Live config.LiveConfig
	Sync SyncPolicy
	// Host names this machine in headers; the host name if empty.
	Host string
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// OnError, if set, hears the errors Run meets; Run goes on.
	OnError func(error)
}

// Manager holds the live sessions a process writes. It is safe for
// concurrent use. One process writes a session at a time: an open session
// holds a kernel lock (flock) on its journal, dropped when the process
// dies.
type Manager struct {
	opt   Options
	owner proc.Owner

	mu       sync.Mutex
	sessions map[string]*Session
	closed   bool
}

// NewManager returns a manager over the folders in opt. EINVALID if a
// folder is not given.
func NewManager(opt Options) (*Manager, error) {
	if opt.Journals == "" || opt.Snapshots == "" {
		return nil, reel.Errorf(reel.EINVALID, "live sessions: the journal and snapshot folders must be given")
	}
	def := config.LiveConfig{WindowEvents: 50_000, WindowCheckpoints: 1_000, SnapshotResults: 10,
		SnapshotInterval: config.Duration{Duration: 10 * time.Second}, SnapshotMaxAge: config.Duration{Duration: 7 * 24 * time.Hour}}
	l := &opt.Live
	if l.WindowEvents <= 0 {
		l.WindowEvents = def.WindowEvents
	}
	if l.WindowCheckpoints <= 0 {
		l.WindowCheckpoints = def.WindowCheckpoints
	}
	if l.SnapshotResults <= 0 {
		l.SnapshotResults = def.SnapshotResults
	}
	if l.SnapshotInterval.Duration <= 0 {
		l.SnapshotInterval = def.SnapshotInterval
	}
	if l.SnapshotMaxAge.Duration <= 0 {
		l.SnapshotMaxAge = def.SnapshotMaxAge
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	owner := proc.OwnerOf(os.Getpid())
	if opt.Host == "" {
		opt.Host = owner.Host
	}
	return &Manager{opt: opt, owner: owner, sessions: map[string]*Session{}}, nil
}

func (m *Manager) now() time.Time { return m.opt.Now().UTC() }

// sourceName is what a source may be called: it names a folder.
var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// JournalPath returns where the journal of session id from source lives
// under the journals folder dir.
func JournalPath(dir, source, id string) string { return filepath.Join(dir, source, id+Ext) }

// Open returns the live session (meta.Source, meta.NativeID), creating it
// if it has no journal yet. A session this manager has open is returned
// as it is. A journal left by an earlier process is resumed: its torn
// last line is cut off, its events and checkpoints are read back into the
// window, a resume line names this process, and seqs go on where it
// stopped (a session that had ended is active again); fields of meta that
// differ from the journal's are written as a meta line.
//
// A new session's snapshot is written before its journal, so that every
// journal has a snapshot until it ends. EINVALID for a bad source or an
// empty native id; EBUSY if another process has the session open;
// ECORRUPT if the journal is not one of this session.
func (m *Manager) Open(ctx context.Context, meta Meta) (*Session, error) {
	if !sourceName.MatchString(meta.Source) {
		return nil, reel.Errorf(reel.EINVALID, "open live session: source %q is not a lowercase name", meta.Source)
	}
	if meta.NativeID == "" {
		return nil, reel.Errorf(reel.EINVALID, "open live session: no native id")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := reel.SessionID(meta.Source, meta.NativeID)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, reel.Errorf(reel.ECONFLICT, "open live session: the manager is closed")
	}
	if s, ok := m.sessions[id]; ok && !s.done.Load() {
		return s, nil
	}
	dir := filepath.Join(m.opt.Journals, meta.Source)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create live journal folder: %w", err)
	}
	s := &Session{
		m: m, id: id, path: JournalPath(m.opt.Journals, meta.Source, id),
		events: newRing[reel.Event](m.opt.Live.WindowEvents), cps: newRing[reel.Checkpoint](m.opt.Live.WindowCheckpoints),
		results: newRing[snapshot.ToolResult](m.opt.Live.SnapshotResults), labels: map[string]string{},
	}
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open live journal: %w", err)
	}
	if err := lockJournal(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, reel.Errorf(reel.EBUSY, "live session %s is open in another process", reel.ShortID(id)).
				WithHint("only one reel daemon writes live sessions")
		}
		return nil, fmt.Errorf("lock live journal: %w", err)
	}
	s.f = f
	fi, err := f.Stat()
	if err == nil {
		if fi.Size() == 0 {
			err = s.create(meta, m.opt.Host, dir)
		} else {
			err = s.resume(meta, dir)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	m.sessions[id] = s
	return s, nil
}

// lockJournal takes the journal's kernel lock without waiting.
func lockJournal(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// create writes a new session's snapshot, then its header.
func (s *Session) create(meta Meta, host, dir string) error {
	if meta.StartedAt.IsZero() {
		meta.StartedAt = s.m.now()
	}
	if !reel.StorableTime(meta.StartedAt) {
		return reel.Errorf(reel.EINVALID, "open live session: start time %s is outside the years 1678 to 2262", meta.StartedAt)
	}
	s.hdr = Header{T: TypeStart, V: Version, SessionID: s.id, Meta: meta, Host: host, Owner: s.m.owner}
	if err := snapshot.Write(s.m.opt.Snapshots, s.build()); err != nil {
		return err
	}
	line, err := marshalLine(s.hdr)
	if err != nil {
		return err
	}
	if err := s.writeRaw(line); err != nil {
		return err
	}
	return atomicfile.SyncDir(dir)
}

// writeRaw appends and fsyncs one line while the session is being opened.
func (s *Session) writeRaw(line []byte) error {
	n, err := s.f.Write(line)
	if err == nil {
		err = s.f.Sync()
	}
	if err != nil {
		s.f.Truncate(s.size)
		return fmt.Errorf("write live journal %s: %w", s.path, err)
	}
	s.size += int64(n)
	s.stats.Bytes = satAdd(s.stats.Bytes, int64(n))
	return nil
}

// resume reads an existing journal back, repairs it, and appends a
// resume line (and a meta line for what meta changes).
func (s *Session) resume(meta Meta, dir string) error {
	j, err := Read(s.path, func(_ int64, l Line) error {
		switch {
		case l.Event != nil:
			e := *l.Event
			e.SessionID = s.id
			s.remember(&e)
		case l.Checkpoint != nil:
			c := *l.Checkpoint
			c.SessionID = s.id
			s.rememberCheckpoint(c)
		}
		return nil
	})
	if reel.ErrorCode(err) == reel.ECORRUPT && j != nil && j.Good == 0 {
		// Not even the header got written whole: the session never began.
		if err := cut(s.f, 0); err != nil {
			return err
		}
		return s.create(meta, s.m.opt.Host, dir)
	}
	if err != nil {
		return err
	}
	h := j.Header
	if h.SessionID != s.id || h.Source != meta.Source || h.NativeID != meta.NativeID {
		return reel.Errorf(reel.ECORRUPT, "live journal %s belongs to session %s (%s %s), not %s", s.path,
			reel.ShortID(h.SessionID), h.Source, h.NativeID, reel.ShortID(s.id))
	}
	if j.Torn != nil {
		if err := cut(s.f, j.Torn.Offset); err != nil {
			return err
		}
		s.torn = j.Torn
	}
	s.hdr, s.bad, s.size, s.next = h, j.Bad, j.Good, j.Events
	s.stats.Events, s.stats.Bytes, s.stats.CostUSD = j.Events, j.Good, j.CostUSD
	line, err := marshalLine(Resume{T: TypeResume, Time: s.m.now(), Owner: s.m.owner})
	if err != nil {
		return err
	}
	if err := s.writeRaw(line); err != nil {
		return err
	}
	u := Update{T: TypeMeta, Time: s.m.now()}
	if meta.Title != "" && meta.Title != h.Title {
		u.Title = meta.Title
	}
	if meta.Model != "" && meta.Model != h.Model {
		u.Model = meta.Model
	}
	if meta.Version != "" && meta.Version != h.Version {
		u.Version = meta.Version
	}
	if u.Title != "" || u.Model != "" || u.Version != "" {
		if line, err = marshalLine(u); err == nil {
			err = s.writeRaw(line)
		}
		if err != nil {
			return err
		}
		s.hdr.Title, s.hdr.Model, s.hdr.Version = orString(u.Title, h.Title), orString(u.Model, h.Model), orString(u.Version, h.Version)
	}
	s.gen++
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	if err := snapshot.Write(s.m.opt.Snapshots, s.build()); err != nil {
		return err
	}
	s.written = s.gen
	return nil
}

// forget drops s from the open sessions. Called with s.mu held.
func (m *Manager) forget(s *Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sessions[s.id] == s {
		delete(m.sessions, s.id)
	}
}

// open returns the open sessions.
func (m *Manager) open() []*Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Session, 0, len(m.sessions))
	for _, s := range m.sessions {
		out = append(out, s)
	}
	return out
}

// Session returns the open session with id, if there is one.
func (m *Manager) Session(id string) (*Session, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	return s, ok && !s.done.Load()
}

// Sessions describes the open sessions, in no order.
func (m *Manager) Sessions() []Info {
	var out []Info
	for _, s := range m.open() {
		out = append(out, s.Info())
	}
	return out
}

// SnapshotAll writes the snapshot of every open session that changed
// since its last one. It returns every failure, joined; a failed
// snapshot does not stop the others.
func (m *Manager) SnapshotAll() error {
	var errs []error
	for _, s := range m.open() {
		errs = append(errs, s.snapshot(false))
	}
	return errors.Join(errs...)
}

// Run writes the snapshots every Live.SnapshotInterval until ctx ends,
// then returns nil. Failures go to OnError and Run goes on: the journals
// hold everything, a snapshot only points recovery at them.
func (m *Manager) Run(ctx context.Context) error {
	t := time.NewTicker(m.opt.Live.SnapshotInterval.Duration)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := m.SnapshotAll(); err != nil && m.opt.OnError != nil {
				m.opt.OnError(err)
			}
		}
	}
}

// Close writes a last snapshot of every open session and releases them
// without ending them: their agents may still run, and a later Open (a
// new daemon) resumes them; until then, recovery treats them as
// interrupted. Open fails after Close.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	var errs []error
	for _, s := range m.open() {
		errs = append(errs, s.snapshot(true))
		s.mu.Lock()
		s.release()
		s.mu.Unlock()
	}
	return errors.Join(errs...)
}

package journal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/lockfile"
)

// StartOptions describe a recording to start.
type StartOptions struct {
	// Name is the recording's name; "" gives DefaultName. A name already
	// taken gets -2, -3….
	Name  string
	Kind  string
	Shell string
	TTY   string
	Cwd   string
	Env   map[string]string
	Owner Owner
	// Replay, for a replay journal, names what is replayed.
	Replay *ReplayOf
	// Lock is a pending lock file in the locks folder (see PendingLock),
	// open. Start locks it, and the lock lasts as long as its open file
	// description: a shell that opened it and keeps the descriptor owns
	// the recording after rec start exits.
	Lock *os.File
	Now  time.Time
}

// Started is a recording that Start created, with the dead recordings it
// recovered first.
type Started struct {
	Recording *Recording
	LockPath  string
	Recovered []Recovered
}

// PendingLock creates a new lock file in the locks folder, for a start
// whose owner is reel itself (a replay, fish's keeper).
func (d Dir) PendingLock() (*os.File, error) {
	if err := os.MkdirAll(d.Locks, 0o700); err != nil {
		return nil, fmt.Errorf("create locks folder: %w", err)
	}
	f, err := os.CreateTemp(d.Locks, pendingPrefix+"*.lock")
	if err != nil {
		return nil, fmt.Errorf("create lock file: %w", err)
	}
	return f, nil
}

// Start begins a recording. Under the guard, it recovers every dead
// recording (newest first), refuses (EBUSY, naming it) when a shell recording is already
// active, locks opts.Lock, writes the journal's header and the
// recording's snapshot (see Snapshot) and names the lock after the
// recording. A replay does not count against the one active shell
// recording.
func (d Dir) Start(ctx context.Context, opts StartOptions) (_ *Started, err error) {
	if opts.Lock == nil {
		return nil, reel.Errorf(reel.EINVALID, "start a recording: no lock file")
	}
	if opts.Name != "" {
		if err := ValidName(opts.Name); err != nil {
			return nil, err
		}
	}
	if opts.Kind == "" {
		opts.Kind = KindShell
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if err := d.checkPending(opts.Lock); err != nil {
		return nil, err
	}
	g, err := d.guard(ctx, "reel rec start")
	if err != nil {
		return nil, err
	}
	defer g.Release()

	list, _, err := d.List()
	if err != nil {
		return nil, err
	}
	st := &Started{}
	for _, e := range d.byNewest(list) {
		if !e.Dead() {
			continue
		}
		rc, err := d.recoverLocked(e, opts.Now)
		if err != nil {
			return nil, err
		}
		st.Recovered = append(st.Recovered, rc)
	}
	if len(st.Recovered) > 0 {
		if list, _, err = d.List(); err != nil {
			return nil, err
		}
		if _, err := d.sweepSnapshots(list, opts.Now); err != nil {
			return nil, err
		}
	}
	if opts.Kind == KindShell {
		if e, ok := activeShell(list); ok {
			h, _ := readHolder(d.LockPath(e.Header.ID))
			if h.Recording == "" {
				h = holderOf(e.Recording, d.JournalPath(e.Header.ID))
			}
			if e.Header.Owner.PID == opts.Owner.PID {
				return nil, reel.Errorf(reel.EBUSY, "this shell is already recording %q (%s)", e.Name, reel.ShortID(e.Header.ID)).
					WithHint("stop it first: reel rec stop")
			}
			return nil, reel.Errorf(reel.EBUSY, "a recording is already active: %s", h).
				WithHint("stop it there (reel rec stop), or here: reel rec stop " + e.Name)
		}
	}

	got, err := tryLock(opts.Lock)
	if err != nil {
		return nil, err
	}
	if !got {
		return nil, reel.Errorf(reel.EBUSY, "lock file %s is held by another process", opts.Lock.Name())
	}
	defer func() {
		if err != nil {
			unlock(opts.Lock)
			os.Remove(opts.Lock.Name())
		}
	}()

	name := opts.Name
	if name == "" {
		name = DefaultName(opts.Now)
	}
	name = uniqueName(name, takenNames(list))
	h := Header{
		ID: NewID(), Name: name, Kind: opts.Kind, Shell: opts.Shell, OS: runtime.GOOS,
		Host: opts.Owner.Host, TTY: opts.TTY, Cwd: opts.Cwd, Env: opts.Env,
		StartedAt: opts.Now.UTC(), Owner: opts.Owner, Replay: opts.Replay,
	}
	if h.Host == "" {
		h.Host, _ = os.Hostname()
		h.Owner.Host = h.Host
	}
	path, err := Create(d.Journals, h)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	r, err := Read(path)
	if err != nil {
		return nil, err
	}
	if err := writeHolder(opts.Lock.Name(), holderOf(r, path)); err != nil {
		return nil, err
	}
	// The snapshot comes before the lock is named: until then a crash
	// leaves a journal no lock holds, which recovery takes as dead.
	if err := d.writeSnapshot(r, opts.Now); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			d.removeSnapshot(h.ID)
		}
	}()
	lockPath := d.LockPath(h.ID)
	if err := os.Rename(opts.Lock.Name(), lockPath); err != nil {
		return nil, fmt.Errorf("name lock file: %w", err)
	}
	if err := atomicfile.SyncDir(d.Locks); err != nil {
		os.Rename(lockPath, opts.Lock.Name())
		return nil, err
	}
	st.Recording, st.LockPath = r, lockPath
	return st, nil
}

// checkPending makes sure f is a pending lock file in the locks folder: a
// hook loaded under another REEL_HOME would otherwise lock the wrong file.
func (d Dir) checkPending(f *os.File) error {
	name := f.Name()
	base := filepath.Base(name)
	if filepath.Clean(filepath.Dir(name)) != filepath.Clean(d.Locks) || len(base) <= len(pendingPrefix) || base[:len(pendingPrefix)] != pendingPrefix {
		return reel.Errorf(reel.EINVALID, "lock file %s is not a pending lock in %s", name, d.Locks).
			WithHint("the shell hook was loaded with other reel folders; load it again: eval \"$(reel init SHELL)\"")
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("check lock file: %w", err)
	}
	pi, err := os.Stat(name)
	if err != nil || !os.SameFile(fi, pi) || !fi.Mode().IsRegular() {
		return reel.Errorf(reel.EINVALID, "the lock descriptor is not open on %s", name)
	}
	return nil
}

// holderOf is the lock holder record of recording r.
func holderOf(r *Recording, journal string) Holder {
	h := r.Header
	return Holder{
		Holder: lockfile.Holder{PID: h.Owner.PID, Host: h.Owner.Host, StartedAt: h.StartedAt,
			What: "reel " + h.Kind + " recording"},
		Recording: h.ID, SessionID: SessionID(h.ID), Name: r.Name,
		Kind: h.Kind, Shell: h.Shell, TTY: h.TTY, Journal: journal, Owner: h.Owner,
	}
}

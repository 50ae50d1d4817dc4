package journal

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// Dir is where recordings live: their journals, and their locks.
type Dir struct {
	Journals string
	Locks    string
	// Snapshots is the folder of the recordings' crash snapshots (see
	// internal/snapshot); "" keeps none. It must not be the live
	// sessions' snapshot folder: recovery of either reads every snapshot
	// in its folder as its own.
	Snapshots string
	// SnapshotResults is how many of the last commands a snapshot keeps
	// (0: DefaultSnapshotResults); SnapshotMaxAge removes snapshots older
	// than it at recovery (0 keeps them).
	SnapshotResults int
	SnapshotMaxAge  time.Duration
}

// JournalPath returns the journal of recording id.
func (d Dir) JournalPath(id string) string { return filepath.Join(d.Journals, id+Ext) }

// LockPath returns the lock file of recording id.
func (d Dir) LockPath(id string) string { return filepath.Join(d.Locks, id+".lock") }

// CmdPath returns the scratch file the bash hook of recording id reads its
// command line through.
func (d Dir) CmdPath(id string) string { return filepath.Join(d.Locks, id+".cmd") }

// GuardPath returns the lock that serialises start, stop and recover.
func (d Dir) GuardPath() string { return filepath.Join(d.Locks, "guard.lock") }

// pendingPrefix starts the name of a lock file that a start has not yet
// given to a recording.
const pendingPrefix = "pending-"

// Entry is a recording with what its lock says about it.
type Entry struct {
	*Recording
	// Held says the recording's lock file exists and is locked.
	Held bool
	// Alive says the recording's owner still runs.
	Alive bool
	// Local says the recording was made on this host; one from another
	// host is never recovered here.
	Local bool
}

// Active reports whether the recording is live: not ended, its lock held
// and its owner alive.
func (e Entry) Active() bool { return !e.Ended() && e.Held && e.Alive }

// Dead reports whether the recording needs recovery: not ended, made on
// this host, and not active.
func (e Entry) Dead() bool { return !e.Ended() && e.Local && !e.Active() }

// Status returns the recording's status: its footer's, else active or
// interrupted.
func (e Entry) Status() string {
	switch {
	case e.Footer != nil && e.Footer.Status != "":
		return e.Footer.Status
	case e.Footer != nil:
		return StatusCompleted
	case e.Active() || !e.Local:
		return StatusActive
	}
	return StatusInterrupted
}

// Problem is a journal that could not be read.
type Problem struct {
	Path string
	Err  error
}

// List reads every recording, oldest first, with the state of its lock.
// Journals that cannot be read are returned as problems, not errors.
func (d Dir) List() ([]Entry, []Problem, error) {
	names, err := os.ReadDir(d.Journals)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	var out []Entry
	var probs []Problem
	for _, de := range names {
		if de.IsDir() || !strings.HasSuffix(de.Name(), Ext) {
			continue
		}
		path := filepath.Join(d.Journals, de.Name())
		r, err := Read(path)
		if err != nil {
			probs = append(probs, Problem{Path: path, Err: err})
			continue
		}
		e := Entry{Recording: r, Local: r.Header.Owner.Host == "" || r.Header.Owner.Host == host}
		if !r.Ended() {
			if e.Held, err = Held(d.LockPath(r.Header.ID)); err != nil {
				probs = append(probs, Problem{Path: path, Err: err})
			}
			e.Alive = r.Header.Owner.Alive()
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Header, out[j].Header
		if !a.StartedAt.Equal(b.StartedAt) {
			return a.StartedAt.Before(b.StartedAt)
		}
		return a.ID < b.ID
	})
	return out, probs, nil
}

// Find returns the recording whose name is ref, else whose id starts
// with ref. ENOTFOUND if none does, EAMBIGUOUS if several ids do.
func (d Dir) Find(ref string) (Entry, error) {
	list, _, err := d.List()
	if err != nil {
		return Entry{}, err
	}
	return find(list, ref)
}

func find(list []Entry, ref string) (Entry, error) {
	if ref == "" {
		return Entry{}, reel.Errorf(reel.EINVALID, "no recording named")
	}
	for _, e := range list {
		if e.Name == ref || e.Header.ID == ref {
			return e, nil
		}
	}
	var hits []Entry
	for _, e := range list {
		if strings.HasPrefix(e.Header.ID, ref) {
			hits = append(hits, e)
		}
	}
	switch len(hits) {
	case 0:
		return Entry{}, reel.Errorf(reel.ENOTFOUND, "no recording named %q", ref).
			WithHint("list them with 'reel rec list'")
	case 1:
		return hits[0], nil
	}
	return Entry{}, reel.Errorf(reel.EAMBIGUOUS, "%q is the start of %d recording ids", ref, len(hits)).
		WithHint("give more of the id, or the name")
}

// takenNames returns every recording's current name.
func takenNames(list []Entry) map[string]bool {
	taken := map[string]bool{}
	for _, e := range list {
		taken[e.Name] = true
	}
	return taken
}

// activeShell returns the live shell recording, if there is one.
func activeShell(list []Entry) (Entry, bool) {
	for _, e := range list {
		if e.Active() && e.Header.Kind == KindShell {
			return e, true
		}
	}
	return Entry{}, false
}

// removeRecordingFiles removes a recording's lock and scratch files.
func (d Dir) removeRecordingFiles(id string) {
	os.Remove(d.LockPath(id))
	os.Remove(d.CmdPath(id))
}

package journal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
)

// Recovered says what recovery did with one dead recording.
type Recovered struct {
	ID      string `json:"id"`
	Path    string `json:"path"`
	OldName string `json:"old_name"`
	// Name is the recovered recording's new name; "" when discarded.
	Name     string `json:"name,omitempty"`
	Commands int    `json:"commands"`
	// Discarded is true for a recording with no command: it is removed.
	Discarded bool   `json:"discarded"`
	Reason    string `json:"reason"`
	Torn      *Torn  `json:"torn,omitempty"`
}

// Stop ends the recording ref names, or the active shell recording when ref
// is "": it writes the footer and removes the lock file, which tells the
// owner's hook to stop writing. A recording whose owner is dead is
// recovered instead, and its Recovered is returned.
func (d Dir) Stop(ctx context.Context, ref string, now time.Time) (*Recording, *Recovered, error) {
	g, err := d.guard(ctx, "reel rec stop")
	if err != nil {
		return nil, nil, err
	}
	defer g.Release()
	list, _, err := d.List()
	if err != nil {
		return nil, nil, err
	}
	var e Entry
	if ref == "" {
		var ok bool
		if e, ok = activeShell(list); !ok {
			return nil, nil, reel.Errorf(reel.ENOTFOUND, "no recording is active").
				WithHint("start one with 'reel rec start', or list them with 'reel rec list'")
		}
	} else if e, err = find(list, ref); err != nil {
		return nil, nil, err
	}
	if e.Ended() {
		return nil, nil, reel.Errorf(reel.ECONFLICT, "recording %q has already ended (%s)", e.Name, e.Status())
	}
	if !e.Active() {
		if !e.Local {
			return nil, nil, reel.Errorf(reel.EUNSUPPORT, "recording %q belongs to host %s", e.Name, e.Header.Owner.Host).
				WithHint("stop it on that host")
		}
		rc, err := d.recoverLocked(e, now)
		if err != nil {
			return nil, nil, err
		}
		r, _ := Read(e.Path)
		return r, &rc, nil
	}
	torn, err := Repair(e.Path)
	if err != nil {
		return nil, nil, err
	}
	f := Footer{T: TypeEnd, EndedAt: now.UTC(), Commands: len(e.Commands), Status: StatusCompleted, Name: e.Name, Torn: torn}
	if err := Append(e.Path, f); err != nil {
		return nil, nil, err
	}
	d.removeRecordingFiles(e.Header.ID)
	if err := atomicfile.SyncDir(d.Locks); err != nil {
		return nil, nil, err
	}
	r, err := Read(e.Path)
	if err != nil {
		return nil, nil, err
	}
	return r, nil, d.completeSnapshot(r, now)
}

// Recover recovers every dead recording made on this host, newest first
// (see byNewest), and removes its snapshot: one with
// commands is repaired, renamed recovered-YYYY-MM-DD-HHMMSS and given a
// recovered footer; an empty one is discarded. It also removes lock files
// and snapshots that no recording needs, and snapshots older than
// d.SnapshotMaxAge. With dryRun it only reports what it would do.
func (d Dir) Recover(ctx context.Context, now time.Time, dryRun bool) ([]Recovered, error) {
	g, err := d.guard(ctx, "reel recover")
	if err != nil {
		return nil, err
	}
	defer g.Release()
	list, _, err := d.List()
	if err != nil {
		return nil, err
	}
	var out []Recovered
	taken := takenNames(list)
	for _, e := range d.byNewest(list) {
		if !e.Dead() {
			continue
		}
		if dryRun {
			rc := Recovered{ID: e.Header.ID, Path: e.Path, OldName: e.Name, Commands: len(e.Commands),
				Discarded: len(e.Commands) == 0, Reason: deathReason(e)}
			if !rc.Discarded {
				rc.Name = uniqueName(RecoveredName(e.Header.StartedAt), taken)
				taken[rc.Name] = true
			}
			if e.TornAt >= 0 {
				rc.Torn = &Torn{Offset: e.TornAt, Bytes: len(e.Torn), Text: string(e.Torn)}
			}
			out = append(out, rc)
			continue
		}
		rc, err := d.recoverLocked(e, now)
		if err != nil {
			return out, err
		}
		out = append(out, rc)
	}
	if !dryRun {
		if list, _, err = d.List(); err != nil {
			return out, err
		}
		d.sweepLocks(list)
		if _, err := d.sweepSnapshots(list, now); err != nil {
			return out, err
		}
	}
	return out, nil
}

// recoverLocked recovers one dead recording; the caller holds the guard.
func (d Dir) recoverLocked(e Entry, now time.Time) (Recovered, error) {
	rc := Recovered{ID: e.Header.ID, Path: e.Path, OldName: e.Name, Reason: deathReason(e)}
	torn, err := Repair(e.Path)
	if err != nil {
		return rc, err
	}
	rc.Torn = torn
	r, err := Read(e.Path)
	if err != nil {
		return rc, err
	}
	rc.Commands = len(r.Commands)
	if rc.Commands == 0 {
		rc.Discarded = true
		if err := os.Remove(e.Path); err != nil {
			return rc, fmt.Errorf("discard empty recording: %w", err)
		}
		d.removeRecordingFiles(e.Header.ID)
		if err := atomicfile.SyncDir(d.Journals); err != nil {
			return rc, err
		}
		return rc, d.removeSnapshot(e.Header.ID)
	}
	list, _, err := d.List()
	if err != nil {
		return rc, err
	}
	taken := takenNames(list)
	delete(taken, e.Name)
	rc.Name = uniqueName(RecoveredName(e.Header.StartedAt), taken)
	end := r.LastTime()
	if end.IsZero() {
		end = now
	}
	f := Footer{T: TypeEnd, EndedAt: end.UTC(), Commands: rc.Commands, Status: StatusRecovered, Name: rc.Name,
		Recovered: true, Reason: rc.Reason, Torn: torn}
	if err := Append(e.Path, f); err != nil {
		return rc, err
	}
	d.removeRecordingFiles(e.Header.ID)
	return rc, d.removeSnapshot(e.Header.ID)
}

// deathReason says why a recording counts as dead.
func deathReason(e Entry) string {
	o := e.Header.Owner
	who := fmt.Sprintf("%s pid %d", orWord(e.Header.Shell, "owner"), o.PID)
	if e.Header.Kind == KindReplay {
		who = fmt.Sprintf("reel replay pid %d", o.PID)
	}
	switch {
	case !e.Alive:
		return who + " is gone"
	case !e.Held:
		return who + " no longer holds the recording's lock"
	}
	return "unknown"
}

// sweepLocks removes lock and scratch files that no live recording owns:
// pending locks that a start left behind, and files of recordings that
// ended or vanished. A held pending lock belongs to a start in progress
// elsewhere and is left alone.
func (d Dir) sweepLocks(list []Entry) {
	live := map[string]bool{}
	for _, e := range list {
		if !e.Ended() {
			live[e.Header.ID] = true
		}
	}
	names, err := os.ReadDir(d.Locks)
	if err != nil {
		return
	}
	for _, de := range names {
		n := de.Name()
		path := filepath.Join(d.Locks, n)
		switch {
		case n == filepath.Base(d.GuardPath()):
		case strings.HasPrefix(n, pendingPrefix):
			if held, err := Held(path); err == nil && !held {
				os.Remove(path)
			}
		case strings.HasSuffix(n, ".lock") || strings.HasSuffix(n, ".cmd"):
			id := strings.TrimSuffix(strings.TrimSuffix(n, ".lock"), ".cmd")
			if !live[id] {
				os.Remove(path)
			}
		}
	}
}

// Rename gives the recording ref names a new name.
func (d Dir) Rename(ctx context.Context, ref, name string, now time.Time) (*Recording, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	return d.update(ctx, ref, now, func(e Entry, taken map[string]bool) (Meta, error) {
		if e.Name != name && taken[name] {
			return Meta{}, reel.Errorf(reel.ECONFLICT, "a recording is already named %q", name)
		}
		return Meta{Name: name, Tags: e.Tags}, nil
	})
}

// Tag adds and removes tags of the recording ref names. Tags follow the
// rules of names.
func (d Dir) Tag(ctx context.Context, ref string, add, remove []string, now time.Time) (*Recording, error) {
	for _, t := range append(append([]string{}, add...), remove...) {
		if err := ValidName(t); err != nil {
			return nil, reel.Errorf(reel.EINVALID, "invalid tag %q", t).WithHint("use letters, digits, '_' and '-'")
		}
	}
	return d.update(ctx, ref, now, func(e Entry, _ map[string]bool) (Meta, error) {
		drop := map[string]bool{}
		for _, t := range remove {
			drop[t] = true
		}
		tags := []string{}
		seen := map[string]bool{}
		for _, t := range append(append([]string{}, e.Tags...), add...) {
			if !drop[t] && !seen[t] {
				seen[t] = true
				tags = append(tags, t)
			}
		}
		return Meta{Name: e.Name, Tags: tags}, nil
	})
}

func (d Dir) update(ctx context.Context, ref string, now time.Time, fn func(Entry, map[string]bool) (Meta, error)) (*Recording, error) {
	g, err := d.guard(ctx, "reel rec")
	if err != nil {
		return nil, err
	}
	defer g.Release()
	list, _, err := d.List()
	if err != nil {
		return nil, err
	}
	e, err := find(list, ref)
	if err != nil {
		return nil, err
	}
	m, err := fn(e, takenNames(list))
	if err != nil {
		return nil, err
	}
	m.T, m.At = TypeMeta, now.UTC()
	if m.Tags == nil {
		m.Tags = []string{}
	}
	if e.Ended() || !e.Active() {
		// Nobody appends any more: a torn tail would swallow the line.
		if _, err := Repair(e.Path); err != nil {
			return nil, err
		}
	}
	if err := Append(e.Path, m); err != nil {
		return nil, err
	}
	return Read(e.Path)
}

// Delete removes the recording ref names. An active recording must be
// stopped first (EBUSY).
func (d Dir) Delete(ctx context.Context, ref string) (*Recording, error) {
	g, err := d.guard(ctx, "reel rec delete")
	if err != nil {
		return nil, err
	}
	defer g.Release()
	list, _, err := d.List()
	if err != nil {
		return nil, err
	}
	e, err := find(list, ref)
	if err != nil {
		return nil, err
	}
	if e.Active() {
		return nil, reel.Errorf(reel.EBUSY, "recording %q is active", e.Name).WithHint("stop it first: reel rec stop")
	}
	if err := os.Remove(e.Path); err != nil {
		return nil, fmt.Errorf("delete recording: %w", err)
	}
	d.removeRecordingFiles(e.Header.ID)
	return e.Recording, atomicfile.SyncDir(d.Journals)
}

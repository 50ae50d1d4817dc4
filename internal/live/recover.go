package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/atomicfile"
	"github.com/reel-sh/reel/internal/proc"
	"github.com/reel-sh/reel/internal/snapshot"
)

// RecoverOptions say where to look and how to ingest.
type RecoverOptions struct {
	// Snapshots is the snapshot folder.
	Snapshots string
	// MaxAge removes snapshots older than it that are left after
	// recovery (see snapshot.Prune); 0 keeps them.
	MaxAge time.Duration
	// Sync ingests the journals at paths into the store, as reel sync
	// does (the caller holds whatever lock a sync needs). Required
	// unless DryRun.
	Sync func(ctx context.Context, journals []string) error
	// PutCheckpoint, if set, writes one checkpoint into the store,
	// idempotently by id. It is for a sync path that does not commit a
	// journal's checkpoints itself (reel.CheckpointParser); with one that
	// does, it may be nil.
	PutCheckpoint func(ctx context.Context, c reel.Checkpoint) error
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// DryRun finds and reads, and changes nothing.
	DryRun bool
}

// Recovered is one live session that recovery found.
type Recovered struct {
	SessionID string `json:"session_id"`
	Source    string `json:"source"`
	NativeID  string `json:"native_id"`
	Title     string `json:"title,omitempty"`
	Project   string `json:"project,omitempty"`
	Journal   string `json:"journal"`
	// Events and Checkpoints count what the journal holds.
	Events      int64 `json:"events"`
	Checkpoints int   `json:"checkpoints"`
	// Status is the session's status after recovery: interrupted, or the
	// status of the end line it already had.
	Status string `json:"status"`
	// Ended says the journal already had its end line (the owner died
	// between it and removing the snapshot).
	Ended  bool   `json:"ended"`
	Reason string `json:"reason"`
	// Torn is the torn last line cut off; Bad the lines that could not be
	// read (kept in the file).
	Torn *Torn     `json:"torn,omitempty"`
	Bad  []BadLine `json:"bad_lines,omitempty"`
	// Discarded says the journal was missing or empty: nothing to ingest.
	Discarded  bool       `json:"discarded,omitempty"`
	Owner      proc.Owner `json:"owner"`
	SnapshotAt time.Time  `json:"snapshot_at"`
}

// Failure is a session recovery could not finish; its snapshot is kept,
// so the next recovery tries again.
type Failure struct {
	SessionID string `json:"session_id"`
	Journal   string `json:"journal"`
	Error     string `json:"error"`
}

// Report is what a recovery did.
type Report struct {
	Time      time.Time   `json:"time"`
	DryRun    bool        `json:"dry_run"`
	Recovered []Recovered `json:"recovered"`
	// Busy lists sessions whose snapshot names a dead owner but whose
	// journal another process holds open (a new daemon resumed them).
	Busy   []string  `json:"busy"`
	Failed []Failure `json:"failed"`
	// Pruned lists the snapshot files removed for their age; BadSnapshots
	// the files that could not be read.
	Pruned       []string       `json:"pruned"`
	BadSnapshots []snapshot.Bad `json:"bad_snapshots"`
}

// Recover finds the live sessions whose snapshot is not completed and
// whose owner is dead, newest first, and for each: takes its journal's
// lock (skipping it, as busy, if a live process holds it), cuts off a
// torn last line, appends an end line with status interrupted (fsynced)
// unless it has one, ingests the journal with opt.Sync, writes its
// checkpoints with opt.PutCheckpoint, and removes the snapshot. A session
// that fails is reported and keeps its snapshot; the others go on. Then
// snapshots older than opt.MaxAge are removed. The error is the first
// failure, with the report complete.
func Recover(ctx context.Context, opt RecoverOptions) (*Report, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sync == nil && !opt.DryRun {
		return nil, reel.Errorf(reel.EINVALID, "recover live sessions: no way to sync given")
	}
	rep := &Report{Time: opt.Now().UTC(), DryRun: opt.DryRun, Recovered: []Recovered{}, Busy: []string{},
		Failed: []Failure{}, Pruned: []string{}, BadSnapshots: []snapshot.Bad{}}
	dead, bad, err := snapshot.Dead(opt.Snapshots)
	if err != nil {
		return rep, err
	}
	rep.BadSnapshots = append(rep.BadSnapshots, bad...)
	var firstErr error
	for _, snap := range dead {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		r, busy, err := recoverOne(ctx, opt, snap)
		switch {
		case err != nil:
			rep.Failed = append(rep.Failed, Failure{SessionID: snap.SessionID, Journal: snap.Journal, Error: err.Error()})
			if firstErr == nil {
				firstErr = fmt.Errorf("recover live session %s: %w", reel.ShortID(snap.SessionID), err)
			}
		case busy:
			rep.Busy = append(rep.Busy, snap.SessionID)
		default:
			rep.Recovered = append(rep.Recovered, *r)
		}
	}
	if !opt.DryRun {
		pruned, err := snapshot.Prune(opt.Snapshots, opt.MaxAge, opt.Now())
		rep.Pruned = append(rep.Pruned, pruned...)
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return rep, firstErr
}

// recoverOne recovers the session of one dead snapshot.
func recoverOne(ctx context.Context, opt RecoverOptions, snap *snapshot.Snapshot) (*Recovered, bool, error) {
	r := &Recovered{SessionID: snap.SessionID, Source: snap.Source, NativeID: snap.NativeID, Title: snap.Title,
		Project: snap.Project, Journal: snap.Journal, Owner: snap.Owner, SnapshotAt: snap.Time,
		Status: reel.StatusInterrupted, Reason: deathReason(snap.Owner)}
	discard := func() (*Recovered, bool, error) {
		r.Discarded = true
		if opt.DryRun {
			return r, false, nil
		}
		return r, false, snapshot.Remove(opt.Snapshots, snap.SessionID)
	}
	flags := os.O_RDWR | os.O_APPEND
	if opt.DryRun {
		flags = os.O_RDONLY
	}
	f, err := os.OpenFile(snap.Journal, flags, 0)
	if errors.Is(err, os.ErrNotExist) {
		return discard()
	}
	if err != nil {
		return nil, false, fmt.Errorf("open live journal: %w", err)
	}
	defer f.Close()
	if err := lockJournal(f); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, true, nil
		}
		return nil, false, fmt.Errorf("lock live journal: %w", err)
	}
	var cps []reel.Checkpoint
	j, err := Read(snap.Journal, func(_ int64, l Line) error {
		if l.Checkpoint != nil {
			c := *l.Checkpoint
			c.SessionID = snap.SessionID
			cps = append(cps, c)
		}
		return nil
	})
	if reel.ErrorCode(err) == reel.ECORRUPT && j != nil && j.Good == 0 {
		// Not even the header was written whole: nothing began.
		if !opt.DryRun {
			if err := os.Remove(snap.Journal); err != nil {
				return nil, false, fmt.Errorf("remove empty live journal: %w", err)
			}
		}
		return discard()
	}
	if err != nil {
		return nil, false, err
	}
	if j.Header.SessionID != snap.SessionID {
		return nil, false, reel.Errorf(reel.ECORRUPT, "live journal %s belongs to session %s, not %s", snap.Journal, j.Header.SessionID, snap.SessionID)
	}
	r.Events, r.Checkpoints, r.Torn, r.Bad = j.Events, len(cps), j.Torn, j.Bad
	r.Title, r.Project = j.Header.Title, j.Header.Project
	if j.End != nil {
		r.Ended, r.Status = true, j.End.Status
		if j.End.Reason != "" {
			r.Reason = j.End.Reason
		}
	}
	if opt.DryRun {
		return r, false, nil
	}
	if j.Torn != nil {
		if err := cut(f, j.Torn.Offset); err != nil {
			return nil, false, err
		}
	}
	if j.End == nil {
		line, err := marshalLine(End{T: TypeEnd, Time: opt.Now().UTC(), Status: reel.StatusInterrupted, Events: j.Events, Reason: r.Reason})
		if err != nil {
			return nil, false, err
		}
		if _, err := f.Write(line); err != nil {
			return nil, false, fmt.Errorf("end live journal: %w", err)
		}
		if err := f.Sync(); err != nil {
			return nil, false, fmt.Errorf("end live journal: fsync: %w", err)
		}
	}
	if err := opt.Sync(ctx, []string{snap.Journal}); err != nil {
		return nil, false, fmt.Errorf("ingest %s: %w", snap.Journal, err)
	}
	if opt.PutCheckpoint != nil {
		for _, c := range cps {
			if err := opt.PutCheckpoint(ctx, c); err != nil {
				return nil, false, fmt.Errorf("put checkpoint %s: %w", c.ID, err)
			}
		}
	}
	return r, false, snapshot.Remove(opt.Snapshots, snap.SessionID)
}

// deathReason says why the owner counts as dead.
func deathReason(o proc.Owner) string {
	return fmt.Sprintf("its writer (pid %d on %s) died", o.PID, o.Host)
}

// WriteReport records rep at path atomically (0600), for reel status.
func WriteReport(path string, rep *Report) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("encode recovery record: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write recovery record: %w", err)
	}
	return nil
}

// ReadReport reads the record WriteReport wrote; nil, nil if there is
// none.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recovery record: %w", err)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, &reel.Error{Code: reel.ECORRUPT, Message: "read recovery record " + path, Err: err}
	}
	return &rep, nil
}

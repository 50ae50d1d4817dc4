package lockfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// Holder describes who holds a lock. It is informational: correctness comes
// from the kernel lock, not from this record.
type Holder struct {
	PID       int       `json:"pid"`
	Host      string    `json:"host"`
	StartedAt time.Time `json:"started_at"`
	// What says what the holder is doing, for example "reel sync".
	What string `json:"what,omitempty"`
	// Detail is whatever else the holder wants readers to know (the
	// daemon's socket and version), as JSON.
	Detail json.RawMessage `json:"detail,omitempty"`
}

// String describes the holder for messages.
func (h Holder) String() string {
	if h.PID == 0 {
		return "an unknown process"
	}
	return fmt.Sprintf("pid %d on %s since %s", h.PID, h.Host, h.StartedAt.Local().Format(time.DateTime))
}

// Lock is a held lock.
type Lock struct {
	fl   *flock.Flock
	path string
}

// Self returns a Holder for the current process.
func Self(what string) Holder {
	host, _ := os.Hostname()
	return Holder{PID: os.Getpid(), Host: host, StartedAt: time.Now().UTC(), What: what}
}

// TryAcquire takes the lock at path if it is free. When another process
// holds it, it returns nil and that holder.
func TryAcquire(path string, self Holder) (*Lock, Holder, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, Holder{}, fmt.Errorf("create lock dir: %w", err)
	}
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, Holder{}, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		h, _ := ReadHolder(path)
		return nil, h, nil
	}
	l := &Lock{fl: fl, path: path}
	if err := l.writeHolder(self); err != nil {
		fl.Unlock()
		return nil, Holder{}, err
	}
	return l, self, nil
}

// Acquire waits until the lock at path is free and takes it. onWait is
// called once, with the holder, if it has to wait. It gives up when ctx
// ends.
func Acquire(ctx context.Context, path string, self Holder, onWait func(Holder)) (*Lock, error) {
	waited := false
	for {
		l, h, err := TryAcquire(path, self)
		if err != nil || l != nil {
			return l, err
		}
		if !waited && onWait != nil {
			onWait(h)
		}
		waited = true
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// writeHolder replaces the file's content in place: the file itself is
// never replaced or unlinked, since another process may be waiting on it.
func (l *Lock) writeHolder(h Holder) error {
	data, _ := json.Marshal(h)
	f, err := os.OpenFile(l.path, os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("write lock holder: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("write lock holder: %w", err)
	}
	if _, err := f.WriteAt(append(data, '\n'), 0); err != nil {
		return fmt.Errorf("write lock holder: %w", err)
	}
	return nil
}

// Release drops the lock. The file stays, so waiters keep locking the same
// inode.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	return l.fl.Unlock()
}

// ReadHolder reads the holder record at path. A lock file whose holder
// has released it still holds the last holder's record.
func ReadHolder(path string) (Holder, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Holder{}, err
	}
	var h Holder
	if err := json.Unmarshal(data, &h); err != nil {
		return Holder{}, fmt.Errorf("read lock holder %s: %w", path, err)
	}
	return h, nil
}

// Probe reports whether a process holds the lock at path, and the last
// holder's record, without waiting and without writing the record. When
// the lock is free it takes a shared lock for an instant to find out, so
// a process trying to take it at that instant may find it busy: a taker
// that must not fail spuriously retries once after a moment. A missing
// lock file is not held.
func Probe(path string) (bool, Holder, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return false, Holder{}, nil
	}
	fl := flock.New(path, flock.SetFlag(os.O_RDONLY))
	ok, err := fl.TryRLock()
	if err != nil {
		return false, Holder{}, fmt.Errorf("probe lock %s: %w", path, err)
	}
	if ok {
		fl.Unlock()
	}
	h, err := ReadHolder(path)
	if err != nil && !ok {
		// Held, but the holder has not written its record yet.
		return true, Holder{}, nil
	}
	return !ok, h, nil
}

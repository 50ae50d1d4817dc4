package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/lockfile"
)

// Holder is what a recording's lock file says about who holds it. Like
// lockfile.Holder (which it extends, so lockfile.ReadHolder reads it too),
// it is for people to read; correctness comes from the kernel lock.
type Holder struct {
	lockfile.Holder
	// Recording is the recording's id; SessionID the store session it
	// becomes.
	Recording string `json:"recording"`
	SessionID string `json:"session_id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Shell     string `json:"shell,omitempty"`
	TTY       string `json:"tty,omitempty"`
	Journal   string `json:"journal"`
	Owner     Owner  `json:"owner"`
}

// String describes the holder for messages: which recording, and where.
func (h Holder) String() string {
	where := fmt.Sprintf("%s pid %d", orWord(h.Shell, "process"), h.Owner.PID)
	if h.TTY != "" {
		where += " on " + h.TTY
	}
	if h.Owner.Host != "" {
		where += " (host " + h.Owner.Host + ")"
	}
	return fmt.Sprintf("%q (%s) is recording in %s since %s", h.Name, reel.ShortID(h.Recording), where,
		h.StartedAt.Local().Format(time.DateTime))
}

func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}

// writeHolder replaces the content of the lock file at path in place,
// through a description of its own: the locked one may be in append mode
// (a shell opens it with >>), where writing at an offset is refused.
func writeHolder(path string, h Holder) error {
	data, _ := json.Marshal(h)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
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
	return f.Close()
}

// readHolder reads the holder record of the lock file at path.
func readHolder(path string) (Holder, error) {
	var h Holder
	data, err := os.ReadFile(path)
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return h, fmt.Errorf("read lock holder %s: %w", path, err)
	}
	return h, nil
}

// tryLock takes the kernel lock on f without waiting. It reports false,
// with no error, when another open file description holds it.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return true, nil
}

// unlock drops the kernel lock on f's open file description, which also
// drops it for every process that shares the description.
func unlock(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// Held reports whether someone holds the kernel lock on the file at path.
// It probes by taking the lock on a description of its own and dropping it
// at once; a missing file is not held.
func Held(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("probe lock: %w", err)
	}
	defer f.Close()
	got, err := tryLock(f)
	if err != nil {
		return false, err
	}
	if got {
		unlock(f)
	}
	return !got, nil
}

// guard takes the lock that serialises start, stop and recover. It is
// held for milliseconds, so waiting is bounded.
func (d Dir) guard(ctx context.Context, what string) (*lockfile.Lock, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	l, err := lockfile.Acquire(ctx, d.GuardPath(), lockfile.Self(what), nil)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			h, _ := lockfile.ReadHolder(d.GuardPath())
			return nil, reel.Errorf(reel.EBUSY, "the recordings are locked by %s", h).
				WithHint("wait for it to finish, or end it")
		}
		return nil, err
	}
	return l, nil
}

package journal

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"time"
)

// KeepOptions configure a keeper: the small process that stays beside a
// bash or fish recording, off the prompt path.
type KeepOptions struct {
	Journal  string
	LockPath string
	Owner    Owner
	// Lock, for fish, is the recording's lock file, locked: the keeper
	// holds the lock for a shell that cannot keep a descriptor.
	Lock *os.File
	// Interval is how often the owner and the lock file are checked;
	// 250ms when zero.
	Interval time.Duration
}

// Keep fsyncs the journal each time it grows, so that every line the hook
// appended with a builtin reaches the disk within milliseconds, and returns
// when the recording ends: its lock file is removed (stopped, recovered) or
// its owner dies. It fsyncs once more before it returns.
func Keep(ctx context.Context, o KeepOptions) error {
	if o.Interval <= 0 {
		o.Interval = 250 * time.Millisecond
	}
	f, err := os.Open(o.Journal)
	if err != nil {
		return fmt.Errorf("keep journal: %w", err)
	}
	defer f.Close()
	changes, stop, err := watch(o.Journal)
	if err != nil {
		return fmt.Errorf("keep journal: %w", err)
	}
	defer stop()
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	defer runtime.KeepAlive(o.Lock)
	for {
		select {
		case <-ctx.Done():
			f.Sync()
			return ctx.Err()
		case <-changes:
			if err := f.Sync(); err != nil {
				return fmt.Errorf("fsync journal: %w", err)
			}
		case <-tick.C:
			_, err := os.Stat(o.LockPath)
			if errors.Is(err, fs.ErrNotExist) || !o.Owner.Alive() {
				return f.Sync()
			}
		}
	}
}

package journal

import (
	"context"
	"time"

	"github.com/reel-sh/reel/internal/config"
)

// DirOf returns the recordings folder cfg describes: journals, locks, and
// snapshots kept as [live] in config.toml says (snapshot_results,
// snapshot_max_age).
func DirOf(cfg *config.Config) Dir {
	return Dir{
		Journals: cfg.Paths.Recordings(), Locks: cfg.Paths.RecordingState(), Snapshots: cfg.Paths.RecordingSnapshots(),
		SnapshotResults: cfg.Live.SnapshotResults, SnapshotMaxAge: cfg.Live.SnapshotMaxAge.Duration,
	}
}

// SnapshotActiveRecording rewrites the crash snapshot of the shell
// recording active for this user under cfg, if one is; with none it does
// nothing. The daemon calls it every live.snapshot_interval, so that the
// snapshot of a recording follows its commands between checkpoints. It
// holds the recordings' guard for milliseconds, as start, stop and
// checkpoint do.
func SnapshotActiveRecording(ctx context.Context, cfg *config.Config) error {
	_, err := DirOf(cfg).SnapshotActive(ctx, time.Now())
	return err
}

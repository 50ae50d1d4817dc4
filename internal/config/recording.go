package config

import "path/filepath"

// Recordings returns the folder of shell recordings: one append-only NDJSON
// journal per recording, named by its id (see internal/journal).
func (p Paths) Recordings() string { return filepath.Join(p.Data, "recordings") }

// RecordingState returns the folder of the recorder's locks: the guard that
// serialises rec start, stop and recover, and one lock file per live
// recording, held by the recording's owner.
func (p Paths) RecordingState() string { return filepath.Join(p.State, "rec") }

// RecordingSnapshots returns the folder of the shell recordings' crash
// snapshots, one <session id>.json per live recording (see
// internal/snapshot). It is apart from Snapshots, the live sessions'
// folder, because each recovery reads every snapshot in its folder.
func (p Paths) RecordingSnapshots() string { return filepath.Join(p.RecordingState(), "snapshots") }

// LastRecordingRecovery returns the record of the last recovery of
// recordings that found something, which reel status shows.
func (p Paths) LastRecordingRecovery() string {
	return filepath.Join(p.RecordingState(), "last-recovery.json")
}

package config

import "path/filepath"

// LastRecovery returns the record of the last recovery of live sessions
// that found something (see internal/live), which reel status shows.
func (p Paths) LastRecovery() string { return filepath.Join(p.State, "last-recovery.json") }

// LiveSource returns the folder of the live sessions of source: one
// journal per session, <session id>.ndjson.
func (p Paths) LiveSource(source string) string { return filepath.Join(p.Live(), source) }

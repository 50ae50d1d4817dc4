//go:build race

package syncer_test

// raceEnabled is true when the race detector is on: tests that move a lot
// of data shrink it, as the detector slows every memory access.
const raceEnabled = true

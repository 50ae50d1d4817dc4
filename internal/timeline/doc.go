// Package timeline answers time-travel questions about stored sessions:
// the events of a span (between two checkpoints, since a seq, within a
// time range), the replay sequence of a span (each tool call and shell
// command with what it returned), and the difference between two
// checkpoints (files touched, commands run, tools called, tokens spent).
//
// It implements reel.Timeline over any store that keeps checkpoints, and
// reads only what the store already holds: nothing is parsed again from
// the source files.
package timeline

// Package lockfile provides single-holder locks between processes: a kernel
// lock (flock) on a file that is never unlinked, with the holder's pid,
// host and start time written inside for people to read. The kernel drops
// the lock when the holder dies, so a stale lock never needs cleaning up.
package lockfile

// Package hookspool keeps agent hook events while reel's daemon is down,
// and hands them to it later.
//
// The spool is a folder (config.Paths.HookSpool(), mode 0700) holding:
//
//	spool.ndjson        events waiting for the daemon, one reel.HookEvent a line
//	draining-<n>.ndjson a spool moved aside by Drain, until every event in it was taken;
//	                    or one event that Append wrote alone because spool.lock was stuck
//	rejected.ndjson     what can never be delivered, kept for people to read
//	errors.log          what went wrong in reel hook, which must not print
//	spool.lock          the flock that Append and Drain's rename take
//	drain.lock          the flock that keeps drains one at a time
//
// Files are mode 0600. Append writes one event as one line with a single
// write(2) while it holds spool.lock, then fsyncs: a reader never sees
// two events interleaved, and a crash leaves at most a torn last line,
// which the next Append ends with a newline before its own line, so the
// torn bytes stay a line apart and nothing after them is spoiled.
// Drain takes spool.lock only to rename spool.ndjson aside, so an Append
// waits at most for a rename; it then delivers the file's events in order
// and removes it only when every one was taken. A crash mid-drain leaves
// the draining file, which the next Drain delivers again: receivers drop
// events they already have by HookEvent.ID. Nothing is lost.
//
// Lines that cannot be read (a torn last line from a crash, a line that
// is not a hook event) and events the receiver refuses as EINVALID are
// moved to rejected.ndjson with their file and line and their bytes, and
// counted in the error Drain returns; they are never dropped silently.
//
// A payload is kept byte for byte inside its line, with one exception
// that NDJSON forces: white space between JSON tokens (which no client
// sends; they write compact JSON) is removed. Nothing inside a string
// changes: HTML characters are not escaped.
package hookspool

// Package hookrecv is where agent hook events arrive in the daemon. A
// Receiver turns each reel.HookEvent into events of the client session's
// live session (internal/live: journal, window, crash snapshot), marks a
// checkpoint before every user prompt, tells the supervisor the status the
// event implies for the pane it came from, and ends the live session when
// the client says the session ended.
//
// Events carry the id `reel hook` gave them, and a redelivered event (the
// spool drained again after a crash) is dropped: the ids of the events in
// each session's window are remembered, across daemon restarts too, since
// a reopened session rebuilds its window from its journal.
package hookrecv

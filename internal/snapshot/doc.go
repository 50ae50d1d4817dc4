// Package snapshot keeps crash snapshots of live sessions: one small JSON
// file per session, <session id>.json in the snapshot folder (mode 0600,
// folder 0700), rewritten atomically (temp file, fsync, rename, fsync the
// folder) by the process that writes the session, periodically and at
// every checkpoint.
//
// A snapshot says what a crash would lose sight of: the session, how many
// events it has, its last tool results (cut to previews), its tokens and
// cost so far, and who writes it (pid, process start time, boot id, host).
// A snapshot whose session ended cleanly is marked completed and removed;
// one that is not completed and whose owner is dead marks a session that
// needs recovery (see Dead). Snapshots older than a maximum age are
// removed whatever they say (see Prune).
package snapshot

// Package syncer brings session files into a store, incrementally and
// safely. For each file an Importer discovers, it compares size, mtime and
// a hash of the head with the store's cursor: an unchanged file is only
// stat'ed, an appended one is read from the cursor's offset, a rewritten
// one is read again whole. Records are committed with the cursor that
// accounts for them in one transaction, so a killed sync loses nothing it
// committed and the next sync carries on where it stopped. A last line that
// may not be final (unterminated, or torn) is stored but left after the
// cursor, so the next sync reads it again.
//
// A session is read from one file. When two files name the same session (a
// backup copy of a rollout, two snapshots of one session), the first to be
// synced keeps it and the other is stored as a session of its own, so
// neither overwrites the other's records.
//
// A parser that also finds checkpoints (reel.CheckpointParser: reel's own
// shell recordings) hands them over after each record; they are committed
// in the batch that holds the events before them, so never ahead of those
// events and never lost behind them. A checkpoint the store would refuse
// (a seq past the events, a label the store or the file already gives
// another) is reported with its line and skipped. Push copies a session's
// checkpoints to the team store as well, and lists those it refuses.
//
// Bad input never stops a sync: a torn line, invalid JSON, a line over the
// size limit, a file that vanishes or is not a regular file, or a folder
// that cannot be listed is kept raw where possible, skipped, and reported
// with its file and line in the Record. Only a failing store, or the
// caller, stops a sync.
package syncer

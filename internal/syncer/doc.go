// Package syncer brings session files into a store, incrementally and
// safely. For each file an Importer discovers, it compares size, mtime and
// a hash of the head with the store's cursor: an unchanged file is only
// stat'ed, an appended one is read from the cursor's offset, a rewritten
// one is read again whole. Records are committed with the cursor that
// accounts for them in one transaction, so a killed sync loses nothing it
// committed and the next sync carries on where it stopped.
//
// Bad input never stops a sync: a torn line, invalid JSON, a line over the
// size limit or a file that vanishes is kept raw where possible, skipped,
// and reported with its file and line in the Record.
package syncer

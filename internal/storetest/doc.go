// Package storetest is the conformance suite that every reel.Store must
// pass. Run checks each contract written on reel.Store through the
// interface alone, so the same tests hold the embedded SQLite store and
// any server-backed store to one behaviour.
//
// Where reel.Store leaves a detail open, the suite pins the choice all
// stores make:
//
//   - Since is inclusive and Until exclusive. Sessions match a window when
//     their activity (StartedAt to EndedAt) overlaps it; a session with no
//     times matches no window.
//   - A Limit of 0 lists everything; Search uses a store default instead.
//   - Apply rejects with EINVALID, writing nothing, a batch with no
//     session id, an event of another session, or raw indexes or event
//     seqs below FromRaw/FromSeq or not strictly increasing.
//   - Times come back in UTC with their nanoseconds.
//   - Checkpoints are kept byte for byte (ids and labels of any bytes a
//     label may hold, state as given), a nil state comes back nil, and of
//     writers racing to give one label to different checkpoints exactly
//     one wins.
//   - Search folds case, treats punctuation in a word as a word break
//     ("config:path" is the phrase "config path"), and never fails on
//     what a user types.
package storetest

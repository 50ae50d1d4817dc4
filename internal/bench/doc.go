// Package bench measures reel end to end on a generated corpus and checks
// that search finds what it must.
//
// Run writes a corpus of Claude Code and Codex session files (package
// corpus) into a home folder, has the caller sync it into a fresh store,
// and then times searches of five classes (rare words, common words,
// phrases, prefixes, and common words under filters) and verifies every
// needle the corpus planted: a search for it must return exactly as many
// hits as the manifest says.
//
// The harness knows nothing of the store, the sync engine or the
// importers. The caller passes the cold sync and the store as functions,
// so the same harness measures any store and any sync that the command
// line wires together.
package bench

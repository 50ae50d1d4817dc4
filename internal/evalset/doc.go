// Package evalset is a labelled evaluation set for search: a generated
// corpus of Claude Code and Codex sessions in which specific sessions are
// about specific problems (a flaky migration, a nil pointer in a billing
// service, a CORS error, ...), routine distractor sessions on the same
// subjects, and queries, each with the sessions a person would want.
//
// Queries come in classes (Classes): paraphrases that share no content
// word with their target, identifiers, exact error strings, commands, and
// half-remembered descriptions. Generate writes the corpus in the clients'
// own file formats, so the real importers read it; a seed picks names,
// numbers, wording and times, so a second seed gives a corpus the figures
// were never tuned on.
//
// Run searches every query in each mode through a Searcher and scores the
// ranks at session level (Rank, Score): Success@1, Success@3 and mean
// reciprocal rank, overall and per class.
package evalset

// Package corpus writes realistic Claude Code and Codex session files at a
// chosen scale, for benchmarks and load tests of ingest and search.
//
// Generate lays the files out as the clients do under a home folder
// (~/.claude/projects/<dir>/<uuid>.jsonl and
// ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl), in the record
// shapes the clients write, with text drawn from a developer vocabulary
// whose word frequencies fall off like natural language: a few words are in
// a large share of messages and most are rare.
//
// A corpus is a pure function of its Options: the same seed gives the same
// bytes. Into it Generate plants needles, made-up words and one made-up
// phrase, each in an exact number of user prompts and assistant replies, and
// records those numbers in a Manifest (manifest.json at the corpus root).
// A search for a needle must find exactly that many message events, which
// makes the corpus a correctness check as well as a load.
//
// Generation runs in two passes over per-session random streams: the first
// draws only each session's shape, to count the message blocks that can
// hold a needle and choose the needles' places; the second draws the shape
// again, with the text, and writes the files, several sessions at a time.
// Memory stays small whatever the size: nothing but the session plans and
// the needle places is held.
package corpus

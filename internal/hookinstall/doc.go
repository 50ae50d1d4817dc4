// Package hookinstall puts reel's hook entries into agent clients'
// settings and takes them out again: Claude Code's settings.json and
// Gemini CLI's settings.json (a "hooks" object of event names, each a list
// of matcher groups), and Codex's config.toml (its one `notify` program).
//
// The edits are pure functions on a file's bytes, so they are tested on
// golden files; Apply does the file work: a backup beside the file, then
// an atomic replace keeping the file's mode. A person's settings are
// edited, never regenerated: unknown keys and the user's own hooks are
// kept in their order, and reel's entries are told apart by their
// command (a program named reel run as `reel hook`). A file that does not
// parse (JSON with comments, say) is ECORRUPT naming its line, and is
// never written.
package hookinstall

// Package hook reads the payloads that agent clients (Claude Code, Codex,
// Gemini CLI) hand their hook programs, and maps a hook event to reel's
// events and to a supervised session's status. Everything here is pure:
// no file, socket or clock is touched, so the daemon and `reel hook` share
// it and tests check it with real-shaped payloads.
//
// Claude Code and Gemini CLI run a hook with the event's JSON on stdin;
// Codex runs its notify program with the JSON as the last argument, and
// its newer lifecycle hooks with Claude-Code-shaped JSON on stdin. Parse
// reads all three. A payload is kept byte for byte; unknown event names
// and unknown fields are kept, never an error.
package hook

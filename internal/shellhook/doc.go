// Package shellhook holds reel's shell integration: the bash, zsh and fish
// scripts that `reel init SHELL` prints, embedded in the binary. Each
// defines a `reel` function that runs `reel rec start` and `reel rec stop`
// on the shell's behalf (so the shell, not the short-lived reel process,
// owns the recording's lock) and prompt hooks that append one JSON line per
// command to the active recording's journal with builtins only. The journal
// format and the lock protocol are documented in internal/journal.
package shellhook

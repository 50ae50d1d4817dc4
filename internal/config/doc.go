// Package config resolves where reel keeps its files and what it reads.
// Precedence, lowest first: built-in defaults, config.toml, REEL_*
// environment variables, then command-line flags (applied by the CLI).
// Paths follow the XDG base directory spec; REEL_HOME puts everything
// under one folder, for tests and portable installs.
package config

// Package replay runs a recorded session's commands again, safely.
//
// Each command runs with the shell (bash -c by default) in the folder it
// ran in, or in the same place under --cwd. Before anything runs, every
// command is checked against a danger policy: a preset's rules (minimal,
// moderate, strict; see danger.go) and the user's own patterns. Dangerous
// commands are skipped by default, refused as a whole with abort, and run
// only with allow. Rules look at each simple command of a line, with
// wrappers (sudo, env, nice, timeout…) removed and the scripts of
// sh -c, eval and $(…) looked into as well, so `echo rm -rf /` is not
// dangerous but `bash -c "rm -rf /"` is.
//
// A replay is itself recorded (Options.Record): each step run, its output
// and each step skipped, with why.
package replay

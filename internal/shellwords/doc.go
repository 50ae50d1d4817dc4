// Package shellwords reads shell command lines as a POSIX shell would
// split them: into simple commands and their words, with the wrappers
// (sudo, env, nohup, …) that run another command told apart. It does not
// expand variables or globs, and runs nothing: it serves code that judges
// or describes commands (replay's danger rules, the timeline's diff).
package shellwords

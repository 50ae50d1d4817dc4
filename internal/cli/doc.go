// Package cli implements reel's commands. Each command has an options
// struct and a run function; all input and output goes through Streams, so
// tests run the whole program in-process. Main is the only entry point and
// returns an exit code.
package cli

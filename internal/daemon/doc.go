// Package daemon is the long-running program behind `reel daemon`: one per
// user, held by a kernel lock. It serves the API on a private unix socket
// (and on TCP, behind a bearer token, when configured), syncs every source
// on a schedule and soon after a source folder changes, runs the reaper of
// supervised sessions, and runs the background work it is given, until it
// is closed (SIGTERM or SIGINT). SIGHUP reloads the configuration.
//
// The daemon wires nothing itself: the API, the sync, the reaper and the
// background work come in through Options, so that it stays independent
// of the packages that implement them and tests can run it in-process.
package daemon

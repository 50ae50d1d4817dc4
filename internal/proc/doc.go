// Package proc tells whether the process that owns a journal still runs:
// its pid, its start time (so a reused pid is a different process), the
// kernel's boot id (so a pid from before a reboot is dead) and its host.
// Shell recordings (internal/journal) and live sessions (internal/live)
// both record an Owner and ask it whether it is Alive before they recover
// what it left.
package proc

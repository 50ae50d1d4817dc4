package journal

import "github.com/reel-sh/reel/internal/proc"

// Owner identifies the long-lived process a recording belongs to: the
// recording shell, or the reel process that replays. It is proc.Owner.
type Owner = proc.Owner

// OwnerOf describes the running process pid.
func OwnerOf(pid int) Owner { return proc.OwnerOf(pid) }

// TTYOf returns the terminal on pid's standard input, or "".
func TTYOf(pid int) string { return proc.TTYOf(pid) }

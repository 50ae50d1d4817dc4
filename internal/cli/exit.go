package cli

import (
	"context"
	"errors"

	"github.com/reel-sh/reel"
)

// Exit codes. They are part of reel's interface: scripts rely on them.
const (
	ExitOK          = 0   // success
	ExitError       = 1   // an unexpected failure
	ExitUsage       = 2   // bad flags, arguments or input
	ExitNotFound    = 3   // the named session or thing does not exist (or is ambiguous)
	ExitBusy        = 4   // a lock is held by another process
	ExitCorrupt     = 5   // the store or a file cannot be read back
	ExitUnsupported = 6   // the operation is not available in this setup
	ExitConflict    = 7   // the action conflicts with the current state (a taken name or label, a session not paused)
	ExitInterrupted = 130 // stopped by Ctrl-C or SIGTERM
)

const exitCodesHelp = `Exit codes:
  0    success
  1    unexpected failure
  2    usage error: bad flags, arguments or input
  3    not found, or a prefix that names several sessions
  4    busy: another process holds the lock
  5    corrupt store or file
  6    not supported in this setup
  7    conflict: a name or label is taken, or the session is not in a state that allows it
  130  interrupted`

// exitCode maps an error to an exit code, once, for every command.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	switch reel.ErrorCode(err) {
	case reel.EINVALID:
		return ExitUsage
	case reel.ENOTFOUND, reel.EAMBIGUOUS:
		return ExitNotFound
	case reel.EBUSY:
		return ExitBusy
	case reel.ECORRUPT:
		return ExitCorrupt
	case reel.EUNSUPPORT:
		return ExitUnsupported
	case reel.ECONFLICT:
		return ExitConflict
	}
	return ExitError
}

// usageError is a flag or argument error reported by cobra.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

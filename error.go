package reel

import (
	"errors"
	"fmt"
)

// Error codes are stable, machine-readable reasons. Each edge (exit codes,
// HTTP statuses, MCP errors) maps them once.
const (
	ECONFLICT  = "conflict"    // the action conflicts with the current state
	EINTERNAL  = "internal"    // a bug or an unexpected failure
	EINVALID   = "invalid"     // the input is malformed or out of range
	ENOTFOUND  = "not_found"   // the named thing does not exist
	EAMBIGUOUS = "ambiguous"   // a prefix names more than one thing
	EBUSY      = "busy"        // a lock is held by someone else
	ECORRUPT   = "corrupt"     // stored or source data cannot be read back
	EUNSUPPORT = "unsupported" // the operation is not available here
)

// Error is reel's one error type. Code is for programs, Message for people,
// Hint (optional) tells the user what to do next. Err keeps the cause for
// logs and errors.Is; it is never shown raw to users.
type Error struct {
	Code    string
	Message string
	Hint    string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	switch {
	case e.Message != "" && e.Err != nil:
		return e.Message + ": " + e.Err.Error()
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Code
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithHint returns e with its hint set, for chaining at the return site.
func (e *Error) WithHint(hint string) *Error { e.Hint = hint; return e }

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorHint returns the hint of the first *Error in err's chain, or "".
func ErrorHint(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}

package reel

import "context"

// SourceFile is one session file that an Importer found.
type SourceFile struct {
	// Path is the file's absolute path.
	Path string
	// Source is the importer's source name.
	Source string
	// NativeID is the session's id in the source, as far as the path
	// tells; the parser may refine it only before it emits any event.
	NativeID string
	// ParentNativeID names the parent session, for subagents.
	ParentNativeID string
	// Compressed is true for a zstd-compressed file; it is read whole.
	Compressed bool
}

// Importer reads one source's session files into the canonical model.
type Importer interface {
	// Source returns the source name, for example "claude-code".
	Source() string

	// Discover walks root and calls fn for every session file under it,
	// in a stable order. A missing root is not an error: fn is not called.
	Discover(ctx context.Context, root string, fn func(SourceFile) error) error

	// NewParser returns a parser for f. state is what a previous parser's
	// State returned, to resume after the records it saw; nil starts afresh.
	NewParser(f SourceFile, state []byte) (Parser, error)
}

// Parser turns one file's raw records into events. It is used by one
// goroutine and fed every record of the file in order.
type Parser interface {
	// Parse reads one raw record and returns its events in order, with
	// SessionID and Seq left for the caller to set. It sets rec.Type and
	// rec.Status (and rec.Reason when not OK). An error means the record
	// could not be read at all: the caller keeps it as RecordInvalid and
	// goes on with the next.
	Parse(rec *RawRecord) ([]Event, error)

	// Session returns the session as known after the records so far.
	// ID, EventCount and Path are set by the caller.
	Session() Session

	// State returns what a new parser needs to resume after the records
	// so far.
	State() ([]byte, error)
}

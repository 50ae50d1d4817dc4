package reel

import (
	"context"
	"time"
)

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
	// Layout says how the session's raw records are read.
	Layout Layout
	// Key, for a custom layout, is what the importer needs to find the
	// session inside Path (a session id in a database, a day in a history
	// file). Path+"#"+Key must be unique.
	Key string
}

// Layout says how a session's raw records are read from its source.
type Layout int

const (
	// LayoutLines reads one record per line: JSONL, markdown, shell
	// history. An appended file is read from where the last sync stopped.
	LayoutLines Layout = iota
	// LayoutDocument reads the whole file as one record: a JSON document.
	// Any change to the file reads it again.
	LayoutDocument
	// LayoutCustom leaves reading to the importer, which implements
	// RecordReader: a session kept as a tree of files, as rows of a
	// database, or as a slice of a larger file. A change of its Stamp reads
	// it again, whole.
	LayoutCustom
)

// CursorPath is the key under which a sync remembers f: its path, and its
// Key when it has one.
func (f SourceFile) CursorPath() string {
	if f.Key == "" {
		return f.Path
	}
	return f.Path + "#" + f.Key
}

// Stamp identifies the contents of a custom-layout session: a sync reads
// the session again whenever its stamp differs from the last sync's.
type Stamp struct {
	Size    int64
	ModTime time.Time
	// Hash tells apart contents of the same size and time; it may be "".
	Hash string
}

// RecordReader is implemented by an Importer that has LayoutCustom
// sessions.
type RecordReader interface {
	// Stamp returns f's current stamp. It is called for every such session
	// on every sync, so it must be cheap.
	Stamp(ctx context.Context, f SourceFile) (Stamp, error)

	// ReadRecords calls fn with each of f's raw records in order, with
	// Data set and, for a session of several files or rows, Name. fn may
	// keep Data. An error other than fn's means f could not be read.
	ReadRecords(ctx context.Context, f SourceFile, fn func(RawRecord) error) error
}

// Rewinder is implemented by a Parser whose source can take events back,
// as Gemini CLI's $rewindTo does.
type Rewinder interface {
	// Rewound reports whether the record just parsed took events back,
	// and if so how many of the session's events stand: every event the
	// parser returned, counted from the session's first record (across
	// resumes), from that count on is discarded.
	Rewound() (keep int64, ok bool)
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

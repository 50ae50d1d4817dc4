package archive

import "github.com/reel-sh/reel"

// FormatName is the value of a reel document's "format" member.
const FormatName = "reel"

// Version is the version of the format that Write produces and the newest
// that Read accepts. A change that an older reel would misread (a new
// member, a new encoding) comes with a new version, so that the older
// reel refuses the document instead of dropping what it does not know.
const Version = 1

// Document is one session with everything reel keeps of it: its raw
// records (the source's bytes), its events and its checkpoints. Every
// event's and checkpoint's SessionID is the session's ID.
type Document struct {
	// Format is FormatName; Write ignores it and writes FormatName.
	Format string
	// Version is the format version that Read found; Write ignores it and
	// writes Version.
	Version     int
	Session     reel.Session
	Raw         []reel.RawRecord
	Events      []reel.Event
	Checkpoints []reel.Checkpoint
}

// Limits bound what Read accepts from a document, which is untrusted. A
// field that is zero or negative takes its value from DefaultLimits.
type Limits struct {
	// MaxBytes is the largest document read, in bytes. Read never reads
	// more than this (and one byte to tell that there is more), so the
	// memory it uses is a small multiple of it at most.
	MaxBytes int64
	// MaxRecords, MaxEvents and MaxCheckpoints bound the number of raw
	// records, events and checkpoints.
	MaxRecords     int
	MaxEvents      int
	MaxCheckpoints int
	// MaxRecordBytes is the largest raw record's data, decoded.
	MaxRecordBytes int64
	// MaxTextBytes is the largest string, decoded: an event's text or
	// input, a checkpoint's state, a title, a name.
	MaxTextBytes int64
}

// DefaultLimits returns limits that any session reel ingests fits in: a
// document of 1 GiB, 10 million raw records and events, 100,000
// checkpoints, and records and strings of 256 MiB.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:       1 << 30,
		MaxRecords:     10_000_000,
		MaxEvents:      10_000_000,
		MaxCheckpoints: 100_000,
		MaxRecordBytes: 256 << 20,
		MaxTextBytes:   256 << 20,
	}
}

// orDefault returns l with every unset field taken from DefaultLimits.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxRecords <= 0 {
		l.MaxRecords = d.MaxRecords
	}
	if l.MaxEvents <= 0 {
		l.MaxEvents = d.MaxEvents
	}
	if l.MaxCheckpoints <= 0 {
		l.MaxCheckpoints = d.MaxCheckpoints
	}
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = d.MaxRecordBytes
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = d.MaxTextBytes
	}
	return l
}

// noLimits bounds nothing but consistency: Write and FromStore check a
// document with it, so that whatever a store holds can be written, and
// only a reader decides what it accepts.
var noLimits = Limits{
	MaxBytes:       1<<63 - 1,
	MaxRecords:     int(^uint(0) >> 1),
	MaxEvents:      int(^uint(0) >> 1),
	MaxCheckpoints: int(^uint(0) >> 1),
	MaxRecordBytes: 1<<63 - 1,
	MaxTextBytes:   1<<63 - 1,
}

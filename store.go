package reel

import (
	"context"
	"time"
)

// Cursor is what a store remembers about one source file so that the next
// sync reads only what is new.
type Cursor struct {
	Path      string    `json:"path"`
	Source    string    `json:"source"`
	SessionID string    `json:"session_id"`
	Size      int64     `json:"size"`
	ModTime   time.Time `json:"mod_time"`
	// HeadHash is a hash of the file's first bytes; a change means the file
	// was rewritten, not appended to.
	HeadHash string `json:"head_hash"`
	// Offset is the number of bytes consumed: every record before it is
	// final. A torn or unterminated last line starts at Offset and is read
	// again next time.
	Offset int64 `json:"offset"`
	// NextRaw and NextSeq are the raw index and event seq that the record at
	// Offset will get.
	NextRaw int64 `json:"next_raw"`
	NextSeq int64 `json:"next_seq"`
	// State is the importer's opaque resume state as of Offset.
	State []byte `json:"-"`
}

// Batch is one atomic write of a session's progress: everything in it is
// committed together or not at all, so a crash never leaves events without
// the cursor that accounts for them.
type Batch struct {
	// Session is upserted.
	Session Session
	// Cursor replaces the file's cursor.
	Cursor Cursor
	// FromRaw and FromSeq discard the session's raw records with
	// Index >= FromRaw and events with Seq >= FromSeq before the new ones
	// are written. A re-read of a rewritten file uses 0, 0.
	FromRaw int64
	FromSeq int64
	Raw     []RawRecord
	Events  []Event
	// Checkpoints are upserted by id after the events, as PutCheckpoint
	// does. A re-read never deletes checkpoints.
	Checkpoints []Checkpoint
}

// Filter narrows sessions, events and search hits. Zero fields match all.
type Filter struct {
	Sources []string
	// Project matches a case-insensitive substring of the project path.
	Project string
	Since   time.Time
	Until   time.Time
	// SessionID restricts to one session (a full id).
	SessionID string
	Kinds     []string
	Roles     []string
	// SeqFrom and SeqTo keep events with SeqFrom <= Seq < SeqTo (Events
	// only); 0 is no bound.
	SeqFrom int64
	SeqTo   int64
	Limit   int
}

// SearchQuery is a parsed query with its filters.
type SearchQuery struct {
	Query  Query
	Filter Filter
	// Mode is ModeHybrid, ModeFTS or ModeVector; "" lets the searcher
	// choose (hybrid once vectors exist, else full-text). A Store's own
	// Search is full-text whatever the mode.
	Mode string
	// PerSession caps the hits of one session, so that one long session
	// cannot fill the page; 0 for no cap.
	PerSession int
	// Explain asks for Hit.Explain.
	Explain bool
}

// Hit is one event that matched a search.
type Hit struct {
	SessionID string    `json:"session_id"`
	Seq       int64     `json:"seq"`
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"`
	Role      string    `json:"role,omitempty"`
	Tool      string    `json:"tool,omitempty"`
	// Snippet is plain text around the match; Highlights are the byte
	// ranges [start, end) within it that matched.
	Snippet    string   `json:"snippet"`
	Highlights [][2]int `json:"highlights"`
	// Score is higher for better matches.
	Score   float64 `json:"score"`
	Source  string  `json:"source"`
	Project string  `json:"project"`
	Title   string  `json:"title"`
	// Explain, when asked for, says how the hit was ranked.
	Explain *HitExplain `json:"explain,omitempty"`
}

// SourceStats counts what a store holds for one source.
type SourceStats struct {
	Source   string `json:"source"`
	Sessions int64  `json:"sessions"`
	Events   int64  `json:"events"`
	// Unrecognised counts raw records of types reel does not know.
	Unrecognised int64 `json:"unrecognised_records"`
	// Invalid counts raw records that could not be parsed.
	Invalid int64 `json:"invalid_records"`
}

// StoreStats describes a store.
type StoreStats struct {
	Driver    string        `json:"driver"`
	Location  string        `json:"location"`
	SizeBytes int64         `json:"size_bytes"`
	Sources   []SourceStats `json:"sources"`
}

// Store persists sessions, their events and raw records, and searches them.
// Implementations are safe for concurrent use by several goroutines and
// several processes.
type Store interface {
	// Apply writes batches atomically, all in one transaction: several
	// small batches are much cheaper together than one by one. Writing the
	// same batch twice leaves the store as writing it once. A batch's
	// checkpoints are upserted after its events, as PutCheckpoint does.
	// EINVALID if a batch is inconsistent (Batch.Validate), ECONFLICT if
	// a checkpoint's label names another checkpoint of its session; then
	// nothing is written.
	Apply(ctx context.Context, bs ...*Batch) error

	// Cursor returns the cursor of the source file at path.
	// ENOTFOUND if the file was never synced.
	Cursor(ctx context.Context, path string) (Cursor, error)

	// Session returns the session whose id is ref or starts with ref.
	// ENOTFOUND if none does, EAMBIGUOUS if several do.
	Session(ctx context.Context, ref string) (Session, error)

	// Sessions returns the sessions that match f, most recently active
	// first. Kinds and Roles are ignored.
	Sessions(ctx context.Context, f Filter) ([]Session, error)

	// Events returns a session's events in seq order, filtered by f's
	// Kinds, Roles, Since, Until, SeqFrom, SeqTo and Limit. ENOTFOUND if
	// there is no such session.
	Events(ctx context.Context, sessionID string, f Filter) ([]Event, error)

	// RawRecords calls fn for each raw record of a session in index order,
	// stopping at fn's first error. ENOTFOUND if there is no such session.
	RawRecords(ctx context.Context, sessionID string, fn func(RawRecord) error) error

	// Search returns the events that best match q, best first, at most
	// q.Filter.Limit (a store default when 0). Any query a user can type is
	// accepted; one with no positive term matches nothing.
	Search(ctx context.Context, q SearchQuery) ([]Hit, error)

	// PutCheckpoint writes c, replacing the checkpoint with its ID (in
	// whichever session), so that writing the same checkpoint twice
	// leaves one; its State is kept byte for byte. Apply never deletes
	// checkpoints: a session read again keeps them.
	//
	// ENOTFOUND if c's session (a full id) does not exist. EINVALID as
	// Checkpoint.Validate says, or if c.Seq is beyond the session's
	// EventCount (a checkpoint of a live session may mark the next
	// event, no later one). ECONFLICT, naming it, if another checkpoint
	// of the session has c's label.
	PutCheckpoint(ctx context.Context, c Checkpoint) error

	// Checkpoints returns a session's checkpoints ordered by seq, then
	// time (the zero time first), then id; an empty slice if it has none.
	// ENOTFOUND if there is no session with that full id.
	Checkpoints(ctx context.Context, sessionID string) ([]Checkpoint, error)

	// Stats counts what the store holds.
	Stats(ctx context.Context) (StoreStats, error)

	// Close releases the store.
	Close() error
}

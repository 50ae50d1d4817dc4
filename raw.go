package reel

// Raw record statuses.
const (
	// RecordOK is a record the parser modelled.
	RecordOK = "ok"
	// RecordUnknown is a well-formed record of a type reel does not know,
	// from a newer client for example. It is kept raw, its text is
	// searchable, and it is counted as unrecognised.
	RecordUnknown = "unknown"
	// RecordInvalid is a record that could not be parsed (a torn line,
	// broken JSON, a line over the size limit). It yields no events but is
	// kept, so export stays byte-identical.
	RecordInvalid = "invalid"
	// RecordDuplicate repeats a record already seen (the same uuid). It
	// yields no events.
	RecordDuplicate = "duplicate"
)

// RawRecord is one record of a source file exactly as read: for JSONL, one
// line with its terminator. Concatenating a session's raw records in Index
// order gives back the source file byte for byte.
type RawRecord struct {
	// Index is the 0-based position in the session's raw stream; for a
	// line-based file, its line number minus one.
	Index int64 `json:"index"`
	// Offset is the byte offset of Data in the source file.
	Offset int64 `json:"offset"`
	// Name says where the record came from when a session is made of
	// several files or rows: the file's path relative to the session's
	// root ("part/msg_1/prt_2.json") or the row's table and key
	// ("part:prt_2"). It is empty for a session read from one file.
	Name string `json:"name,omitempty"`
	Data []byte `json:"-"`
	// Type is the record type as the source names it ("user",
	// "response_item", ...), or "" when unknown.
	Type   string `json:"type,omitempty"`
	Status string `json:"status"`
	// Reason says why a record is invalid or unknown.
	Reason string `json:"reason,omitempty"`
}

// Line returns the 1-based line number of a line-based record.
func (r *RawRecord) Line() int64 { return r.Index + 1 }

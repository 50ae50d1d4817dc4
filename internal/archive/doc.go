// Package archive writes one session, with everything reel keeps of it,
// as one JSON document (the "reel" export format), and reads such a
// document back so that it can be imported into another store, losing
// nothing: exporting the imported session gives the same bytes again.
//
// # Format
//
// A document is one JSON object whose members come in this order:
//
//	{"format":"reel","version":1,
//	"session":{"id":"…","source":"claude-code","native_id":"…",…},
//	"raw":[
//	{"index":0,"offset":0,"type":"user","status":"ok","text":"{…}\n"},
//	{"index":1,"offset":812,"status":"invalid","reason":"…","base64":"…"}
//	],
//	"events":[
//	{"seq":0,"time":"2026-01-02T03:04:05.123Z","kind":"message","role":"user","text":"…","tokens":{…},"raw_index":0}
//	],
//	"checkpoints":[
//	{"id":"…","label":"before-deploy","time":"…","seq":12,"state":"{…}"}
//	]}
//
// "format" and "version" come first in every version, so any reel can
// tell what it is reading before it reads anything large. Write puts each
// element of an array on a line of its own, and its output depends only
// on the session, but a reader must not rely on line breaks.
//
// The session's members are those of reel.Session's JSON form. A raw
// record has index, offset, name, type, status and reason, and its data
// in one of two members: "text", the data as a JSON string, when it is
// valid UTF-8 (the empty record included); "base64", standard base64
// with padding, when it is not; neither when the store kept no data (a
// record too long to keep). An event has reel.Event's members but
// session_id, which is the session's; its "input" is the exact bytes of
// the tool input as a JSON string, not a nested value. A checkpoint has
// id, label, time, seq and "state", a string as input is. Times are RFC
// 3339 with nanoseconds. An event's or checkpoint's zero time and zero
// tokens are left out; the session's are written, the zero time as
// "0001-01-01T00:00:00Z".
//
// Strings are exact. A JSON string holds Unicode text only, so a byte of
// a string that is not UTF-8 (a path, a cut character in a tool's output)
// is written as U+FFFE and two lowercase hex digits, and a U+FFFE of the
// string as two U+FFFE. An ordinary string is written as it is.
//
// # Reading untrusted documents
//
// Read takes a document from anywhere, so it trusts nothing in it. It
// reads at most Limits.MaxBytes, decodes the arrays one element at a
// time, and checks each element before decoding the next: no count that
// the document claims is believed before the elements are there, and the
// decoded elements may hold at most 8 times the bytes read (plus 1 MiB),
// which those Write makes never come near (6 times for the smallest
// event, far less on average) but a crafted run of tiny elements would
// pass 30 times. So memory stays within a small multiple of the bytes
// read, whatever the document says. It refuses, with EINVALID naming the
// member and index:
//
//   - malformed or truncated JSON, bytes that are not UTF-8 (encoding/json
//     would turn them into U+FFFD), data after the document;
//   - a top-level member missing or out of order, and an unknown member
//     at any level: a document of this version never has one, and
//     ignoring it would drop whatever it meant. A change that adds a
//     member comes with a new version, and a document of a newer version
//     is refused with EUNSUPPORT and a hint. (A member missing inside an
//     element stands for its zero value, as Write omits empty ones.)
//   - a value of the wrong type, a number that does not fit int64, broken
//     base64, a malformed U+FFFE escape, a record with both text and
//     base64;
//   - sizes over Limits: the document, the number of raw records, events
//     and checkpoints, a record's data, a string; elements that would
//     hold more than 8 times the bytes read;
//   - inconsistencies: a session id that is not reel.SessionID(source,
//     native_id); raw indexes that are not 0, 1, 2, …; a negative offset,
//     or one that overflows with the record's length; event seqs that are
//     not 0, 1, 2, …, or more or fewer events than the session's
//     event_count; an event's raw_index that names no raw record; a
//     checkpoint with no id, an id or label that an earlier one has, or a
//     seq outside 0 to the number of events; a time that stores cannot
//     keep (reel.StorableTime).
//
// encoding/json matches member names without regard to case and keeps
// the last of repeated members; both are accepted, since every value is
// checked after decoding.
//
// # Exporting and importing
//
// FromStore builds a document from a store, and Write writes it. Sniff
// tells a document from other files by its first bytes. Import writes a
// document into a store: Batches turns it into batches for
// reel.Store.Apply that replace whatever the store holds of the session,
// under the cursor path "import://<session id>", so importing the same
// document twice leaves one session; then it puts the checkpoints. A
// session that the store holds from a sync of its own file is not
// replaced (ECONFLICT).
package archive

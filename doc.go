// Package reel is the domain of reel, a flight recorder for terminal and
// AI-coding-agent sessions.
//
// It defines the canonical model (Session, Event, RawRecord, Checkpoint), the
// service interfaces that the adapters under internal/ implement (Store,
// Importer), the search query language, and one error type with machine
// codes. It imports only the standard library, so every other package can
// depend on it and it depends on none of them.
package reel

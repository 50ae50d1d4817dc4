// Package ingest holds one reel.Importer per agent client: claude.go for
// Claude Code, codex.go for Codex. Each maps its client's files into the
// canonical model and keeps every record it cannot model as a raw record,
// so nothing is lost and export stays byte-identical.
//
// Importers only parse. Reading files, cursors, limits and the store are
// the sync engine's job (internal/syncer).
package ingest

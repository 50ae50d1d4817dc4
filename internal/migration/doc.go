// Package migration lists a store's embedded schema changes in order. Each
// store (internal/sqlite, internal/postgres) embeds its own migrations and
// applies them its own way; the files are named and ordered the same.
package migration

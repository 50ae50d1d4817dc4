// Package atomicfile replaces files so that a reader, or a crash, sees the
// old content or the new, never a mix: temp file in the same folder, write,
// fsync, close, rename, fsync the folder.
package atomicfile

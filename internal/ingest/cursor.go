package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/reel-sh/reel"
)

var (
	_ reel.Importer     = (*Cursor)(nil)
	_ reel.RecordReader = (*Cursor)(nil)
)

// Cursor imports the conversations of the Cursor editor and its agent,
// which it keeps in two places:
//
//   - Agent transcripts: ~/.cursor/projects/<workspace slug>/
//     agent-transcripts/<id>.jsonl or <id>/<id>.jsonl, one JSON line per
//     message ({role, message: {content: [blocks]}}), with no times or ids.
//     Each file is a reel.LayoutLines session.
//   - The editor's global state database, User/globalStorage/state.vscdb
//     under Cursor's configuration folder (~/.config/Cursor on Linux,
//     ~/Library/Application Support/Cursor on macOS). Its key-value table
//     cursorDiskKV holds each conversation ("composer") as a row
//     composerData:<composerId> and one row per message ("bubble")
//     bubbleId:<composerId>:<bubbleId>. Each composer is a
//     reel.LayoutCustom session of those rows: Cursor is its
//     reel.RecordReader.
//
// Discover tells which kind of root it was given by what it holds. A
// transcript of a conversation the editor's database also holds (the same
// id) is skipped when that database was discovered first by this
// importer: the database has the times, models and tool results the
// transcript lacks.
type Cursor struct {
	dbs *foreignDBs[*cursorIndex]

	mu        sync.Mutex
	composers map[string]map[string]bool // composer ids, by database path
}

// NewCursor returns the Cursor importer. Close it to release the database
// copies it keeps between calls.
func NewCursor() *Cursor {
	return &Cursor{dbs: newForeignDBs(cursorBuildIndex), composers: map[string]map[string]bool{}}
}

// Source returns reel.SourceCursor.
func (*Cursor) Source() string { return reel.SourceCursor }

// Close removes the private database copies the importer holds. It may be
// used again afterwards.
func (c *Cursor) Close() error { return c.dbs.Close() }

// cursorDBName is the file name of VS Code's and Cursor's state databases.
const cursorDBName = "state.vscdb"

// cursorTranscripts is the folder agent transcripts are kept in.
const cursorTranscripts = "agent-transcripts"

// cursorFindDB returns the state database root holds: root is the
// globalStorage folder, the User folder, or Cursor's configuration folder.
func cursorFindDB(root string) string {
	for _, rel := range []string{cursorDBName, filepath.Join("globalStorage", cursorDBName), filepath.Join("User", "globalStorage", cursorDBName)} {
		if fi, err := os.Stat(filepath.Join(root, rel)); err == nil && fi.Mode().IsRegular() {
			return filepath.Join(root, rel)
		}
	}
	return ""
}

// cursorTranscriptDirs returns the agent-transcripts folders under root:
// root is ~/.cursor, its projects folder, one project's folder, or an
// agent-transcripts folder itself.
func cursorTranscriptDirs(root string) []string {
	if filepath.Base(root) == cursorTranscripts {
		return []string{root}
	}
	var dirs []string
	for _, pattern := range []string{
		filepath.Join(root, cursorTranscripts),
		filepath.Join(root, "*", cursorTranscripts),
		filepath.Join(root, "projects", "*", cursorTranscripts),
	} {
		matches, _ := filepath.Glob(pattern) // only ErrBadPattern, and these are good
		for _, m := range matches {
			if opencodeIsDir(m) {
				dirs = append(dirs, m)
			}
		}
	}
	sort.Strings(dirs)
	return dirs
}

// Discover finds the sessions under root: the composers of a state
// database (root is the database or a folder holding it), then the agent
// transcripts, in path order. root may also be one transcript file.
func (c *Cursor) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	fi, err := os.Stat(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("discover cursor sessions: %w", err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return fmt.Errorf("discover cursor sessions: %w", err)
	}
	if !fi.IsDir() && strings.HasSuffix(root, ".jsonl") {
		// One transcript, named directly.
		id := strings.TrimSuffix(filepath.Base(root), ".jsonl")
		return fn(reel.SourceFile{Path: root, Source: reel.SourceCursor, NativeID: id, Layout: reel.LayoutLines})
	}
	db := root
	if fi.IsDir() {
		db = cursorFindDB(root)
	}
	if db != "" {
		if err := c.discoverDB(ctx, db, fn); err != nil {
			return fmt.Errorf("discover cursor sessions: %w", err)
		}
	}
	if !fi.IsDir() {
		return nil
	}
	for _, dir := range cursorTranscriptDirs(root) {
		if err := c.discoverTranscripts(ctx, dir, fn); err != nil {
			return fmt.Errorf("discover cursor sessions: %w", err)
		}
	}
	return nil
}

// discoverTranscripts calls fn for each transcript under dir, an
// agent-transcripts folder: <id>.jsonl, <id>/<id>.jsonl, and a subagent's
// <parent id>/subagents/<id>.jsonl.
func (c *Cursor) discoverTranscripts(ctx context.Context, dir string, fn func(reel.SourceFile) error) error {
	c.mu.Lock()
	known := map[string]bool{}
	for _, ids := range c.composers {
		for id := range ids {
			known[id] = true
		}
	}
	c.mu.Unlock()
	var files []reel.SourceFile
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".jsonl") {
			return nil
		}
		id := strings.TrimSuffix(d.Name(), ".jsonl")
		if known[id] {
			return nil
		}
		f := reel.SourceFile{Path: path, Source: reel.SourceCursor, NativeID: id, Layout: reel.LayoutLines}
		rel, _ := filepath.Rel(dir, path)
		if parts := strings.Split(filepath.ToSlash(rel), "/"); len(parts) >= 3 && parts[len(parts)-2] == "subagents" {
			f.ParentNativeID = parts[len(parts)-3]
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	for _, f := range files {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// NewParser returns a parser for a transcript or a composer.
func (*Cursor) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	if f.Layout == reel.LayoutLines {
		return newCursorTranscriptParser(f, state)
	}
	return newCursorComposerParser(f, state)
}

// Stamp returns the stamp of a composer's rows: their size, with their
// count and row ids (a rewritten row gets a new one) as its hash.
func (c *Cursor) Stamp(ctx context.Context, f reel.SourceFile) (reel.Stamp, error) {
	if f.Layout != reel.LayoutCustom {
		return reel.Stamp{}, reel.Errorf(reel.EINVALID, "cursor transcript %s is read by lines", f.Path)
	}
	var stamp reel.Stamp
	err := c.dbs.use(ctx, f.Path, func(s *foreignSnapshot[*cursorIndex]) error {
		var ok bool
		if stamp, ok = s.index.stamps[f.Key]; !ok {
			return reel.Errorf(reel.ENOTFOUND, "cursor composer %s is not in %s", f.Key, f.Path)
		}
		return nil
	})
	return stamp, err
}

// ReadRecords calls fn with a composer's rows: its composerData row, then
// its bubbles in conversation order.
func (c *Cursor) ReadRecords(ctx context.Context, f reel.SourceFile, fn func(reel.RawRecord) error) error {
	if f.Layout != reel.LayoutCustom {
		return reel.Errorf(reel.EINVALID, "cursor transcript %s is read by lines", f.Path)
	}
	var recs []reel.RawRecord
	err := c.dbs.use(ctx, f.Path, func(s *foreignSnapshot[*cursorIndex]) error {
		var err error
		recs, err = cursorReadRows(ctx, s.conn.db, f.Key)
		return err
	})
	if err != nil {
		return fmt.Errorf("read cursor composer %s: %w", f.Key, err)
	}
	// The copy is released before fn runs, as for opencode.
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

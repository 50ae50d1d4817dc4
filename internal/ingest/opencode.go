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

	"github.com/reel-sh/reel"
)

var (
	_ reel.Importer     = (*Opencode)(nil)
	_ reel.RecordReader = (*Opencode)(nil)
)

// Opencode imports the sessions of sst's opencode (github.com/sst/opencode,
// now anomalyco/opencode). It keeps them under its data folder,
// $XDG_DATA_HOME/opencode (by default ~/.local/share/opencode, on macOS
// too), in one of two forms:
//
//   - Since 2026, the SQLite database opencode.db (opencode-<channel>.db
//     for other release channels, or wherever $OPENCODE_DB says), with the
//     tables session, message and part, the last two holding each message
//     or part as JSON in a data column. Each session is read as its rows.
//   - Before that, a tree of JSON files under storage/: session/<project>/
//     <session>.json, message/<session>/<message>.json and part/<message>/
//     <part>.json. Each session is read as its files.
//
// opencode copies the file tree into the database once and leaves it, so a
// session in both is read from the database only. Every session is a
// reel.LayoutCustom source: Opencode is its reel.RecordReader.
type Opencode struct {
	dbs *foreignDBs[*opencodeIndex]
}

// NewOpencode returns the opencode importer. Close it to release the
// database copies it keeps between calls.
func NewOpencode() *Opencode {
	return &Opencode{dbs: newForeignDBs(opencodeBuildIndex)}
}

// Source returns reel.SourceOpencode.
func (*Opencode) Source() string { return reel.SourceOpencode }

// Close removes the private database copies the importer holds. It may be
// used again afterwards.
func (o *Opencode) Close() error { return o.dbs.Close() }

// opencodeDBName matches the database names of opencode's release
// channels: opencode.db, opencode-dev.db, ...
func opencodeDBName(name string) bool {
	return name == "opencode.db" || strings.HasPrefix(name, "opencode-") && strings.HasSuffix(name, ".db")
}

// opencodeStorage returns the folder holding the file tree under root: its
// storage folder, or root itself when it holds the tree's folders (a copy
// of storage/, as the public fixtures are). ok is false when there is none.
func opencodeStorage(root string) (dir string, ok bool) {
	if opencodeIsDir(filepath.Join(root, "storage")) {
		return filepath.Join(root, "storage"), true
	}
	if opencodeIsDir(filepath.Join(root, "message")) || opencodeIsDir(filepath.Join(root, "session")) {
		return root, true
	}
	return "", false
}

// opencodeIsDir reports whether path is a folder.
func opencodeIsDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// Discover finds the sessions under root: root is opencode's data folder
// (holding opencode*.db and storage/), a storage folder itself, or one
// database file. Sessions from databases come first, in database then id
// order, then sessions known only from files, in id order. A database that
// cannot be read does not keep the other databases' sessions from being
// found: its error is returned after them (and the file tree is left for
// the next sync).
func (o *Opencode) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	fi, err := os.Stat(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("discover opencode sessions: %w", err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return fmt.Errorf("discover opencode sessions: %w", err)
	}
	var dbs []string
	if !fi.IsDir() {
		dbs = []string{root}
	} else if dbs, err = opencodeDatabases(root); err != nil {
		return fmt.Errorf("discover opencode sessions: %w", err)
	}
	seen := map[string]bool{}
	var firstErr error
	for _, db := range dbs {
		files, err := o.discoverDB(ctx, db)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("discover opencode sessions: %w", err)
			}
			continue
		}
		for _, f := range files {
			if seen[f.NativeID] {
				continue // an older channel's copy of a session
			}
			seen[f.NativeID] = true
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	// The file tree is read only when every database could be: a session
	// opencode migrated would otherwise be read from its old files now and
	// from its rows later, as two sessions.
	if fi.IsDir() && firstErr == nil {
		files, err := opencodeDiscoverFiles(ctx, root)
		if err != nil {
			return fmt.Errorf("discover opencode sessions: %w", err)
		}
		for _, f := range files {
			if seen[f.NativeID] {
				continue
			}
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return firstErr
}

// opencodeDatabases lists the databases in the data folder root,
// opencode.db first.
func opencodeDatabases(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var dbs []string
	for _, e := range entries {
		if !opencodeDBName(e.Name()) {
			continue
		}
		// A link to a database counts; a folder of that name does not.
		if fi, err := os.Stat(filepath.Join(root, e.Name())); err == nil && fi.Mode().IsRegular() {
			dbs = append(dbs, filepath.Join(root, e.Name()))
		}
	}
	sort.Slice(dbs, func(i, j int) bool {
		mi, mj := filepath.Base(dbs[i]) == "opencode.db", filepath.Base(dbs[j]) == "opencode.db"
		if mi != mj {
			return mi
		}
		return dbs[i] < dbs[j]
	})
	return dbs, nil
}

// NewParser returns a parser for one session.
func (*Opencode) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := &opencodeParser{}
	if state != nil {
		if err := p.restore(state); err != nil {
			return nil, err
		}
		return p, nil
	}
	p.st.Version = opencodeStateVersion
	p.st.NativeID = f.NativeID
	if p.st.NativeID == "" {
		p.st.NativeID = f.Key
	}
	if f.ParentNativeID != "" {
		p.st.ParentID = reel.SessionID(reel.SourceOpencode, f.ParentNativeID)
	}
	return p, nil
}

// Stamp returns the stamp of f's session: for files, their count, total
// size and newest time with a digest of their names; for a database, its
// rows' count, size and newest time_updated.
func (o *Opencode) Stamp(ctx context.Context, f reel.SourceFile) (reel.Stamp, error) {
	if opencodeIsDir(f.Path) {
		return opencodeFilesStamp(f.Path, f.Key)
	}
	var stamp reel.Stamp
	err := o.dbs.use(ctx, f.Path, func(s *foreignSnapshot[*opencodeIndex]) error {
		var ok bool
		stamp, ok = s.index.stamps[f.Key]
		if !ok {
			return reel.Errorf(reel.ENOTFOUND, "opencode session %s is not in %s", f.Key, f.Path)
		}
		return nil
	})
	return stamp, err
}

// ReadRecords calls fn with each of f's records: files in message then
// part order, or rows in the same order.
func (o *Opencode) ReadRecords(ctx context.Context, f reel.SourceFile, fn func(reel.RawRecord) error) error {
	if opencodeIsDir(f.Path) {
		return opencodeReadFiles(ctx, f.Path, f.Key, fn)
	}
	var recs []reel.RawRecord
	err := o.dbs.use(ctx, f.Path, func(s *foreignSnapshot[*opencodeIndex]) error {
		var err error
		recs, err = opencodeReadRows(ctx, s, f.Key)
		return err
	})
	if err != nil {
		return fmt.Errorf("read opencode session %s: %w", f.Key, err)
	}
	// The copy is released before fn runs: fn may be slow, and other
	// sessions' reads share the copy's one connection.
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/reel-sh/reel"
)

var _ reel.Importer = (*Pi)(nil)

// Pi is the reel.Importer for the pi coding agent (badlogic/pi-mono). It
// reads the sessions pi keeps under $PI_CODING_AGENT_DIR/sessions (by
// default ~/.pi/agent/sessions): one folder per working directory, named
// after it ("--home-dev-app--"), holding one JSONL file per session named
// <timestamp>_<session id>.jsonl. A session's entries form a tree by id and
// parentId; branching appends to an earlier entry, so every branch stays in
// the file.
type Pi struct{}

// NewPi returns the pi importer.
func NewPi() *Pi { return &Pi{} }

// Source returns reel.SourcePi.
func (*Pi) Source() string { return reel.SourcePi }

const piExt = ".jsonl"

// Discover walks root (~/.pi/agent/sessions) and calls fn for every
// session file, folder by folder in name order. Files directly in root are
// read too, first: that is where pi writes when given a session folder of
// its own (--session-dir).
func (*Pi) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve pi sessions folder: %w", err)
	}
	entries, err := claudeReadDir(abs)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, claudeErrNotDir) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list pi sessions: %w", err)
	}
	files := piSessionFiles(abs, entries)
	for _, e := range entries {
		if !e.dir {
			continue
		}
		dir := filepath.Join(abs, e.name)
		sub, err := claudeReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, claudeErrNotDir) {
			continue // removed while we walked
		}
		if err != nil {
			return fmt.Errorf("list pi sessions in %s: %w", e.name, err)
		}
		files = append(files, piSessionFiles(dir, sub)...)
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// piSessionFiles returns the session files among a folder's entries.
func piSessionFiles(dir string, entries []claudeEntry) []reel.SourceFile {
	var files []reel.SourceFile
	for _, e := range entries {
		if !e.regular || strings.HasPrefix(e.name, ".") || !strings.HasSuffix(e.name, piExt) || e.name == piExt {
			continue
		}
		path := filepath.Join(dir, e.name)
		files = append(files, reel.SourceFile{
			Path:     path,
			Source:   reel.SourcePi,
			NativeID: piPathNativeID(path),
		})
	}
	return files
}

// piPathNativeID returns the session id a session file's name ends with,
// after the timestamp and an underscore, or the whole name without its
// extension when it has no underscore.
func piPathNativeID(path string) string {
	stem := strings.TrimSuffix(filepath.Base(path), piExt)
	if i := strings.LastIndexByte(stem, '_'); i >= 0 && i+1 < len(stem) {
		return stem[i+1:]
	}
	return stem
}

// NewParser returns a parser for f, resuming after the records that state
// describes when it is not nil.
func (*Pi) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := &piParser{}
	if len(state) > 0 {
		if err := p.restore(state); err != nil {
			return nil, err
		}
		return p, nil
	}
	p.st.Version = piStateVersion
	p.st.NativeID = f.NativeID
	if p.st.NativeID == "" {
		p.st.NativeID = piPathNativeID(f.Path)
	}
	if f.ParentNativeID != "" {
		p.st.ParentID = reel.SessionID(reel.SourcePi, f.ParentNativeID)
	}
	return p, nil
}

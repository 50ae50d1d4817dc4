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

var _ reel.Importer = (*Amp)(nil)

// Amp is the reel.Importer for Sourcegraph's Amp. It reads the thread files
// Amp keeps under $XDG_DATA_HOME/amp/threads (by default
// ~/.local/share/amp/threads, on macOS too): one T-<id>.json per thread,
// a whole JSON document that Amp rewrites as the thread grows, so each is
// read whole (reel.LayoutDocument).
type Amp struct{}

// NewAmp returns the Amp importer.
func NewAmp() *Amp { return &Amp{} }

// Source returns reel.SourceAmp.
func (*Amp) Source() string { return reel.SourceAmp }

const (
	ampPrefix = "T-"
	ampExt    = ".json"
)

// Discover lists root (the threads folder) and calls fn for every thread
// file, in name order.
func (*Amp) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve amp threads folder: %w", err)
	}
	entries, err := os.ReadDir(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list amp threads: %w", err)
	}
	var files []reel.SourceFile
	for _, e := range entries {
		id, ok := ampThreadID(e.Name())
		if !ok {
			continue
		}
		path := filepath.Join(abs, e.Name())
		if !droidIsFile(path, e) {
			continue
		}
		files = append(files, reel.SourceFile{Path: path, Source: reel.SourceAmp, NativeID: id, Layout: reel.LayoutDocument})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
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

// ampThreadID returns the thread id a file name carries: T-<id>.json.
func ampThreadID(name string) (string, bool) {
	if !strings.HasPrefix(name, ampPrefix) || !strings.HasSuffix(name, ampExt) {
		return "", false
	}
	id := strings.TrimSuffix(name, ampExt)
	if len(id) == len(ampPrefix) {
		return "", false
	}
	return id, true
}

// NewParser returns a parser for one thread file. A thread is a document,
// read whole by every parser, so state is never needed to resume.
func (*Amp) NewParser(f reel.SourceFile, _ []byte) (reel.Parser, error) {
	return &ampParser{file: f}, nil
}

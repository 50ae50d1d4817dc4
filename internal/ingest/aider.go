package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/reel-sh/reel"
)

var (
	_ reel.Importer     = (*Aider)(nil)
	_ reel.RecordReader = (*Aider)(nil)
)

// Aider imports the chat logs that aider appends to .aider.chat.history.md
// in the repository it runs in. There is no central folder: each root is a
// repository (or a folder of repositories, or the history file itself).
// Every aider launch starts a run with "# aider chat started at <time>",
// and each run is one session: a slice of the file (reel.LayoutCustom)
// keyed by its start time.
type Aider struct {
	// loc is the zone aider's naive header times are read in: aider writes
	// the local time of the machine it ran on.
	loc   *time.Location
	cache fileCache[*aiderHistory]
}

// NewAider returns the aider importer, reading header times as local time.
func NewAider() *Aider { return &Aider{loc: time.Local} }

// Source returns reel.SourceAider.
func (*Aider) Source() string { return reel.SourceAider }

// aiderHistoryName is the file aider writes unless --chat-history-file
// names another.
const aiderHistoryName = ".aider.chat.history.md"

// Discover calls fn for every run of every history file root holds: the
// root itself when it is a file, else <root>/.aider.chat.history.md and
// <root>/*/.aider.chat.history.md, in path order, and runs in file order.
func (a *Aider) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve aider root: %w", err)
	}
	info, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("discover aider histories: %w", err)
	}
	paths := []string{abs}
	if info.IsDir() {
		if paths, err = aiderHistories(abs); err != nil {
			return fmt.Errorf("discover aider histories: %w", err)
		}
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := a.loadHistory(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since it was listed
		}
		if err != nil {
			return fmt.Errorf("discover aider histories: %w", err)
		}
		for _, r := range h.runs {
			f := reel.SourceFile{
				Path:     p,
				Source:   reel.SourceAider,
				NativeID: aiderNativeID(p, r.key),
				Layout:   reel.LayoutCustom,
				Key:      r.key,
			}
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// aiderHistories returns the history files of the repository dir and of
// its direct subfolders. Deeper folders are not searched: a root names
// repositories, not a tree to crawl.
func aiderHistories(dir string) ([]string, error) {
	var paths []string
	if aiderIsFile(filepath.Join(dir, aiderHistoryName)) {
		paths = append(paths, filepath.Join(dir, aiderHistoryName))
	}
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		p := filepath.Join(dir, e.Name(), aiderHistoryName)
		if aiderIsFile(p) {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

func aiderIsFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// aiderNativeID names a run by its file and key: aider has no session ids.
func aiderNativeID(path, key string) string { return path + "#" + key }

// Stamp returns the run's length and a hash of its bytes. The file's time
// is left out on purpose: aider appends, and a new run must not make the
// runs before it look changed.
func (a *Aider) Stamp(_ context.Context, f reel.SourceFile) (reel.Stamp, error) {
	_, r, err := a.run(f)
	if err != nil {
		return reel.Stamp{}, err
	}
	return reel.Stamp{Size: r.end - r.off, Hash: r.hash}, nil
}

// ReadRecords calls fn with each line of the run, terminator included, at
// its offset in the file.
func (a *Aider) ReadRecords(ctx context.Context, f reel.SourceFile, fn func(reel.RawRecord) error) error {
	h, r, err := a.run(f)
	if err != nil {
		return err
	}
	var idx int64
	for off := r.off; off < r.end; idx++ {
		if idx%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		end := aiderLineEnd(h.data, off, r.end)
		rec := reel.RawRecord{Index: idx, Offset: off, Data: h.data[off:end]}
		if len(bytes.TrimSpace(rec.Data)) == 0 {
			// No parser sees a blank line; it is kept as the line
			// reader keeps one.
			rec.Type, rec.Status = "blank", reel.RecordOK
		}
		if err := fn(rec); err != nil {
			return err
		}
		off = end
	}
	return nil
}

// run finds f's run in the current contents of its file.
func (a *Aider) run(f reel.SourceFile) (*aiderHistory, aiderRun, error) {
	h, err := a.loadHistory(f.Path)
	if err != nil {
		return nil, aiderRun{}, fmt.Errorf("read aider history: %w", err)
	}
	r, ok := h.find(f.Key)
	if !ok {
		return nil, aiderRun{}, reel.Errorf(reel.ENOTFOUND, "read aider history: run %q is no longer in %s", f.Key, f.Path)
	}
	return h, r, nil
}

// NewParser returns a parser for one run. It looks the run up in the file
// to learn where its last line is: aider's messages span many lines, and
// the parser must know when the run ends to give back its last message.
func (a *Aider) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	if state != nil {
		p := &aiderParser{}
		if err := p.restore(state); err != nil {
			return nil, err
		}
		return p, nil
	}
	_, r, err := a.run(f)
	if err != nil {
		return nil, err
	}
	nativeID := f.NativeID
	if nativeID == "" {
		nativeID = aiderNativeID(f.Path, f.Key)
	}
	return newAiderParser(nativeID, filepath.Dir(f.Path), r, a.loc), nil
}

// aiderLineEnd returns the offset just past the line starting at off, or limit.
func aiderLineEnd(data []byte, off, limit int64) int64 {
	for i := off; i < limit; i++ {
		if data[i] == '\n' {
			return i + 1
		}
	}
	return limit
}

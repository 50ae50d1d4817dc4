package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

var (
	_ reel.Importer     = (*ShellHistory)(nil)
	_ reel.RecordReader = (*ShellHistory)(nil)
)

// ShellHistory imports the history files of bash, zsh and fish. Each
// command is a command event; a file's commands are grouped into one
// session per shell and local day, so a file holds many sessions, each a
// set of the file's entries (reel.LayoutCustom) keyed by its day.
type ShellHistory struct {
	// loc is the zone whose days sessions follow.
	loc   *time.Location
	cache fileCache[*shellFile]
}

// NewShellHistory returns the shell history importer, grouping commands by
// local day.
func NewShellHistory() *ShellHistory { return &ShellHistory{loc: time.Local} }

// Source returns reel.SourceShellHistory.
func (*ShellHistory) Source() string { return reel.SourceShellHistory }

// shellFolderFiles are the history files looked for in a folder root:
// a home folder, ~/.local/share or ~/.local/share/fish.
var shellFolderFiles = []string{
	".bash_history",
	".zsh_history",
	".zhistory",
	".histfile",
	"fish_history",
	filepath.Join("fish", "fish_history"),
}

// Discover calls fn for every day of every history file root holds: the
// root itself when it is a file, else the usual history files directly in
// the folder (shellFolderFiles). Days come in order, "undated" alone.
func (s *ShellHistory) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve shell history root: %w", err)
	}
	info, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("discover shell history: %w", err)
	}
	paths := []string{abs}
	if info.IsDir() {
		paths = paths[:0]
		for _, name := range shellFolderFiles {
			if p := filepath.Join(abs, name); shellIsFile(p) {
				paths = append(paths, p)
			}
		}
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := s.loadHistory(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("discover shell history: %w", err)
		}
		for _, d := range h.days {
			f := reel.SourceFile{
				Path:     p,
				Source:   reel.SourceShellHistory,
				NativeID: shellNativeID(h.shell, p, d.key),
				Layout:   reel.LayoutCustom,
				Key:      d.key,
			}
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// shellNativeID names a day of a history file.
func shellNativeID(shell, path, day string) string {
	return shell + ":" + path + ":" + day
}

// shellOfNativeID returns the shell a native id starts with, or "".
func shellOfNativeID(id string) string {
	shell, _, ok := strings.Cut(id, ":")
	switch {
	case !ok:
		return ""
	case shell == shellBash, shell == shellZsh, shell == shellFish:
		return shell
	}
	return ""
}

// Stamp returns the length and a hash of the day's entries. The file's
// time is left out on purpose: a shell appends, and today's commands must
// not make the days before look changed.
func (s *ShellHistory) Stamp(_ context.Context, f reel.SourceFile) (reel.Stamp, error) {
	_, d, err := s.day(f)
	if err != nil {
		return reel.Stamp{}, err
	}
	return reel.Stamp{Size: d.size, Hash: d.hash}, nil
}

// ReadRecords calls fn with each of the day's entries, exactly as the file
// holds them, in file order.
func (s *ShellHistory) ReadRecords(ctx context.Context, f reel.SourceFile, fn func(reel.RawRecord) error) error {
	h, d, err := s.day(f)
	if err != nil {
		return err
	}
	var idx int64
	for i, e := range h.entries {
		if e.day != d.index {
			continue
		}
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec := reel.RawRecord{Index: idx, Offset: e.off, Data: h.data[e.off:e.end]}
		if len(bytes.TrimSpace(rec.Data)) == 0 {
			rec.Type, rec.Status = "blank", reel.RecordOK // no parser sees it
		}
		if err := fn(rec); err != nil {
			return err
		}
		idx++
	}
	return nil
}

// day finds f's day in the current contents of its file.
func (s *ShellHistory) day(f reel.SourceFile) (*shellFile, shellDay, error) {
	h, err := s.loadHistory(f.Path)
	if err != nil {
		return nil, shellDay{}, fmt.Errorf("read shell history: %w", err)
	}
	for _, d := range h.days {
		if d.key == f.Key {
			return h, d, nil
		}
	}
	return nil, shellDay{}, reel.Errorf(reel.ENOTFOUND, "read shell history: no commands of %s are left in %s", f.Key, f.Path)
}

// NewParser returns a parser for one day of a history file. The shell is
// the native id's prefix, or found from the file when the id lacks it.
func (s *ShellHistory) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	if state != nil {
		p := &shellParser{}
		if err := p.restore(state); err != nil {
			return nil, err
		}
		return p, nil
	}
	shell := shellOfNativeID(f.NativeID)
	if shell == "" {
		var err error
		if shell, err = DetectShellHistory(f.Path); err != nil {
			return nil, err
		}
	}
	nativeID := f.NativeID
	if nativeID == "" {
		nativeID = shellNativeID(shell, f.Path, f.Key)
	}
	return newShellParser(shell, nativeID, f.Key), nil
}

func shellIsFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

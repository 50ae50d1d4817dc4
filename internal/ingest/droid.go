package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/reel-sh/reel"
)

var _ reel.Importer = (*Droid)(nil)

// Droid is the reel.Importer for Factory's Droid CLI. It reads the JSONL
// sessions under ~/.factory/sessions: one <id>.jsonl per session, in a
// folder named after the working directory or, from older clients,
// directly in sessions/. Beside each may sit <id>.settings.json, which
// holds what the JSONL does not: the model, the reasoning effort, the
// autonomy mode and the session's token usage; reel takes the model and
// the tokens from it.
type Droid struct{}

// NewDroid returns the Droid importer.
func NewDroid() *Droid { return &Droid{} }

// Source returns reel.SourceDroid.
func (*Droid) Source() string { return reel.SourceDroid }

const (
	droidExt         = ".jsonl"
	droidSettingsExt = ".settings.json"
	// droidSettingsLimit bounds the sidecar read: it holds a few fields.
	droidSettingsLimit = 1 << 20
)

// Discover walks root (~/.factory/sessions) and calls fn for every
// session file, in path order. Folder names encode the working directory
// lossily, so they are never used for anything but walking.
func (*Droid) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve droid sessions folder: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("discover droid sessions: %w", err)
	}
	var files []reel.SourceFile
	err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path != abs {
				return nil // pruned while we walked
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != abs && strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, droidExt) || !droidIsFile(path, d) {
			return nil
		}
		stem := strings.TrimSuffix(name, droidExt)
		if stem == "" {
			return nil
		}
		files = append(files, reel.SourceFile{Path: path, Source: reel.SourceDroid, NativeID: stem, Layout: reel.LayoutLines})
		return nil
	})
	if err != nil {
		return fmt.Errorf("discover droid sessions: %w", err)
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

// NewParser returns a parser for f, resuming after the records that state
// describes when it is not nil. It reads the <id>.settings.json sidecar,
// if any, for the model and token usage; a missing or broken sidecar is
// not an error. The sidecar is read again by every new parser, so what a
// sync reports is the sidecar as of that sync.
func (*Droid) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := newDroidParser(f)
	if len(state) > 0 {
		if err := p.restore(state); err != nil {
			return nil, err
		}
	}
	p.settings = droidReadSettings(strings.TrimSuffix(f.Path, droidExt) + droidSettingsExt)
	return p, nil
}

// droidIsFile reports whether a walked entry is a regular file or a link
// to one.
func droidIsFile(path string, d fs.DirEntry) bool {
	if d.Type()&fs.ModeSymlink != 0 {
		fi, err := os.Stat(path)
		return err == nil && fi.Mode().IsRegular()
	}
	return d.Type().IsRegular()
}

// droidSettings is what the sidecar says about a session that reel's
// model has a place for. The reasoning effort and autonomy mode it also
// holds have none, so they are left in the file.
type droidSettings struct {
	Model  string
	Tokens reel.Tokens
}

// droidReadSettings reads a settings sidecar, or returns the zero value.
func droidReadSettings(path string) droidSettings {
	fh, err := os.Open(path)
	if err != nil {
		return droidSettings{}
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, droidSettingsLimit))
	if err != nil || !json.Valid(data) {
		return droidSettings{}
	}
	o := codexDecode(data)
	if o == nil {
		return droidSettings{}
	}
	s := droidSettings{Model: o.str("model")}
	if u := o.obj("tokenUsage"); u != nil {
		s.Tokens = reel.Tokens{
			Input:         max(0, claudeInt(u["inputTokens"])),
			Output:        max(0, claudeInt(u["outputTokens"])),
			CacheRead:     max(0, claudeInt(u["cacheReadTokens"])),
			CacheCreation: max(0, claudeInt(u["cacheCreationTokens"])),
			Reasoning:     max(0, claudeInt(u["thinkingTokens"])),
		}
	}
	return s
}

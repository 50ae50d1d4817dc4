package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/reel-sh/reel"
)

var _ reel.Importer = (*Codex)(nil)

// Codex imports the session rollouts that OpenAI's Codex CLI writes under
// $CODEX_HOME/sessions (by default ~/.codex/sessions), one JSONL file per
// session: YYYY/MM/DD/rollout-<timestamp>-<uuid>.jsonl, sometimes
// zstd-compressed as .jsonl.zst.
type Codex struct{}

// NewCodex returns the Codex importer.
func NewCodex() *Codex { return &Codex{} }

// Source returns reel.SourceCodex.
func (*Codex) Source() string { return reel.SourceCodex }

// Rollout file names end in .jsonl, or .jsonl.zst once Codex (or the user)
// compressed an old session.
const (
	codexPrefix     = "rollout-"
	codexExt        = ".jsonl"
	codexCompressed = ".jsonl.zst"
)

// codexUUIDSuffix finds the session uuid at the end of a rollout file stem.
var codexUUIDSuffix = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Discover walks root recursively and calls fn for every rollout file, in
// path order. Codex itself nests them by date, but any depth is accepted so
// that copied or hand-arranged trees still import. When a session exists both
// plain and compressed, the plain file wins: it is the one Codex may still be
// appending to.
func (*Codex) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	if _, err := os.Stat(root); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("discover codex sessions: %w", err)
	}
	found := map[string]reel.SourceFile{} // by folder and stem
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		stem, compressed, ok := codexRolloutStem(d.Name())
		if !ok {
			return nil
		}
		key := filepath.Join(filepath.Dir(path), stem)
		if prev, seen := found[key]; seen && (compressed || !prev.Compressed) {
			return nil
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		found[key] = reel.SourceFile{
			Path:       abs,
			Source:     reel.SourceCodex,
			NativeID:   codexNativeID(stem),
			Compressed: compressed,
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("discover codex sessions: %w", err)
	}
	files := make([]reel.SourceFile, 0, len(found))
	for _, f := range found {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("discover codex sessions: %w", err)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// codexRolloutStem returns the name of a rollout file without its
// extension, and whether it is compressed.
func codexRolloutStem(name string) (stem string, compressed, ok bool) {
	if !strings.HasPrefix(name, codexPrefix) {
		return "", false, false
	}
	switch {
	case strings.HasSuffix(name, codexCompressed):
		return strings.TrimSuffix(name, codexCompressed), true, true
	case strings.HasSuffix(name, codexExt):
		return strings.TrimSuffix(name, codexExt), false, true
	}
	return "", false, false
}

// codexNativeID returns the session uuid a rollout stem ends with, or the
// whole stem when it carries none.
func codexNativeID(stem string) string {
	if id := codexUUIDSuffix.FindString(stem); id != "" {
		return strings.ToLower(id)
	}
	return stem
}

// codexPathNativeID is codexNativeID for a path of any extension.
func codexPathNativeID(path string) string {
	name := filepath.Base(path)
	if stem, _, ok := codexRolloutStem(name); ok {
		return codexNativeID(stem)
	}
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".zst"), codexExt)
	return codexNativeID(name)
}

// NewParser returns a parser for one rollout file, resumed from state when
// state is not nil.
func (*Codex) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := &codexParser{}
	if state != nil {
		if err := p.restore(state); err != nil {
			return nil, err
		}
		return p, nil
	}
	p.st.Version = codexStateVersion
	p.st.NativeID = f.NativeID
	if p.st.NativeID == "" {
		p.st.NativeID = codexPathNativeID(f.Path)
	}
	if f.ParentNativeID != "" {
		p.st.ParentID = reel.SessionID(reel.SourceCodex, f.ParentNativeID)
	}
	return p, nil
}

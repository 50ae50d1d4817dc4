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
	"strings"

	"github.com/reel-sh/reel"
)

var _ reel.Importer = (*Claude)(nil)

// Claude is the reel.Importer for Claude Code. It reads the JSONL
// transcripts under ~/.claude/projects: one file per session, and one per
// subagent, either beside the session (agent-<id>.jsonl, older clients) or
// under <session-id>/subagents/ with an optional agent-<id>.meta.json.
type Claude struct{}

// NewClaude returns the Claude Code importer.
func NewClaude() *Claude { return &Claude{} }

// Source returns reel.SourceClaudeCode.
func (*Claude) Source() string { return reel.SourceClaudeCode }

const (
	claudeExt          = ".jsonl"
	claudeMetaExt      = ".meta.json"
	claudeAgentPrefix  = "agent-"
	claudeSubagentsDir = "subagents"
	// claudeMetaLimit bounds the sidecar read: it holds a few short
	// fields, so anything larger is not one.
	claudeMetaLimit = 1 << 20
)

// Discover walks root (~/.claude/projects) and calls fn for every session
// and subagent transcript, project folder by project folder in name order;
// within a folder, sessions and old-layout subagents come first, then the
// subagents of each session folder. Project folder names are never used
// for anything but walking: they encode the working directory lossily.
func (*Claude) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve claude projects folder: %w", err)
	}
	projects, err := claudeReadDir(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list claude projects: %w", err)
	}
	for _, p := range projects {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !p.dir {
			continue
		}
		files, err := claudeDiscoverProject(filepath.Join(abs, p.name))
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// claudeDiscoverProject lists the transcripts of one project folder.
func claudeDiscoverProject(dir string) ([]reel.SourceFile, error) {
	entries, err := claudeReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		// The client prunes old projects; one vanishing mid-walk is normal.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list claude project %s: %w", filepath.Base(dir), err)
	}
	var files, subagents []reel.SourceFile
	for _, e := range entries {
		if e.dir {
			found, err := claudeDiscoverSubagents(filepath.Join(dir, e.name), e.name)
			if err != nil {
				return nil, err
			}
			subagents = append(subagents, found...)
			continue
		}
		if stem, ok := claudeTranscriptStem(e); ok {
			files = append(files, reel.SourceFile{
				Path:     filepath.Join(dir, e.name),
				Source:   reel.SourceClaudeCode,
				NativeID: stem,
			})
		}
	}
	return append(files, subagents...), nil
}

// claudeDiscoverSubagents lists <session>/subagents/agent-<id>.jsonl.
func claudeDiscoverSubagents(sessionDir, sessionID string) ([]reel.SourceFile, error) {
	dir := filepath.Join(sessionDir, claudeSubagentsDir)
	entries, err := claudeReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, claudeErrNotDir) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list claude subagents of %s: %w", sessionID, err)
	}
	var files []reel.SourceFile
	for _, e := range entries {
		stem, ok := claudeTranscriptStem(e)
		if !ok || !strings.HasPrefix(stem, claudeAgentPrefix) {
			continue
		}
		files = append(files, reel.SourceFile{
			Path:           filepath.Join(dir, e.name),
			Source:         reel.SourceClaudeCode,
			NativeID:       stem,
			ParentNativeID: sessionID,
		})
	}
	return files, nil
}

// claudeTranscriptStem returns the native id of a transcript file entry.
func claudeTranscriptStem(e claudeEntry) (string, bool) {
	if !e.regular || strings.HasPrefix(e.name, ".") || !strings.HasSuffix(e.name, claudeExt) {
		return "", false
	}
	stem := strings.TrimSuffix(e.name, claudeExt)
	if stem == "" || stem == claudeAgentPrefix {
		return "", false
	}
	return stem, true
}

// claudeEntry is a directory entry with symbolic links resolved.
type claudeEntry struct {
	name    string
	dir     bool
	regular bool
}

var claudeErrNotDir = errors.New("not a directory")

// claudeReadDir lists dir in name order, following symbolic links so that
// a linked project folder or transcript is found like a real one.
func claudeReadDir(dir string) ([]claudeEntry, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, claudeErrNotDir
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := make([]claudeEntry, 0, len(des))
	for _, de := range des {
		mode := de.Type()
		if mode&fs.ModeSymlink != 0 {
			fi, err := os.Stat(filepath.Join(dir, de.Name()))
			if err != nil {
				continue // a dangling link names nothing to read
			}
			mode = fi.Mode().Type()
		}
		out = append(out, claudeEntry{name: de.Name(), dir: mode.IsDir(), regular: mode.IsRegular()})
	}
	return out, nil
}

// NewParser returns a parser for f, resuming after the records that state
// describes when it is not nil. For a subagent it reads the
// agent-<id>.meta.json sidecar, if any, for the title; a missing or
// broken sidecar is not an error.
func (*Claude) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := newClaudeParser(f)
	if len(state) > 0 {
		if err := p.restore(state); err != nil {
			return nil, err
		}
	}
	if p.agent {
		p.metaTitle = claudeReadAgentMeta(strings.TrimSuffix(f.Path, claudeExt) + claudeMetaExt)
	}
	return p, nil
}

// claudeReadAgentMeta returns the title a subagent sidecar gives, or "".
// The sidecar holds the agent type ("Explore") and the short description
// the parent gave the task ("Map endpoints").
func claudeReadAgentMeta(path string) string {
	fh, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, claudeMetaLimit))
	if err != nil {
		return ""
	}
	var meta struct {
		AgentType   json.RawMessage `json:"agentType"`
		Description json.RawMessage `json:"description"`
	}
	if json.Unmarshal(data, &meta) != nil {
		return ""
	}
	if d := claudeTitle(claudeString(meta.Description)); d != "" {
		return d
	}
	return claudeTitle(claudeString(meta.AgentType))
}

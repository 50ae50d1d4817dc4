package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/reel-sh/reel"
)

var _ reel.Importer = (*Gemini)(nil)

// Gemini is the reel.Importer for Google's Gemini CLI. It reads the chats
// the CLI records under $GEMINI_CLI_HOME/.gemini/tmp (by default
// ~/.gemini/tmp), one folder per project:
//
//	<project>/.project_root                    the project's path (newer CLIs)
//	<project>/chats/session-<time>-<id8>.jsonl a session, one record a line
//	<project>/chats/session-<time>-<id8>.json  an older session, one document
//	<project>/chats/<session id>/<id>.jsonl    a subagent of that session
//
// The project folder is named by a hash of the project's path in older CLIs
// and by a short slug in newer ones; neither is read for anything.
type Gemini struct{}

// NewGemini returns the Gemini CLI importer.
func NewGemini() *Gemini { return &Gemini{} }

// Source returns reel.SourceGemini.
func (*Gemini) Source() string { return reel.SourceGemini }

const (
	geminiChatsDir      = "chats"
	geminiSessionPrefix = "session-"
	geminiLinesExt      = ".jsonl"
	geminiDocumentExt   = ".json"
	geminiProjectRoot   = ".project_root"
	// geminiProjectRootLimit bounds the marker read: it holds one path.
	geminiProjectRootLimit = 1 << 12
)

// Discover walks root (~/.gemini/tmp) and calls fn for every session and
// subagent chat, project folder by project folder in name order; within a
// folder, sessions come first, then the subagents of each session. A root
// that itself holds a chats folder is read as a single project. When a
// session exists both as .json and .jsonl, only the .jsonl is read: the CLI
// converts an older session to .jsonl when it resumes it, copying every
// message, and leaves the .json behind.
func (*Gemini) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve gemini folder: %w", err)
	}
	entries, err := claudeReadDir(abs)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, claudeErrNotDir) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list gemini projects: %w", err)
	}
	var projects []string
	for _, e := range entries {
		if e.dir && e.name == geminiChatsDir {
			projects = []string{abs}
			break
		}
		if e.dir {
			projects = append(projects, filepath.Join(abs, e.name))
		}
	}
	for _, dir := range projects {
		if err := ctx.Err(); err != nil {
			return err
		}
		files, err := geminiDiscoverProject(dir)
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

// geminiDiscoverProject lists the chats of one project folder.
func geminiDiscoverProject(dir string) ([]reel.SourceFile, error) {
	chats := filepath.Join(dir, geminiChatsDir)
	entries, err := claudeReadDir(chats)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, claudeErrNotDir) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list gemini chats of %s: %w", filepath.Base(dir), err)
	}
	lines := map[string]bool{}
	for _, e := range entries {
		if e.regular && strings.HasSuffix(e.name, geminiLinesExt) {
			lines[strings.TrimSuffix(e.name, geminiLinesExt)] = true
		}
	}
	var files, subagents []reel.SourceFile
	for _, e := range entries {
		if e.dir {
			found, err := geminiDiscoverSubagents(filepath.Join(chats, e.name), e.name)
			if err != nil {
				return nil, err
			}
			subagents = append(subagents, found...)
			continue
		}
		if !e.regular || !strings.HasPrefix(e.name, geminiSessionPrefix) {
			continue
		}
		stem, layout, ok := geminiChatStem(e.name)
		if !ok || (layout == reel.LayoutDocument && lines[stem]) {
			continue
		}
		files = append(files, reel.SourceFile{
			Path:     filepath.Join(chats, e.name),
			Source:   reel.SourceGemini,
			NativeID: stem,
			Layout:   layout,
		})
	}
	return append(files, subagents...), nil
}

// geminiDiscoverSubagents lists chats/<session id>/<agent id>.jsonl, the
// chats of the subagents that session ran.
func geminiDiscoverSubagents(dir, parent string) ([]reel.SourceFile, error) {
	entries, err := claudeReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, claudeErrNotDir) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list gemini subagents of %s: %w", parent, err)
	}
	var files []reel.SourceFile
	for _, e := range entries {
		if !e.regular || strings.HasPrefix(e.name, ".") {
			continue
		}
		stem, layout, ok := geminiChatStem(e.name)
		if !ok {
			continue
		}
		files = append(files, reel.SourceFile{
			Path:           filepath.Join(dir, e.name),
			Source:         reel.SourceGemini,
			NativeID:       stem,
			ParentNativeID: parent,
			Layout:         layout,
		})
	}
	return files, nil
}

// geminiChatStem returns a chat file's name without its extension and the
// layout its extension implies.
func geminiChatStem(name string) (string, reel.Layout, bool) {
	switch {
	case strings.HasSuffix(name, geminiLinesExt):
		stem := strings.TrimSuffix(name, geminiLinesExt)
		return stem, reel.LayoutLines, stem != ""
	case strings.HasSuffix(name, geminiDocumentExt):
		stem := strings.TrimSuffix(name, geminiDocumentExt)
		return stem, reel.LayoutDocument, stem != ""
	}
	return "", 0, false
}

// NewParser returns a parser for f, resuming after the records that state
// describes when it is not nil. The project's path comes from the
// .project_root marker of the chat's project folder, when there is one.
func (*Gemini) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := newGeminiParser(f)
	if len(state) > 0 {
		if err := p.restore(state); err != nil {
			return nil, err
		}
	}
	if p.st.Project == "" {
		p.st.Project = geminiReadProjectRoot(f.Path)
	}
	return p, nil
}

// geminiReadProjectRoot returns the path in the .project_root marker of
// the project folder that holds the chat at path, or "".
func geminiReadProjectRoot(path string) string {
	dir := filepath.Dir(path)
	for range 2 {
		if filepath.Base(dir) == geminiChatsDir {
			return geminiReadMarker(filepath.Join(filepath.Dir(dir), geminiProjectRoot))
		}
		dir = filepath.Dir(dir)
	}
	return ""
}

// geminiReadMarker returns the trimmed contents of a small text file, or
// "" when it is missing, too large or not text.
func geminiReadMarker(path string) string {
	fh, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, geminiProjectRootLimit+1))
	if err != nil || len(data) > geminiProjectRootLimit {
		return ""
	}
	s := strings.TrimSpace(string(data))
	if strings.ContainsAny(s, "\n\x00") || !utf8.ValidString(s) {
		return ""
	}
	return s
}

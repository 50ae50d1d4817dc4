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

var _ reel.Importer = (*Copilot)(nil)

// Copilot is the reel.Importer for GitHub Copilot, in the two clients that
// keep sessions on disk:
//
//   - The Copilot CLI, under ~/.copilot/session-state (or
//     $COPILOT_HOME/session-state): <id>/events.jsonl with workspace.yaml
//     beside it, or <id>.jsonl from older versions. Each line is an event
//     (session.start, user.message, assistant.message, tool.execution_*).
//   - Copilot Chat in VS Code, under the editor's User folder
//     (~/.config/Code/User, ~/Library/Application Support/Code/User, and
//     the same for Code - Insiders): workspaceStorage/<hash>/chatSessions
//     holds each chat as a whole JSON document (<id>.json) or, in newer
//     VS Code, as a log of mutations to that document (<id>.jsonl);
//     globalStorage/emptyWindowChatSessions holds the chats of windows with
//     no folder; and workspaceStorage/<hash>/GitHub.copilot-chat/transcripts
//     holds the extension's own event stream of each session, in the CLI's
//     event format. workspace.json in the <hash> folder names the project.
//
// Discover recognises which of these it was given by what the folder
// holds, so each default location is simply another root.
type Copilot struct{}

// NewCopilot returns the GitHub Copilot importer.
func NewCopilot() *Copilot { return &Copilot{} }

// Source returns reel.SourceCopilot.
func (*Copilot) Source() string { return reel.SourceCopilot }

// Names of the folders and files the clients write.
const (
	copilotSessionState     = "session-state"
	copilotWorkspaceStorage = "workspaceStorage"
	copilotGlobalStorage    = "globalStorage"
	copilotChatSessionsDir  = "chatSessions"
	copilotEmptyWindowDir   = "emptyWindowChatSessions"
	copilotExtensionDir     = "GitHub.copilot-chat" // compared ignoring case
	copilotTranscriptsDir   = "transcripts"
	copilotWorkspaceJSON    = "workspace.json"
	copilotWorkspaceYAML    = "workspace.yaml"
	copilotEventsFile       = "events.jsonl"
	copilotJSONExt          = ".json"
	copilotJSONLExt         = ".jsonl"
)

// copilotFound is a session file with how much it is preferred when two
// files name the same session.
type copilotFound struct {
	file reel.SourceFile
	rank int
}

// Preference between files of one session, best last: VS Code keeps a chat
// as .json until it moves it to the .jsonl log, and the extension's
// transcript of a chat repeats what the chat file holds.
const (
	copilotRankTranscript = iota
	copilotRankCLIOld
	copilotRankChatJSON
	copilotRankChatLog
	copilotRankCLI
)

// Discover walks root and calls fn for every Copilot session under it, in
// path order. root may be the CLI's session-state folder (or ~/.copilot
// above it), a VS Code User
// folder, its workspaceStorage or globalStorage, one workspace's <hash>
// folder, a chatSessions or transcripts folder, or one CLI session's
// folder. When several files name one session, only the best is given.
func (*Copilot) Discover(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
	abs, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("resolve copilot folder: %w", err)
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("discover copilot sessions: %w", err)
	}
	d := &copilotDiscovery{ctx: ctx, best: map[string]copilotFound{}}
	if fi.IsDir() {
		err = d.dir(abs)
	} else {
		d.file(abs, filepath.Base(filepath.Dir(abs)))
	}
	if err != nil {
		return fmt.Errorf("discover copilot sessions: %w", err)
	}
	files := make([]reel.SourceFile, 0, len(d.best))
	for _, f := range d.best {
		files = append(files, f.file)
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

// copilotDiscovery collects the sessions of one root.
type copilotDiscovery struct {
	ctx  context.Context
	best map[string]copilotFound // by native id
}

// add keeps f unless a better file of the same session was found.
func (d *copilotDiscovery) add(f reel.SourceFile, rank int) {
	if prev, ok := d.best[f.NativeID]; ok && (prev.rank > rank || (prev.rank == rank && prev.file.Path < f.Path)) {
		return
	}
	d.best[f.NativeID] = copilotFound{file: f, rank: rank}
}

// list reads dir, treating a folder that vanished or is not one as empty.
func (d *copilotDiscovery) list(dir string) ([]claudeEntry, error) {
	if err := d.ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := claudeReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, claudeErrNotDir) {
		return nil, nil
	}
	return entries, err
}

// dir recognises what kind of folder dir is and collects its sessions.
func (d *copilotDiscovery) dir(dir string) error {
	entries, err := d.list(dir)
	if err != nil {
		return err
	}
	has := func(name string, isDir bool) bool { return copilotHas(entries, name, isDir) }
	switch base := filepath.Base(dir); {
	case has(copilotWorkspaceStorage, true) || has(copilotGlobalStorage, true):
		// A VS Code User folder.
		if err := d.workspaces(filepath.Join(dir, copilotWorkspaceStorage)); err != nil {
			return err
		}
		return d.workspace(filepath.Join(dir, copilotGlobalStorage))
	case base == copilotWorkspaceStorage:
		return d.workspaces(dir)
	case base == copilotChatSessionsDir || base == copilotEmptyWindowDir || base == copilotTranscriptsDir:
		return d.files(dir, entries)
	case copilotIsWorkspace(entries) || base == copilotGlobalStorage:
		return d.workspace(dir)
	case has(copilotSessionState, true):
		// The CLI's home, ~/.copilot.
		return d.dir(filepath.Join(dir, copilotSessionState))
	case has(copilotEventsFile, false):
		// One CLI session's folder.
		d.file(filepath.Join(dir, copilotEventsFile), base)
		return nil
	}
	// The CLI's session-state folder: a folder per session, or a file per
	// session from older versions. A workspaceStorage folder by another
	// name holds workspace folders instead.
	for _, e := range entries {
		path := filepath.Join(dir, e.name)
		switch {
		case e.dir:
			sub, err := d.list(path)
			if err != nil {
				return err
			}
			if copilotHas(sub, copilotEventsFile, false) {
				d.file(filepath.Join(path, copilotEventsFile), e.name)
			} else if copilotIsWorkspace(sub) {
				if err := d.workspace(path); err != nil {
					return err
				}
			}
		case e.regular:
			d.file(path, filepath.Base(dir))
		}
	}
	return nil
}

// workspaces collects the sessions of every workspace folder in a
// workspaceStorage folder.
func (d *copilotDiscovery) workspaces(dir string) error {
	entries, err := d.list(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.dir {
			if err := d.workspace(filepath.Join(dir, e.name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// workspace collects the chats and transcripts of one workspace's
// <hash> folder, or of globalStorage.
func (d *copilotDiscovery) workspace(dir string) error {
	entries, err := d.list(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.dir {
			continue
		}
		path := filepath.Join(dir, e.name)
		switch {
		case e.name == copilotChatSessionsDir || e.name == copilotEmptyWindowDir:
		case strings.EqualFold(e.name, copilotExtensionDir):
			path = filepath.Join(path, copilotTranscriptsDir)
		default:
			continue
		}
		files, err := d.list(path)
		if err != nil {
			return err
		}
		if err := d.files(path, files); err != nil {
			return err
		}
	}
	return nil
}

// files collects the session files directly in dir.
func (d *copilotDiscovery) files(dir string, entries []claudeEntry) error {
	for _, e := range entries {
		if e.regular {
			d.file(filepath.Join(dir, e.name), filepath.Base(dir))
		}
	}
	return d.ctx.Err()
}

// file collects path if it is a session file; parent names the folder it
// is in, which tells what kind of session it is.
func (d *copilotDiscovery) file(path, parent string) {
	name := filepath.Base(path)
	if strings.HasPrefix(name, ".") {
		return
	}
	f := reel.SourceFile{Path: path, Source: reel.SourceCopilot, Layout: reel.LayoutLines}
	var rank int
	switch {
	case name == copilotEventsFile:
		f.NativeID, rank = filepath.Base(filepath.Dir(path)), copilotRankCLI
	case strings.HasSuffix(name, copilotJSONLExt):
		f.NativeID = strings.TrimSuffix(name, copilotJSONLExt)
		switch {
		case parent == copilotChatSessionsDir || parent == copilotEmptyWindowDir:
			rank = copilotRankChatLog
		case parent == copilotTranscriptsDir:
			rank = copilotRankTranscript
		default:
			rank = copilotRankCLIOld
		}
	case strings.HasSuffix(name, copilotJSONExt) && (parent == copilotChatSessionsDir || parent == copilotEmptyWindowDir):
		f.NativeID, rank = strings.TrimSuffix(name, copilotJSONExt), copilotRankChatJSON
		f.Layout = reel.LayoutDocument
	default:
		return
	}
	if f.NativeID == "" {
		return
	}
	d.add(f, rank)
}

// copilotHas reports whether entries hold a folder (isDir) or file of that
// name; the extension's folder is matched ignoring case.
func copilotHas(entries []claudeEntry, name string, isDir bool) bool {
	for _, e := range entries {
		if (e.name == name || (name == copilotExtensionDir && strings.EqualFold(e.name, name))) &&
			(isDir && e.dir || !isDir && e.regular) {
			return true
		}
	}
	return false
}

// copilotIsWorkspace reports whether a folder's entries are those of a
// VS Code workspaceStorage/<hash> folder with Copilot sessions in it.
func copilotIsWorkspace(entries []claudeEntry) bool {
	return copilotHas(entries, copilotChatSessionsDir, true) ||
		copilotHas(entries, copilotExtensionDir, true) ||
		copilotHas(entries, copilotEmptyWindowDir, true)
}

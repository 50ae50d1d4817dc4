package ingest

import (
	"bufio"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// copilotSidecarLimit bounds a sidecar read (workspace.json,
// workspace.yaml): each holds a few short fields.
const copilotSidecarLimit = 1 << 20

// copilotReadSidecar returns the first bytes of a small file beside a
// session, or nil when it cannot be read.
func copilotReadSidecar(name string) []byte {
	fh, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, copilotSidecarLimit))
	if err != nil {
		return nil
	}
	return data
}

// copilotWorkspaceFolder reads a VS Code workspace.json, which names the
// folder (or the .code-workspace file) a workspaceStorage/<hash> folder
// belongs to, and returns that folder's path, or "".
func copilotWorkspaceFolder(name string) string {
	data := copilotReadSidecar(name)
	if data == nil || !json.Valid(data) {
		return ""
	}
	o := codexDecode(data)
	if folder := copilotURIPath(o.str("folder")); folder != "" {
		return folder
	}
	if ws := copilotURIPath(o.str("workspace")); ws != "" {
		// A multi-root workspace: the folder its file is in.
		return path.Dir(ws)
	}
	return ""
}

// copilotURIPath returns the file path a VS Code URI names
// ("file:///Users/me/app", "vscode-remote://ssh-remote+box/home/me/app"),
// the string itself when it is a plain path, or "".
func copilotURIPath(uri string) string {
	if uri == "" {
		return ""
	}
	if strings.HasPrefix(uri, "/") {
		return uri
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return uri
	}
	p := u.Path
	if p == "" {
		return ""
	}
	// file:///c%3A/src/app is c:/src/app on Windows.
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return p
}

// copilotCLIWorkspace is what a Copilot CLI workspace.yaml says about its
// session.
type copilotCLIWorkspace struct {
	Summary string
	Cwd     string
	Branch  string
}

// copilotReadCLIWorkspace reads the workspace.yaml the Copilot CLI keeps
// beside a session's events.jsonl. The file is flat "key: value" YAML; a
// value may be quoted or, for a long summary, a block scalar.
func copilotReadCLIWorkspace(name string) copilotCLIWorkspace {
	data := copilotReadSidecar(name)
	if data == nil {
		return copilotCLIWorkspace{}
	}
	fields := map[string]string{}
	var block string // the key whose block scalar is being read
	var lines []string
	flush := func() {
		if block != "" {
			fields[block] = strings.Join(lines, "\n")
		}
		block, lines = "", nil
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 64<<10), copilotSidecarLimit)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if block != "" && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") || strings.TrimSpace(line) == "") {
			lines = append(lines, strings.TrimSpace(line))
			continue
		}
		flush()
		key, value, ok := strings.Cut(line, ":")
		if !ok || key == "" || strings.HasPrefix(key, " ") || strings.HasPrefix(key, "#") {
			continue
		}
		value = strings.TrimSpace(value)
		if strings.HasPrefix(value, "|") || strings.HasPrefix(value, ">") {
			block = key
			continue
		}
		fields[key] = copilotYAMLScalar(value)
	}
	flush()
	return copilotCLIWorkspace{Summary: fields["summary"], Cwd: fields["cwd"], Branch: fields["branch"]}
}

// copilotYAMLScalar returns a one-line YAML scalar's value: unquoted, or
// with its quotes removed and escapes read.
func copilotYAMLScalar(v string) string {
	switch {
	case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
		if s, err := strconv.Unquote(v); err == nil {
			return s
		}
		return v[1 : len(v)-1]
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v
}

// copilotSidecars returns the project and title that the files beside a
// session say: workspace.json for a VS Code chat session or transcript,
// workspace.yaml for a Copilot CLI session.
func copilotSidecars(file string) (project, title, branch string) {
	dir := filepath.Dir(file)
	switch parent := filepath.Base(dir); {
	case parent == copilotChatSessionsDir:
		return copilotWorkspaceFolder(filepath.Join(filepath.Dir(dir), copilotWorkspaceJSON)), "", ""
	case parent == copilotTranscriptsDir && strings.EqualFold(filepath.Base(filepath.Dir(dir)), copilotExtensionDir):
		return copilotWorkspaceFolder(filepath.Join(filepath.Dir(filepath.Dir(dir)), copilotWorkspaceJSON)), "", ""
	case filepath.Base(file) == copilotEventsFile:
		ws := copilotReadCLIWorkspace(filepath.Join(dir, copilotWorkspaceYAML))
		return ws.Cwd, claudeTitle(ws.Summary), ws.Branch
	}
	return "", "", ""
}

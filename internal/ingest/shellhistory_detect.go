package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/reel-sh/reel"
)

// Shells whose history files reel reads.
const (
	shellBash = "bash"
	shellZsh  = "zsh"
	shellFish = "fish"
)

// shellDetectLimit is how much of a file detection reads: the first lines
// tell the format.
const shellDetectLimit = 64 << 10

// DetectShellHistory returns which shell wrote the history file at path:
// "bash", "zsh" or "fish". The content decides first (fish's "- cmd:"
// entries, zsh's ": <start>:<elapsed>;" extended lines, bash's "#<seconds>"
// timestamp lines), then the file's name (.bash_history, .zsh_history,
// .zhistory, .histfile, fish_history). A file that neither tells is
// refused with an EINVALID error: a plain list of lines could be anything.
func DetectShellHistory(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("detect shell history: %w", err)
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, shellDetectLimit))
	if err != nil {
		return "", fmt.Errorf("detect shell history: %w", err)
	}
	return detectShell(filepath.Base(path), head)
}

// detectShell tells the shell from a file's name and first bytes.
func detectShell(name string, head []byte) (string, error) {
	if shell := shellByContent(head); shell != "" {
		return shell, nil
	}
	if shell := shellByName(name); shell != "" {
		return shell, nil
	}
	return "", reel.Errorf(reel.EINVALID, "%s is not recognisably a bash, zsh or fish history", name).
		WithHint("name it .bash_history, .zsh_history or fish_history to say which shell wrote it")
}

// shellByContent returns the shell whose marker is on the first line that
// has one, or "".
func shellByContent(head []byte) string {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		switch {
		case bytes.HasPrefix(line, []byte("- cmd:")):
			return shellFish
		case zshExtendedHeader(line):
			return shellZsh
		case len(line) > 1 && line[0] == '#' && shellDigits(line[1:]):
			return shellBash
		}
	}
	return ""
}

// zshExtendedHeader reports whether line starts as zsh's extended history
// writes one: ": <start>:<elapsed>;".
func zshExtendedHeader(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte(": "))
	if !ok {
		return false
	}
	start, rest, ok := bytes.Cut(rest, []byte(":"))
	if !ok || !shellDigits(start) {
		return false
	}
	elapsed, _, ok := bytes.Cut(rest, []byte(";"))
	return ok && shellDigits(elapsed)
}

// shellByName returns the shell a history file's name says, or "".
func shellByName(name string) string {
	name = strings.ToLower(name)
	switch name {
	case ".bash_history", "bash_history":
		return shellBash
	case ".zsh_history", "zsh_history", ".zhistory", ".histfile":
		return shellZsh
	case "fish_history":
		return shellFish
	}
	switch {
	case strings.Contains(name, "fish"):
		return shellFish
	case strings.Contains(name, "zsh"):
		return shellZsh
	case strings.Contains(name, "bash"):
		return shellBash
	}
	return ""
}

func shellDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

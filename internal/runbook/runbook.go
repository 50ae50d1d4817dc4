package runbook

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// Step is one command of a runbook.
type Step struct {
	// N numbers the step in the recording, from 1.
	N       int
	Command string
	// Cwd is the folder the command ran in, "" when unknown.
	Cwd      string
	ExitCode *int
	Time     time.Time
	Duration time.Duration
}

// Failed reports whether the step exited non-zero in the recording.
func (s Step) Failed() bool { return s.ExitCode != nil && *s.ExitCode != 0 }

// Runbook is what a session did at the shell, in order.
type Runbook struct {
	Title     string
	SessionID string
	Source    string
	Host      string
	StartedAt time.Time
	Steps     []Step
}

// FromEvents builds a runbook from a session's command events: their text,
// exit code, time and the folder in their Input (as the shell importer
// writes it), else the session's project.
func FromEvents(sess reel.Session, events []reel.Event) Runbook {
	rb := Runbook{Title: sess.Title, SessionID: sess.ID, Source: sess.Source, Host: sess.Host, StartedAt: sess.StartedAt}
	for _, e := range events {
		if e.Kind != reel.KindCommand || strings.TrimSpace(e.Text) == "" {
			continue
		}
		var in struct {
			Cwd     string `json:"cwd"`
			Workdir string `json:"workdir"`
			N       int    `json:"n"`
		}
		json.Unmarshal(e.Input, &in)
		cwd := in.Cwd
		if cwd == "" {
			cwd = in.Workdir
		}
		if cwd == "" {
			cwd = sess.Project
		}
		n := in.N
		if n == 0 {
			n = len(rb.Steps) + 1
		}
		rb.Steps = append(rb.Steps, Step{N: n, Command: e.Text, Cwd: cwd, ExitCode: e.ExitCode, Time: e.Time, Duration: e.Duration})
	}
	return rb
}

// Formats lists the formats Write knows.
func Formats() []string {
	return []string{"bash", "markdown", "makefile", "github-action", "gitlab-ci", "dockerfile"}
}

// IsFormat reports whether Write knows format.
func IsFormat(format string) bool { return slices.Contains(Formats(), format) }

// Options tune an export.
type Options struct {
	// Parameterize turns literals repeated across steps (hosts, versions,
	// paths, names) into variables defined once at the top.
	Parameterize bool
	// IncludeFailed keeps the steps that failed in the recording as steps;
	// by default they are written as comments, so the export runs what
	// worked.
	IncludeFailed bool
}

// Write renders rb in format. EINVALID for an unknown format, ENOTFOUND
// when the session ran no command.
func Write(w io.Writer, format string, rb Runbook, opt Options) error {
	if !IsFormat(format) {
		return reel.Errorf(reel.EINVALID, "unknown runbook format %q", format).
			WithHint("use " + strings.Join(Formats(), ", "))
	}
	p := prepare(rb, opt)
	if len(p.steps) == 0 {
		return reel.Errorf(reel.ENOTFOUND, "session %s ran no shell command to export", reel.ShortID(rb.SessionID))
	}
	switch format {
	case "bash":
		return writeBash(w, p)
	case "markdown":
		return writeMarkdown(w, p)
	case "makefile":
		return writeMakefile(w, p)
	case "github-action":
		return writeGitHub(w, p)
	case "gitlab-ci":
		return writeGitLab(w, p)
	}
	return writeDockerfile(w, p)
}

// plan is a runbook made ready to write: control commands dropped, folders
// made relative to the first one, literals parameterized.
type plan struct {
	rb    Runbook
	opt   Options
	root  string
	steps []planStep
	vars  []variable
}

type planStep struct {
	Step
	// dir is Cwd relative to root ("." for root), or absolute when outside.
	dir string
	// words are the command's words, for parameterizing.
	words []word
	// skip says why the step is written as a comment, or "".
	skip string
	// uses are where parameterized values stand in Command, in order.
	uses []use
}

// prepare drops what does not belong in a runbook: reel's own rec
// commands, and bare cd commands, whose effect each step's folder already
// carries.
func prepare(rb Runbook, opt Options) *plan {
	p := &plan{rb: rb, opt: opt}
	for _, s := range rb.Steps {
		cmd := strings.TrimSpace(s.Command)
		words := lex(cmd)
		if p.root == "" && s.Cwd != "" {
			p.root = s.Cwd
		}
		if isReelRec(words) || isBareCd(words) {
			continue
		}
		s.Command = cmd
		ps := planStep{Step: s, words: words, dir: relDir(p.root, s.Cwd)}
		if s.Failed() && !opt.IncludeFailed {
			ps.skip = fmt.Sprintf("failed in the recording (exit %d)", *s.ExitCode)
		}
		p.steps = append(p.steps, ps)
	}
	if opt.Parameterize {
		p.parameterize()
	}
	return p
}

func isReelRec(ws []word) bool {
	return len(ws) >= 2 && ws[0].text == "reel" && ws[1].text == "rec"
}

func isBareCd(ws []word) bool {
	if len(ws) == 0 || ws[0].text != "cd" {
		return false
	}
	for _, w := range ws {
		if w.op {
			return false
		}
	}
	return true
}

// relDir returns dir relative to root, "." for root itself, or dir when
// it lies outside root.
func relDir(root, dir string) string {
	if root == "" || dir == "" {
		return "."
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return dir
	}
	return rel
}

// header is the comment that opens every export.
func (p *plan) header() []string {
	lines := []string{fmt.Sprintf("%s: exported by reel from session %s", orUntitled(p.rb.Title), reel.ShortID(p.rb.SessionID))}
	rec := "Recorded"
	if p.rb.Source != "" {
		rec += " from " + p.rb.Source
	}
	if p.rb.Host != "" {
		rec += " on " + p.rb.Host
	}
	if !p.rb.StartedAt.IsZero() {
		rec += " at " + p.rb.StartedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	if rec != "Recorded" {
		lines = append(lines, rec+".")
	}
	if p.root != "" {
		lines = append(lines, "It started in "+p.root+"; folders below are relative to that.")
	}
	return lines
}

func orUntitled(s string) string {
	if s == "" {
		return "untitled"
	}
	return s
}

// firstLine is a step's first line, cut for titles.
func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
)

// pagerCommand renders a session and pipes it into the pager; tea.Exec
// runs it with the terminal released.
type pagerCommand struct {
	render    RenderFunc
	sessionID string
	pager     string
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
}

func (p *pagerCommand) SetStdin(r io.Reader)  { p.stdin = r }
func (p *pagerCommand) SetStdout(w io.Writer) { p.stdout = w }
func (p *pagerCommand) SetStderr(w io.Writer) { p.stderr = w }

// Run renders the session, then runs the pager on it through sh, so that
// $PAGER may hold arguments.
func (p *pagerCommand) Run() error {
	var buf bytes.Buffer
	if err := p.render(context.Background(), &buf, p.sessionID); err != nil {
		return fmt.Errorf("render session: %w", err)
	}
	line := p.pager
	if line == "" {
		line = "less -R"
	}
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Stdin = &buf
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("run pager %q: %w", line, err)
	}
	return nil
}

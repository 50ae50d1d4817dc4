package tui

import (
	"context"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// Run runs the interactive search on a terminal until the user quits,
// and returns how they left it. The terminal is restored before Run
// returns, whether the user quit, asked for a resume command or ctx was
// cancelled.
func Run(ctx context.Context, opt Options, in io.Reader, out io.Writer) (Result, error) {
	m := New(opt)
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out)}
	if !opt.Color {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(m, popts...)
	if _, err := p.Run(); err != nil {
		return Result{}, fmt.Errorf("run interactive search: %w", err)
	}
	return m.Result(), nil
}

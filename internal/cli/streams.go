package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// Streams are a command's input and output, with what is known about the
// terminal behind them.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	outTTY bool
	errTTY bool
	color  bool
}

// NewStreams wraps the given streams, detecting terminals. Colour is on
// only for a terminal, and never when NO_COLOR is set.
func NewStreams(in io.Reader, out, errw io.Writer, getenv func(string) string) *Streams {
	s := &Streams{In: in, Out: out, Err: errw}
	s.outTTY = isTerminal(out)
	s.errTTY = isTerminal(errw)
	s.color = s.outTTY && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
	return s
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// IsStderrTTY reports whether progress bars may be drawn.
func (s *Streams) IsStderrTTY() bool { return s.errTTY }

// Style names for Paint.
const (
	styleBold   = "1"
	styleDim    = "2"
	styleRed    = "31"
	styleGreen  = "32"
	styleYellow = "33"
	styleBlue   = "34"
	styleCyan   = "36"
	styleMatch  = "1;33"
)

// Paint wraps text in an ANSI style when colour is on.
func (s *Streams) Paint(style, text string) string {
	if !s.color || text == "" {
		return text
	}
	return "\x1b[" + style + "m" + text + "\x1b[0m"
}

package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/tui"
)

// runSearchInteractive runs the search-as-you-type view, then prints the
// resume command the user asked for, if any.
func runSearchInteractive(ctx context.Context, opts *searchOptions) error {
	s := opts.app.Streams
	// The view is drawn on the terminal even when stdout is a pipe, as in
	// eval "$(reel search -i)": stdout gets only the resume command.
	in, inOK := s.In.(*os.File)
	var ui io.Writer = s.Out
	if !inOK || !isTerminal(in) || !s.outTTY {
		tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
		if err != nil {
			return reel.Errorf(reel.EINVALID, "interactive search needs a terminal: open /dev/tty: %v", err).
				WithHint("run it in a terminal, or search without -i")
		}
		defer tty.Close()
		if !inOK || !isTerminal(in) {
			in = tty
		}
		if !s.outTTY {
			ui = tty
		}
	}
	color := opts.app.Getenv("NO_COLOR") == "" && opts.app.Getenv("TERM") != "dumb"
	if opts.json || len(opts.sources) > 0 || opts.project != "" || opts.since != "" || opts.until != "" ||
		len(opts.kinds) > 0 || len(opts.roles) > 0 || opts.session != "" {
		return reel.Errorf(reel.EINVALID, "-i takes no other flags but --limit: set filters with its keys")
	}
	store, err := opts.app.Store(ctx)
	if err != nil {
		return err
	}
	render := func(ctx context.Context, w io.Writer, sessionID string) error {
		return renderSession(ctx, opts.app, w, sessionID, color)
	}
	// The searcher reel search uses, full-text as it is by default, so
	// that the first keystroke never waits for the vectors to load.
	sr, _ := opts.app.searcher(ctx, store, "")
	res, err := tui.Run(ctx, tui.Options{
		Searcher: sr, Store: store, Query: opts.query, Limit: opts.limit, PerSession: defaultPerSession, Mode: reel.ModeFTS,
		Color: color, Render: render, Pager: opts.app.Getenv("PAGER"),
	}, in, ui)
	if err != nil {
		return err
	}
	switch {
	case res.Resume != "":
		fmt.Fprintln(s.Out, res.Resume)
	case res.NoResume != "":
		return reel.Errorf(reel.ENOTFOUND, "%s", res.NoResume)
	}
	return nil
}

// renderSession writes a session as 'reel show --full' prints it, with
// colour when asked (the pager is less -R).
func renderSession(ctx context.Context, app *App, w io.Writer, sessionID string, color bool) error {
	sess, events, err := loadSession(ctx, app, sessionID, reel.Filter{})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	out := &Streams{Out: &buf, Err: io.Discard, color: color}
	printSessionHeading(out, sess)
	printEvents(out, events, 0)
	_, err = w.Write(buf.Bytes())
	return err
}

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
	in, inOK := s.In.(*os.File)
	if !s.outTTY || !inOK || !isTerminal(in) {
		return reel.Errorf(reel.EINVALID, "interactive search needs a terminal").
			WithHint("run it in a terminal, or search without -i")
	}
	if opts.json || len(opts.sources) > 0 || opts.project != "" || opts.since != "" || opts.until != "" ||
		len(opts.kinds) > 0 || len(opts.roles) > 0 || opts.session != "" {
		return reel.Errorf(reel.EINVALID, "-i takes no other flags but --limit: set filters with its keys")
	}
	store, err := opts.app.Store(ctx)
	if err != nil {
		return err
	}
	render := func(ctx context.Context, w io.Writer, sessionID string) error {
		return renderSession(ctx, opts.app, w, sessionID)
	}
	res, err := tui.Run(ctx, tui.Options{
		Searcher: store, Store: store, Query: opts.query, Limit: opts.limit,
		Color: s.color, Render: render, Pager: opts.app.Getenv("PAGER"),
	}, in, s.Out)
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

// renderSession writes a session as 'reel show' prints it, with colour
// when the terminal has it (the pager is less -R).
func renderSession(ctx context.Context, app *App, w io.Writer, sessionID string) error {
	sess, events, err := loadSession(ctx, app, sessionID, reel.Filter{})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	out := &Streams{Out: &buf, Err: io.Discard, color: app.Streams.color}
	printSessionHeading(out, sess)
	printEvents(out, events, 0)
	_, err = w.Write(buf.Bytes())
	return err
}

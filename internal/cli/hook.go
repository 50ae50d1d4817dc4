package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/hook"
	"github.com/reel-sh/reel/internal/hookspool"
	"github.com/spf13/cobra"
)

// Limits of reel hook.
const (
	// hookMaxPayload is the largest payload reel hook takes; a larger one
	// is set aside in rejected.ndjson with its first hookKeepOversized
	// bytes, and never sent.
	hookMaxPayload    = 8 << 20
	hookKeepOversized = 64 << 10
	// hookTimeout bounds the whole delivery to the daemon: connect, write
	// and read. Past it the event is spooled.
	hookTimeout = 250 * time.Millisecond
	// hookReadTimeout bounds the wait for the payload: a client writes it
	// at once and closes stdin; one that keeps stdin open must not hang
	// the hook.
	hookReadTimeout = 2 * time.Second
)

type hookOptions struct {
	app    *App
	client string
	event  string
}

func newHookCmd(app *App) *cobra.Command {
	opts := &hookOptions{app: app}
	cmd := &cobra.Command{
		Use:   "hook [--client claude-code|codex|gemini] [--event NAME] [PAYLOAD]",
		Short: "Hand an agent hook's event to reel's daemon (run by the agent, not by you)",
		Long: `Hook is the program an agent client runs on its hook events ('reel hooks
install' sets that up). It reads the event's JSON from stdin (Codex's notify
program gets it as the last argument instead), gives it an id, the time, the
tmux pane ($TMUX_PANE) and the folder, and posts it to reel's daemon on its
unix socket. When the daemon is not running, is slow (over 250 ms) or fails,
the event is appended to the hook spool, which the daemon reads when it starts.

Hook never prints to stdout (Claude Code reads it) and always exits 0, so an
agent is never blocked or slowed: what goes wrong is written to errors.log in
the spool folder. A payload that is not JSON, is over 8 MiB, or whose stdin
stays open over 2 s is kept in rejected.ndjson there (a long one with its
first 64 KiB).

Spool folder: $XDG_STATE_HOME/reel/hook-spool (REEL_HOME: state/hook-spool).`,
		Example: `  echo '{"session_id":"s1","hook_event_name":"Stop"}' | reel hook --client claude-code
  reel hook --client codex '{"type":"agent-turn-complete","thread-id":"t1"}'`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			runHook(cmd.Context(), opts, args)
			return nil
		},
	}
	// An agent treats some exit codes as "block": a flag reel does not know
	// (from a newer install) must not fail the hook.
	cmd.FParseErrWhitelist.UnknownFlags = true
	f := cmd.Flags()
	f.StringVar(&opts.client, "client", hook.ClientClaude, "the client running the hook: "+strings.Join(hook.Clients(), ", "))
	f.StringVar(&opts.event, "event", "", "the event's name, for a payload that does not say it")
	return cmd
}

// runHook delivers one event and reports nothing: every failure goes to
// the spool's error log.
func runHook(ctx context.Context, opts *hookOptions, args []string) {
	app := opts.app
	paths, err := config.ResolvePaths(app.Getenv)
	if err != nil {
		return // no home folder: nowhere to spool or log
	}
	dir := paths.HookSpool()
	logErr := func(format string, a ...any) {
		hookspool.LogError(dir, fmt.Sprintf(format, a...))
	}
	data, size, err := readHookPayload(app.Streams.In, args, hookReadTimeout)
	if err != nil {
		r := hookspool.Rejected{Reason: fmt.Sprintf("read %s hook payload: %v", opts.client, err),
			Where: "reel hook", Client: opts.client, Name: opts.event}
		if len(data) > 0 {
			r.SetRaw(data[:min(len(data), hookKeepOversized)])
			r.Size = size
		}
		keepRejected(dir, r, logErr)
		return
	}
	if size > hookMaxPayload {
		r := hookspool.Rejected{Reason: fmt.Sprintf("payload over %d bytes; its first %d are kept", hookMaxPayload, hookKeepOversized),
			Where: "reel hook", Client: opts.client, Name: opts.event, Size: size}
		r.SetRaw(data[:hookKeepOversized])
		keepRejected(dir, r, logErr)
		return
	}
	e, err := hook.Parse(opts.client, data, opts.event)
	if err != nil {
		r := hookspool.Rejected{Reason: err.Error(), Where: "reel hook", Client: opts.client, Name: e.Name}
		r.SetRaw(data)
		keepRejected(dir, r, logErr)
		return
	}
	id, err := uuid.NewV7()
	if err != nil {
		logErr("make hook event id: %v", err)
		id = uuid.New()
	}
	e.ID, e.Time, e.Pane = id.String(), time.Now().UTC(), app.Getenv("TMUX_PANE")
	if e.Cwd == "" {
		e.Cwd, _ = os.Getwd()
	}
	err = postHook(ctx, paths.Socket(), e)
	var refused *hookRefusedError
	switch {
	case err == nil:
		return
	case errors.As(err, &refused):
		// The daemon read it and said no: sending it again would be
		// refused again, so it is kept aside, not spooled.
		keepRejected(dir, hookspool.Rejected{Reason: err.Error(), Where: "reel hook", Client: e.Client, Name: e.Name, Event: &e}, logErr)
		return
	}
	if serr := hookspool.Append(dir, e); serr != nil {
		logErr("spool %s %s event %s (the daemon: %v): %v", e.Client, e.Name, e.ID, err, serr)
	}
}

// keepRejected sets r aside and logs why.
func keepRejected(dir string, r hookspool.Rejected, logErr func(string, ...any)) {
	if err := hookspool.Reject(dir, r); err != nil {
		logErr("keep rejected hook payload (%s): %v", r.Reason, err)
		return
	}
	logErr("%s %s hook payload set aside in %s: %s", r.Client, r.Name, hookspool.RejectedFile, r.Reason)
}

// readHookPayload returns the payload: the last argument when there is
// one (Codex notify), else stdin, read up to one byte past the limit so
// that an oversized payload is told apart. size is how many bytes were
// read (more than hookMaxPayload for an oversized one). Stdin still open
// after timeout is an error, returned with what was read by then.
func readHookPayload(in io.Reader, args []string, timeout time.Duration) (data []byte, size int64, err error) {
	if len(args) > 0 {
		data = []byte(args[len(args)-1])
		return data, int64(len(data)), nil
	}
	if f, ok := in.(*os.File); ok && isTerminal(f) {
		return nil, 0, fmt.Errorf("stdin is a terminal: reel hook reads the payload an agent client writes")
	}
	var (
		mu  sync.Mutex
		buf []byte
	)
	done := make(chan error, 1)
	go func() {
		r := io.LimitReader(in, hookMaxPayload+1)
		chunk := make([]byte, 64<<10)
		for {
			n, err := r.Read(chunk)
			mu.Lock()
			buf = append(buf, chunk[:n]...)
			mu.Unlock()
			if err == io.EOF {
				done <- nil
				return
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case err = <-done:
	case <-time.After(timeout):
		err = fmt.Errorf("stdin still open after %s", timeout)
	}
	mu.Lock()
	defer mu.Unlock()
	data = bytes.Clone(buf)
	return data, int64(len(data)), err
}

// hookRefusedError is a 400, 413 or 422 answer: the daemon read the event
// and will never take it. Other answers (a 404 from a daemon without
// hooks, a 5xx) mean "not now", and the event is spooled.
type hookRefusedError struct {
	status int
	body   string
}

func (e *hookRefusedError) Error() string {
	return fmt.Sprintf("the daemon refused the event (%d): %s", e.status, e.body)
}

// postHook sends e to the daemon as POST /v1/hooks on its unix socket,
// within hookTimeout. It fails when the socket is missing or refuses, the
// time runs out, or the answer is not 2xx (400, 413 and 422 are a
// *hookRefusedError).
func postHook(ctx context.Context, socket string, e reel.HookEvent) error {
	body, err := hookspool.Marshal(e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, hookTimeout)
	defer cancel()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://reel/v1/hooks", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post hook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return fmt.Errorf("post hook: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusBadRequest, resp.StatusCode == http.StatusRequestEntityTooLarge,
		resp.StatusCode == http.StatusUnprocessableEntity:
		return &hookRefusedError{status: resp.StatusCode, body: strings.TrimSpace(string(msg))}
	}
	return fmt.Errorf("post hook: the daemon answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
}

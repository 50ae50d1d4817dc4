package tmux

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// Runner runs one tmux command and returns what it printed on standard
// output. Its errors say why a command failed: EUNSUPPORT if tmux is not
// installed, ErrNoServer (in the chain) if no tmux server is running,
// ENOTFOUND if the command named a session, window or pane that does not
// exist, ECONFLICT if it would create a session whose name is taken, and
// anything else for any other failure.
type Runner interface {
	Run(ctx context.Context, args ...string) (string, error)
}

// ErrNoServer is in the chain of a Runner's error when no tmux server is
// running on its socket: a listing then means "no sessions", not a
// failure.
var ErrNoServer = errors.New("no tmux server is running")

// EnvSocket names the tmux server socket (tmux -L NAME) reel uses; empty
// for tmux's default server.
const EnvSocket = "REEL_TMUX_SOCKET"

// ExecRunner runs the tmux binary.
type ExecRunner struct {
	// Path is the tmux binary; "tmux" (found in PATH) if empty.
	Path string
	// Socket is the server's socket name (tmux -L); tmux's default server
	// if empty.
	Socket string
	// Config is the configuration file a new server reads (tmux -f);
	// the user's own if empty. Tests use /dev/null.
	Config string
	// Timeout bounds one command; 10 seconds if 0.
	Timeout time.Duration
}

var _ Runner = (*ExecRunner)(nil)

// NewRunner returns an ExecRunner on the server named socket (from
// REEL_TMUX_SOCKET, say).
func NewRunner(socket string) *ExecRunner { return &ExecRunner{Socket: socket} }

// prefix returns the arguments every command starts with.
func (r *ExecRunner) prefix() []string {
	var args []string
	if r.Socket != "" {
		args = append(args, "-L", r.Socket)
	}
	if r.Config != "" {
		args = append(args, "-f", r.Config)
	}
	return args
}

func (r *ExecRunner) path() string {
	if r.Path == "" {
		return "tmux"
	}
	return r.Path
}

// exiting is what a tmux client says when the server it connected to
// exits before answering: its last session had just ended, or it was
// killed. The command was not run, and a moment later no server runs.
const exiting = "server exited unexpectedly"

// Run runs tmux with args. A command that meets a server as it exits is
// run again, twice at most, after 50 and 100 ms.
func (r *ExecRunner) Run(ctx context.Context, args ...string) (string, error) {
	for try := 1; ; try++ {
		out, err := r.run(ctx, args...)
		if err == nil || try == 3 || !strings.Contains(err.Error(), exiting) {
			return out, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Duration(try) * 50 * time.Millisecond):
		}
	}
}

func (r *ExecRunner) run(ctx context.Context, args ...string) (string, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.path(), append(r.prefix(), args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.String(), nil
	}
	what := "tmux " + firstArg(args)
	var exit *exec.ExitError
	if !errors.As(err, &exit) && (errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist)) {
		return "", &reel.Error{Code: reel.EUNSUPPORT, Message: what + ": tmux is not installed", Err: err,
			Hint: "install tmux (Debian: apt-get install tmux; macOS: brew install tmux)"}
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("%s: timed out after %s: %w", what, timeout, ctx.Err())
	}
	msg := strings.TrimSpace(stderr.String())
	return "", classify(what, msg, err)
}

// classify turns tmux's complaint msg into an error.
func classify(what, msg string, err error) error {
	switch {
	case strings.HasPrefix(msg, "no server running on"),
		strings.HasPrefix(msg, "error connecting to") && strings.HasSuffix(msg, "(No such file or directory)"),
		// A server whose last session just ended, before it exits.
		msg == "no current target":
		return fmt.Errorf("%s: %s: %w", what, msg, ErrNoServer)
	case strings.HasPrefix(msg, "can't find session"), strings.HasPrefix(msg, "can't find window"),
		strings.HasPrefix(msg, "can't find pane"), strings.HasPrefix(msg, "session not found"):
		return &reel.Error{Code: reel.ENOTFOUND, Message: what + ": " + msg, Err: err}
	case strings.HasPrefix(msg, "duplicate session"):
		return &reel.Error{Code: reel.ECONFLICT, Message: what + ": " + msg, Err: err,
			Hint: "another process took the name at the same moment; try again"}
	case msg == "":
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %s: %w", what, msg, err)
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// AttachArgs returns the command line that attaches a terminal to the
// tmux session named session on the server socket names (the default
// server if empty).
func AttachArgs(socket, session string) []string {
	args := []string{"tmux"}
	if socket != "" {
		args = append(args, "-L", socket)
	}
	return append(args, "attach-session", "-t", "="+session)
}

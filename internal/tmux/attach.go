package tmux

import (
	"context"

	"github.com/reel-sh/reel"
)

// Attach returns the command line that attaches a terminal to the
// session key names (tmux [-L SOCKET] attach-session -t =NAME), for the
// caller to run with its terminal. ECONFLICT for a stopped session.
func (s *Supervisor) Attach(ctx context.Context, key string) ([]string, error) {
	a, err := s.Agent(ctx, key)
	if err != nil {
		return nil, err
	}
	if a.Status == reel.AgentStopped {
		return nil, reel.Errorf(reel.ECONFLICT, "attach %s: it is stopped", a.Name).WithHint(statusHint(a))
	}
	path := ""
	if r, ok := s.run.(*ExecRunner); ok {
		path = r.Path
	}
	// The session's own server, which may not be this supervisor's.
	args := AttachArgs(a.Socket, a.Tmux)
	if path != "" {
		args[0] = path
	}
	return args, nil
}

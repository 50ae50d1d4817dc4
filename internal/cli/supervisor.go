package cli

import (
	"context"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/httpapi"
	"github.com/reel-sh/reel/internal/tmux"
)

// Supervisor returns the supervisor of agent sessions that every
// supervising command (run, ps, pause, …) goes through: the running
// daemon's, through its socket, so that one process owns the registry
// and hears the agents' hooks; else tmux's, on the server
// REEL_TMUX_SOCKET names (tmux's default one if unset), over the store's
// registry. This is the one place that chooses it.
func (a *App) Supervisor(ctx context.Context) (reel.Supervisor, error) {
	c, err := a.Daemon()
	switch {
	case err == nil:
		return c, nil
	case !httpapi.IsUnavailable(err):
		return nil, err
	}
	return a.tmuxSupervisor(ctx)
}

// tmuxSupervisor returns tmux's supervisor over the store's registry: what
// the daemon runs, and what the CLI runs when no daemon does.
func (a *App) tmuxSupervisor(ctx context.Context) (*tmux.Supervisor, error) {
	st, err := a.Store(ctx)
	if err != nil {
		return nil, err
	}
	reg, ok := st.(reel.AgentRegistry)
	if !ok {
		return nil, reel.Errorf(reel.EUNSUPPORT, "this store cannot keep supervised sessions")
	}
	return tmux.New(tmux.Options{
		Runner:   tmux.NewRunner(a.Getenv(tmux.EnvSocket)),
		Registry: reg,
		Shell:    a.Getenv("SHELL"),
	}), nil
}

// Daemon returns a client of the daemon running for this user, dialled
// once. httpapi.IsUnavailable(err) when none runs.
func (a *App) Daemon() (*httpapi.Client, error) {
	if a.daemon != nil || a.daemonErr != nil {
		return a.daemon, a.daemonErr
	}
	c, err := a.Config()
	if err != nil {
		return nil, err
	}
	a.daemon, a.daemonErr = httpapi.Dial(c.Paths.Socket())
	return a.daemon, a.daemonErr
}

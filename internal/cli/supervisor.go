package cli

import (
	"context"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/tmux"
)

// Supervisor returns the supervisor of agent sessions that every
// supervising command (run, ps, pause, …) goes through: tmux's, on the
// server REEL_TMUX_SOCKET names (tmux's default one if unset), over the
// store's registry. This is the one place that chooses it.
func (a *App) Supervisor(ctx context.Context) (reel.Supervisor, error) {
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

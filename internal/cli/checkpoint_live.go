package cli

import (
	"context"
	"encoding/json"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/httpapi"
)

// checkpointRequest is what a checkpoint is made of before reel knows its
// session: the user's label and state, and when it was asked for.
type checkpointRequest struct {
	Label string
	State json.RawMessage
	Time  time.Time
}

// liveCheckpoint makes a checkpoint of the live session supervised in the
// tmux pane named pane (the value of $TMUX_PANE), at that session's
// current event count, through the daemon, which writes it into the
// session's journal. ENOTFOUND when no daemon runs or it supervises no
// session in that pane, so that reel checkpoint goes on to the shell
// recording; any other error is reported as it is.
func liveCheckpoint(ctx context.Context, app *App, pane string, req checkpointRequest) (reel.Checkpoint, error) {
	notFound := reel.Errorf(reel.ENOTFOUND, "no recording or supervised session in this terminal").
		WithHint("name a stored session with --session SESSION")
	c, err := app.Daemon()
	if httpapi.IsUnavailable(err) {
		return reel.Checkpoint{}, notFound
	}
	if err != nil {
		return reel.Checkpoint{}, err
	}
	agents, err := c.Agents(ctx)
	if err != nil {
		return reel.Checkpoint{}, err
	}
	for _, a := range agents {
		if a.Pane != pane || a.Status == reel.AgentStopped {
			continue
		}
		if a.SessionID == "" {
			return reel.Checkpoint{}, reel.Errorf(reel.ENOTFOUND, "supervised session %s has no live session yet: its agent has sent no hook event", a.Name).
				WithHint("install reel's hooks with 'reel hooks install', or name a stored session with --session SESSION")
		}
		return c.Checkpoint(ctx, a.SessionID, req.Label, req.State)
	}
	return reel.Checkpoint{}, notFound
}

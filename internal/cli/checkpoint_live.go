package cli

import (
	"context"
	"encoding/json"
	"time"

	"github.com/reel-sh/reel"
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
// current event count, and returns it as stored.
//
// It is the one place where reel checkpoint, run without --session,
// reaches a supervised session; today no session is supervised here, so
// it returns ENOTFOUND and reel checkpoint goes on to the shell
// recording. Routing it to the daemon makes checkpoints of supervised
// agent sessions work with no other change: any error other than
// ENOTFOUND is reported as it is.
func liveCheckpoint(ctx context.Context, app *App, pane string, req checkpointRequest) (reel.Checkpoint, error) {
	return reel.Checkpoint{}, reel.Errorf(reel.ENOTFOUND, "no recording or supervised session in this terminal").
		WithHint("name a stored session with --session SESSION")
}

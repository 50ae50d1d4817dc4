package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/reel-sh/reel"
)

// Checkpoint is a point in a recording that a user named: a
// "checkpoint" line. Seq is the number of events the recording's lines
// before it become in the store (Recording.Events when it was written),
// so it marks the next command. ID is reel.CheckpointID of the
// recording's session, Seq, Label and At; State is the user's JSON.
type Checkpoint struct {
	T     string          `json:"t"`
	ID    string          `json:"id"`
	Label string          `json:"label,omitempty"`
	At    time.Time       `json:"at"`
	Seq   int64           `json:"seq"`
	State json.RawMessage `json:"state,omitempty"`
}

// Checkpoint turns the line into the store's checkpoint of session
// sessionID, deriving the id when the line has none.
func (c Checkpoint) Checkpoint(sessionID string) reel.Checkpoint {
	id := c.ID
	if id == "" {
		id = reel.CheckpointID(sessionID, c.Seq, c.Label, c.At)
	}
	return reel.Checkpoint{ID: id, SessionID: sessionID, Label: c.Label, Time: c.At, Seq: c.Seq, State: c.State}
}

// Checkpoint appends a checkpoint line, with label (may be empty) and
// state (nil for none), to the shell recording that is active for this
// user, at the recording's current event count, and fsyncs it. It returns
// the recording as it was before the line, and the line, and rewrites
// the recording's snapshot. An error after the line was written comes
// with the recording and the line.
//
// ENOTFOUND if no shell recording is active. ECONFLICT if another
// checkpoint of the recording has the label. EINVALID if the checkpoint
// could not be stored (reel.Checkpoint.Validate).
func (d Dir) Checkpoint(ctx context.Context, label string, state json.RawMessage, now time.Time) (*Recording, Checkpoint, error) {
	g, err := d.guard(ctx, "reel checkpoint")
	if err != nil {
		return nil, Checkpoint{}, err
	}
	defer g.Release()
	list, _, err := d.List()
	if err != nil {
		return nil, Checkpoint{}, err
	}
	e, ok := activeShell(list)
	if !ok {
		return nil, Checkpoint{}, reel.Errorf(reel.ENOTFOUND, "no shell recording is active").
			WithHint("start one with 'reel rec start', or name a stored session with --session")
	}
	r := e.Recording
	if label != "" {
		for _, c := range r.Checkpoints {
			if c.Label == label {
				return nil, Checkpoint{}, reel.Errorf(reel.ECONFLICT, "label %q already names checkpoint %s of recording %s",
					label, reel.ShortID(c.ID), r.Name).WithHint("choose another label")
			}
		}
	}
	c := Checkpoint{T: TypeCheckpoint, Label: label, At: now.UTC(), Seq: r.Events, State: state}
	c.ID = reel.CheckpointID(SessionID(r.Header.ID), c.Seq, c.Label, c.At)
	cp := c.Checkpoint(SessionID(r.Header.ID))
	if err := cp.Validate(); err != nil {
		return nil, Checkpoint{}, err
	}
	if err := Append(e.Path, c); err != nil {
		return nil, Checkpoint{}, err
	}
	// The line is on disk: the checkpoint is taken even if the snapshot
	// cannot be rewritten, so that error comes with the line.
	after, err := Read(e.Path)
	if err == nil {
		err = d.writeSnapshot(after, now)
	}
	if err != nil {
		return r, c, fmt.Errorf("rewrite recording snapshot: %w", err)
	}
	return r, c, nil
}

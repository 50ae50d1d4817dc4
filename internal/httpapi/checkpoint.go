package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/reel-sh/reel"
)

// sessionID resolves ref to a full id through the store, if there is
// one. A ref the store does not know is passed on as it is: a live
// session may not be stored yet.
func (s *Server) sessionID(ctx context.Context, ref string) (string, error) {
	if s.svc.Store == nil {
		return ref, nil
	}
	sess, err := s.svc.Store.Session(ctx, ref)
	switch {
	case err == nil:
		return sess.ID, nil
	case reel.ErrorCode(err) == reel.ENOTFOUND:
		return ref, nil
	}
	return "", err
}

func (s *Server) listCheckpoints(r *http.Request) (any, error) {
	if s.svc.Checkpoints == nil {
		return nil, unsupported("checkpoint list")
	}
	id, err := s.sessionID(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	cs, err := s.svc.Checkpoints.Checkpoints(r.Context(), id)
	if cs == nil && err == nil {
		cs = []reel.Checkpoint{}
	}
	return cs, err
}

func (s *Server) createCheckpoint(r *http.Request) (any, error) {
	if s.svc.Checkpoint == nil {
		return nil, unsupported("checkpoint maker")
	}
	var req checkpointRequest
	if err := decodeBody(r, &req, false); err != nil {
		return nil, err
	}
	if len(req.State) > 0 && string(req.State) == "null" {
		req.State = nil
	}
	return s.svc.Checkpoint(r.Context(), r.PathValue("id"), req.Label, req.State)
}

// Checkpoints returns the checkpoints of the session sessionID names (an
// id or a unique prefix), ordered by seq.
func (c *Client) Checkpoints(ctx context.Context, sessionID string) ([]reel.Checkpoint, error) {
	var cs []reel.Checkpoint
	return cs, c.do(ctx, "GET", sessionPath(sessionID, "checkpoints"), nil, nil, &cs, true)
}

// Checkpoint checkpoints session (an id or a prefix) at its current end,
// labelled label (which may be empty), with state (nil for none), and
// returns the checkpoint the daemon made: it chooses the id, time and seq.
func (c *Client) Checkpoint(ctx context.Context, session, label string, state json.RawMessage) (reel.Checkpoint, error) {
	var cp reel.Checkpoint
	return cp, c.do(ctx, "POST", sessionPath(session, "checkpoints"), nil,
		checkpointRequest{Label: label, State: state}, &cp, true)
}

// PutCheckpoint checkpoints cp.SessionID with cp.Label and cp.State, as
// Checkpoint does: the daemon chooses the id, time and seq (the session's
// current end). EINVALID if cp sets any of them, since the daemon would
// not keep them; a caller that needs them uses Checkpoint, which returns
// them.
func (c *Client) PutCheckpoint(ctx context.Context, cp reel.Checkpoint) error {
	if cp.ID != "" || cp.Seq != 0 || !cp.Time.IsZero() {
		return reel.Errorf(reel.EINVALID, "put checkpoint %q through the daemon: the daemon chooses the id, time and seq", cp.ID).
			WithHint("leave them unset, or open the store directly to write an exact checkpoint")
	}
	_, err := c.Checkpoint(ctx, cp.SessionID, cp.Label, cp.State)
	return err
}

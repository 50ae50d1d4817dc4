package mcp

import (
	"context"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
)

// SpanInput is the input of events_between_checkpoints.
type SpanInput struct {
	Session        string `json:"session" jsonschema:"the session's id or a unique prefix of it"`
	FromCheckpoint string `json:"from_checkpoint,omitempty" jsonschema:"the checkpoint (id or label) the span starts at; empty for the session's start"`
	ToCheckpoint   string `json:"to_checkpoint,omitempty" jsonschema:"the checkpoint (id or label) the span ends before; empty for the session's end"`
	Kind           string `json:"kind,omitempty" jsonschema:"only these event kinds, comma-separated: message, reasoning, tool_call, tool_result, command, output, system, summary, checkpoint, other"`
	Offset         int    `json:"offset,omitempty" jsonschema:"skip this many events of the span; next_offset to go on"`
	Limit          int    `json:"limit,omitempty" jsonschema:"at most this many events, 1 to 200; default 50 (a page also ends early at 64 KiB of text)"`
}

// SpanOutput is the output of events_between_checkpoints.
type SpanOutput struct {
	Session string `json:"session" jsonschema:"the session asked for"`
	Page
}

// CheckpointsInput is the input of list_checkpoints.
type CheckpointsInput struct {
	Session string `json:"session" jsonschema:"the session's id or a unique prefix of it"`
}

// Checkpoint is a checkpoint as list_checkpoints returns it (without its
// state).
type Checkpoint struct {
	ID    string    `json:"id"`
	Label string    `json:"label,omitempty"`
	Time  time.Time `json:"time"`
	Seq   int64     `json:"seq" jsonschema:"the seq of the first event after the checkpoint"`
}

// CheckpointsOutput is the output of list_checkpoints.
type CheckpointsOutput struct {
	SessionID   string       `json:"session_id"`
	Checkpoints []Checkpoint `json:"checkpoints" jsonschema:"in seq order"`
}

func (t *tools) addTimelineTools(s *mcpsdk.Server) {
	addTool(s, &mcpsdk.Tool{Name: "events_between_checkpoints", Annotations: readOnly("Events between checkpoints"),
		Description: `Returns the events of a session between two checkpoints (by id or label, in either order): from the first one up to, not including, the second. Give one checkpoint to run from it to the end, or from the start to it. Use it to see what happened between two named points of work, e.g. "before-refactor" and "tests-green". Paged like get_session.`},
		t.span)
}

func (t *tools) addCheckpointTools(s *mcpsdk.Server) {
	addTool(s, &mcpsdk.Tool{Name: "list_checkpoints", Annotations: readOnly("List checkpoints"),
		Description: `Lists the checkpoints of a session (named points a user or hook marked), in order, with the seq each marks: the names that events_between_checkpoints takes.`},
		t.listCheckpoints)
}

func (t *tools) span(ctx context.Context, in SpanInput) (SpanOutput, error) {
	limit, err := checkLimit(in.Limit, defaultPage, maxPage)
	if err != nil {
		return SpanOutput{}, err
	}
	if in.Offset < 0 {
		return SpanOutput{}, reel.Errorf(reel.EINVALID, "offset %d is negative", in.Offset).
			WithHint("use 0 for the first page, then next_offset")
	}
	if in.FromCheckpoint == "" && in.ToCheckpoint == "" {
		return SpanOutput{}, reel.Errorf(reel.EINVALID, "no checkpoint given").
			WithHint("name from_checkpoint, to_checkpoint or both (list_checkpoints lists them); get_session reads a whole session")
	}
	kinds, err := checkKinds(in.Kind)
	if err != nil {
		return SpanOutput{}, err
	}
	evs, err := t.deps.Timeline.Events(ctx, reel.EventQuery{Session: in.Session,
		FromCheckpoint: in.FromCheckpoint, ToCheckpoint: in.ToCheckpoint, Kinds: kinds, Limit: in.Offset + limit + 1})
	if err != nil {
		return SpanOutput{}, err
	}
	return SpanOutput{Session: in.Session, Page: pageOf(evs[min(in.Offset, len(evs)):], in.Offset, limit)}, nil
}

func (t *tools) listCheckpoints(ctx context.Context, in CheckpointsInput) (CheckpointsOutput, error) {
	sess, err := t.deps.Store.Session(ctx, in.Session)
	if err != nil {
		return CheckpointsOutput{}, err
	}
	cps, err := t.deps.Checkpoints.Checkpoints(ctx, sess.ID)
	if err != nil {
		return CheckpointsOutput{}, err
	}
	out := CheckpointsOutput{SessionID: sess.ID, Checkpoints: make([]Checkpoint, 0, len(cps))}
	for _, c := range cps {
		out.Checkpoints = append(out.Checkpoints, Checkpoint{ID: c.ID, Label: c.Label, Time: c.Time, Seq: c.Seq})
	}
	return out, nil
}

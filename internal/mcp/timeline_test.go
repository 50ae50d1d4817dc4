package mcp_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/mcp"
)

// spanTimeline is a fake timeline whose span of every query is the api
// session's events [10, 40), read from the real store and filtered by
// kind; it records the queries it was asked.
func spanTimeline(t *testing.T, st reel.Store, asked *[]reel.EventQuery) *FakeTimeline {
	return &FakeTimeline{EventsFn: func(ctx context.Context, q reel.EventQuery) ([]reel.Event, error) {
		*asked = append(*asked, q)
		if q.FromCheckpoint == "nope" {
			return nil, reel.Errorf(reel.ENOTFOUND, "checkpoint %q not found in session %s", q.FromCheckpoint, q.Session).
				WithHint("list_checkpoints lists them")
		}
		evs, err := st.Events(ctx, apiID, reel.Filter{Kinds: q.Kinds})
		if err != nil {
			return nil, err
		}
		var out []reel.Event
		for _, e := range evs {
			if e.Seq >= 10 && e.Seq < 40 && (q.Limit == 0 || len(out) < q.Limit) {
				out = append(out, e)
			}
		}
		return out, nil
	}}
}

func TestEventsBetweenCheckpoints(t *testing.T) {
	st := openStore(t)
	var asked []reel.EventQuery
	cs := connect(t, mcp.Deps{Timeline: spanTimeline(t, st, &asked)}, mcp.Options{})
	t.Run("OK", func(t *testing.T) {
		asked = nil
		var seqs []int64
		offset := 0
		for {
			var out mcp.SpanOutput
			call(t, cs, "events_between_checkpoints", map[string]any{"session": "api1", "from_checkpoint": "before",
				"to_checkpoint": "after", "offset": offset, "limit": 12}, &out)
			for _, e := range out.Events {
				seqs = append(seqs, e.Seq)
			}
			if out.NextOffset == nil {
				break
			}
			offset = *out.NextOffset
		}
		if len(seqs) != 30 || seqs[0] != 10 || seqs[29] != 39 {
			t.Errorf("span seqs = %v, want 10..39", seqs)
		}
		want := reel.EventQuery{Session: "api1", FromCheckpoint: "before", ToCheckpoint: "after", Limit: 13}
		if len(asked) != 3 || !reflect.DeepEqual(asked[0], want) || asked[2].Limit != 24+12+1 {
			t.Errorf("queries = %+v, want 3 from %+v", asked, want)
		}
	})
	t.Run("Kind", func(t *testing.T) {
		asked = nil
		var out mcp.SpanOutput
		call(t, cs, "events_between_checkpoints", map[string]any{"session": apiID, "to_checkpoint": "after", "kind": "message,checkpoint"}, &out)
		if len(out.Events) != 30 || !reflect.DeepEqual(asked[0].Kinds, []string{"message", "checkpoint"}) || asked[0].FromCheckpoint != "" {
			t.Errorf("%d events for query %+v", len(out.Events), asked[0])
		}
	})
	t.Run("Err", func(t *testing.T) {
		e := callErr(t, cs, "events_between_checkpoints", map[string]any{"session": apiID, "from_checkpoint": "nope"})
		if e.Code != reel.ENOTFOUND || e.Message != `checkpoint "nope" not found in session `+apiID || e.Hint != "list_checkpoints lists them" {
			t.Errorf("unknown checkpoint: %+v", e)
		}
		for _, args := range []map[string]any{
			{"session": apiID},
			{"session": apiID, "from_checkpoint": "a", "kind": "nonsense"},
			{"session": apiID, "from_checkpoint": "a", "offset": -3},
		} {
			if e := callErr(t, cs, "events_between_checkpoints", args); e.Code != reel.EINVALID || e.Hint == "" {
				t.Errorf("%v: %+v, want invalid with a hint", args, e)
			}
		}
	})
}

func TestListCheckpoints(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	for _, c := range []reel.Checkpoint{
		{ID: "cp-2", SessionID: apiID, Label: "tests-green", Seq: 40},
		{ID: "cp-1", SessionID: apiID, Label: "before-refactor", Seq: 10},
	} {
		if err := st.PutCheckpoint(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	cs := connect(t, mcp.Deps{Store: st, Checkpoints: st}, mcp.Options{})
	var out mcp.CheckpointsOutput
	call(t, cs, "list_checkpoints", map[string]any{"session": apiID[:12]}, &out)
	if out.SessionID != apiID || len(out.Checkpoints) != 2 ||
		out.Checkpoints[0].Label != "before-refactor" || out.Checkpoints[0].Seq != 10 || out.Checkpoints[1].ID != "cp-2" {
		t.Errorf("checkpoints = %+v", out)
	}
	out = mcp.CheckpointsOutput{}
	call(t, cs, "list_checkpoints", map[string]any{"session": webID}, &out)
	if out.Checkpoints == nil || len(out.Checkpoints) != 0 {
		t.Errorf("web's checkpoints = %#v, want []", out.Checkpoints)
	}
	if e := callErr(t, cs, "list_checkpoints", map[string]any{"session": "ffffff"}); e.Code != reel.ENOTFOUND {
		t.Errorf("unknown session: %+v", e)
	}
}

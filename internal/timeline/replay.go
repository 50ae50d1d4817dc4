package timeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/reel-sh/reel"
)

// replayKinds are the events a replay sequence is made of.
var replayKinds = []string{reel.KindToolCall, reel.KindToolResult, reel.KindCommand, reel.KindOutput}

// Replay returns the replay sequence of the span q selects, as Events
// selects it but with q.Kinds ignored: its tool calls and shell commands
// in seq order, each with its result when the span holds it. q.Roles
// keeps the steps whose call or command has one of those roles, and
// q.Limit keeps the first steps; the results are looked for among all the
// span's events. The errors are those of Events.
func (t *Timeline) Replay(ctx context.Context, q reel.EventQuery) ([]reel.Step, error) {
	evs, err := t.read(ctx, q, func(f *reel.Filter) { f.Kinds, f.Roles = replayKinds, nil })
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	return steps(evs, q.Roles, q.Limit), nil
}

// steps pairs the calls and commands of evs (in seq order) with their
// results: a tool_result with the earliest unanswered tool_call of its
// CallID; an output with the unanswered command of its CallID, or else
// with the command right before it (the seq before), as shell recordings
// and pi write them. A result whose call is not in evs is left out. It
// keeps the steps of roles (all when empty), at most limit (all when 0).
func steps(evs []reel.Event, roles []string, limit int) []reel.Step {
	out := []reel.Step{}
	var keep []bool
	calls := map[string][]int{}    // tool call id -> unanswered steps, oldest first
	commands := map[string][]int{} // command call id -> unanswered steps
	lastCommand := -1              // the step of an unanswered command with no call id
	for _, e := range evs {
		switch e.Kind {
		case reel.KindToolCall, reel.KindCommand:
			out = append(out, reel.Step{Seq: e.Seq, Time: e.Time, Kind: e.Kind, Tool: e.Tool, Text: e.Text,
				Input: e.Input, ResultSeq: -1, IsError: e.IsError, ExitCode: e.ExitCode})
			keep = append(keep, len(roles) == 0 || slices.Contains(roles, e.Role))
			i := len(out) - 1
			pending := calls
			if e.Kind == reel.KindCommand {
				pending = commands
				lastCommand = -1
				if e.CallID == "" {
					lastCommand = i
				}
			}
			if e.CallID != "" {
				pending[e.CallID] = append(pending[e.CallID], i)
			}
			continue
		case reel.KindToolResult:
			if i, ok := take(calls, e.CallID); ok {
				answer(&out[i], e)
			}
		case reel.KindOutput:
			if i, ok := take(commands, e.CallID); ok {
				answer(&out[i], e)
			} else if e.CallID == "" && lastCommand >= 0 && out[lastCommand].Seq == e.Seq-1 {
				answer(&out[lastCommand], e)
			}
		}
		lastCommand = -1
	}
	kept := out[:0]
	for i, s := range out {
		if keep[i] && (limit <= 0 || len(kept) < limit) {
			kept = append(kept, s)
		}
	}
	return kept
}

// take removes and returns the oldest unanswered step of call id.
func take(pending map[string][]int, id string) (int, bool) {
	if id == "" || len(pending[id]) == 0 {
		return 0, false
	}
	i := pending[id][0]
	pending[id] = pending[id][1:]
	return i, true
}

// answer gives step s its result e. The result's exit code wins over the
// call's; either one's error marks the step.
func answer(s *reel.Step, e reel.Event) {
	s.Result, s.ResultSeq = e.Text, e.Seq
	s.IsError = s.IsError || e.IsError
	if e.ExitCode != nil {
		s.ExitCode = e.ExitCode
	}
}

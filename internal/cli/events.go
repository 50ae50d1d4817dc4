package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/reel-sh/reel/internal/timeline"
	"github.com/spf13/cobra"
)

type eventsOptions struct {
	app            *App
	ref            string
	since          int64
	between        []string
	fromCheckpoint string
	toCheckpoint   string
	kinds          []string
	roles          []string
	limit          int
	full           bool
	json           bool
}

func newEventsCmd(app *App) *cobra.Command {
	opts := &eventsOptions{app: app}
	cmd := &cobra.Command{
		Use:   "events SESSION",
		Short: "Print a span of a session's events: between checkpoints, since a seq, within times",
		Long: `Events prints the events of a span of one session. SESSION is a full id or any
unique prefix. Each flag narrows the span:

  --from-checkpoint A --to-checkpoint B   events from A's seq up to, not
                                          including, B's (in either order);
                                          one alone runs from it to the end,
                                          or from the start up to it
  --since SEQ                             events with seq SEQ or later
  --between T1,T2                         events with times in [T1, T2]
  --kind, --role, --limit                 only those kinds and roles, the
                                          first N

A checkpoint is named by its id, its label or a unique prefix of its id.
Times are a duration back from now (90m, 36h, 7d), a date (2026-01-02) or
RFC 3339; give --between once with both, comma-separated, or twice.

With --kind tool_call alone, events prints the span's replay sequence
instead: each tool call and shell command in order, numbered, with its
arguments, a preview of its result, and its exit code or error.`,
		Example: `  reel events 3f2a9c --from-checkpoint before-refactor --to-checkpoint after-refactor
  reel events 3f2a9c --since 120 --limit 20
  reel events 3f2a9c --between 2026-01-02T10:00:00Z,2026-01-02T11:00:00Z --role user
  reel events 3f2a9c --from-checkpoint before-refactor --kind tool_call
  reel events 3f2a9c --kind tool_call --json | jq -r '.[] | select(.is_error) | .text'`,
		Args: exactArgs(1, "one session id or prefix"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return runEvents(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&opts.since, "since", 0, "only events with this seq or later")
	f.StringSliceVar(&opts.between, "between", nil, "only events with times within T1,T2 (both inclusive)")
	f.StringVar(&opts.fromCheckpoint, "from-checkpoint", "", "start at this checkpoint (id, label or id prefix)")
	f.StringVar(&opts.toCheckpoint, "to-checkpoint", "", "stop before this checkpoint (id, label or id prefix)")
	f.StringSliceVar(&opts.kinds, "kind", nil, "only these event kinds; tool_call alone prints the replay sequence")
	f.StringSliceVar(&opts.roles, "role", nil, "only these roles")
	f.IntVar(&opts.limit, "limit", 0, "at most this many events or steps (0 for all)")
	f.BoolVar(&opts.full, "full", false, "print every text whole")
	f.BoolVar(&opts.json, "json", false, "print the events (or the replay steps) as JSON")
	return cmd
}

// openTimeline returns the session that ref names and the timeline over
// the app's store.
func openTimeline(ctx context.Context, app *App, ref string) (reel.Session, *timeline.Timeline, error) {
	store, err := app.Store(ctx)
	if err != nil {
		return reel.Session{}, nil, err
	}
	sess, err := store.Session(ctx, ref)
	if err != nil {
		return reel.Session{}, nil, err
	}
	return sess, timeline.New(store), nil
}

// query builds the query of the options, for session id.
func (opts *eventsOptions) query(id string) (reel.EventQuery, error) {
	if opts.since < 0 {
		return reel.EventQuery{}, reel.Errorf(reel.EINVALID, "--since must be a seq, 0 or more")
	}
	if opts.limit < 0 {
		return reel.EventQuery{}, reel.Errorf(reel.EINVALID, "--limit must be 0 or more")
	}
	q := reel.EventQuery{Session: id, SinceSeq: opts.since, FromCheckpoint: opts.fromCheckpoint,
		ToCheckpoint: opts.toCheckpoint, Kinds: splitList(opts.kinds), Roles: splitList(opts.roles), Limit: opts.limit}
	if opts.between != nil {
		times := splitList(opts.between)
		if len(times) != 2 {
			return reel.EventQuery{}, reel.Errorf(reel.EINVALID, "--between takes two times, got %d", len(times)).
				WithHint("give --between T1,T2, or --between T1 --between T2")
		}
		var err error
		if q.From, q.To, err = humanize.ParseRange(times[0], times[1], time.Now()); err != nil {
			return reel.EventQuery{}, err
		}
		if q.To.Before(q.From) {
			return reel.EventQuery{}, reel.Errorf(reel.EINVALID, "--between %s is after %s", times[0], times[1]).
				WithHint("give the earlier time first")
		}
	}
	return q, nil
}

func runEvents(ctx context.Context, opts *eventsOptions) error {
	s := opts.app.Streams
	sess, tl, err := openTimeline(ctx, opts.app, opts.ref)
	if err != nil {
		return err
	}
	q, err := opts.query(sess.ID)
	if err != nil {
		return err
	}
	maxLines := 8
	if opts.full {
		maxLines = 0
	}
	if len(q.Kinds) == 1 && q.Kinds[0] == reel.KindToolCall {
		steps, err := tl.Replay(ctx, q)
		if err != nil || opts.json {
			return orJSON(s, steps, err)
		}
		printSessionHeading(s, sess)
		printSteps(s, steps, maxLines)
		return nil
	}
	events, err := tl.Events(ctx, q)
	if err != nil || opts.json {
		return orJSON(s, events, err)
	}
	printSessionHeading(s, sess)
	if len(events) == 0 {
		fmt.Fprintln(s.Out, s.Paint(styleDim, "\nNo events in this span."))
	}
	printEvents(s, events, maxLines)
	return nil
}

// orJSON returns err, or prints v as JSON when there is none.
func orJSON(s *Streams, v any, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(s.Out, v)
}

// printSteps prints a replay sequence: one numbered line per step with
// its seq, time, tool (or $ for a command) and text, then its result cut
// to maxLines lines (0 for whole), its exit code and whether it failed.
func printSteps(s *Streams, steps []reel.Step, maxLines int) {
	if len(steps) == 0 {
		fmt.Fprintln(s.Out, s.Paint(styleDim, "\nNo tool calls or commands in this span."))
		return
	}
	for i, st := range steps {
		head := s.Paint(styleYellow, "→ "+orDash(st.Tool))
		if st.Kind == reel.KindCommand {
			head = s.Paint(styleYellow, "$")
		}
		fmt.Fprintf(s.Out, "\n%d. %s %s %s\n", i+1, s.Paint(styleDim, fmt.Sprintf("#%d %s", st.Seq, st.Time.Local().Format("15:04:05"))),
			head, firstLine(st.Text))
		if _, rest, ok := strings.Cut(strings.TrimSpace(st.Text), "\n"); ok && strings.TrimSpace(rest) != "" {
			fmt.Fprintln(s.Out, indent(clip(rest, maxLines), "   "))
		}
		var status []string
		if st.ExitCode != nil {
			status = append(status, fmt.Sprintf("exit %d", *st.ExitCode))
		}
		if st.IsError {
			status = append(status, "error")
		}
		mark := "← "
		if len(status) > 0 {
			mark += "(" + strings.Join(status, ", ") + ") "
		}
		switch {
		case st.ResultSeq < 0:
			fmt.Fprintln(s.Out, "   "+s.Paint(styleDim, mark+"no result in this span"))
		case st.Result == "":
			fmt.Fprintln(s.Out, "   "+paintResult(s, st, mark+fmt.Sprintf("#%d (empty)", st.ResultSeq)))
		default:
			fmt.Fprintln(s.Out, "   "+paintResult(s, st, mark+fmt.Sprintf("#%d", st.ResultSeq)))
			fmt.Fprintln(s.Out, indent(clip(st.Result, maxLines), "     "))
		}
	}
}

// paintResult colours a step's result line: red when the step failed.
func paintResult(s *Streams, st reel.Step, text string) string {
	if st.IsError {
		return s.Paint(styleRed, text)
	}
	return s.Paint(styleDim, text)
}

// firstLine is the first line of s, trimmed.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

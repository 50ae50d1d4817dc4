package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/spf13/cobra"
)

type showOptions struct {
	app   *App
	ref   string
	kinds []string
	full  bool
	json  bool
}

// sessionDoc is a session with its events: show --json and export --format json.
type sessionDoc struct {
	Session reel.Session `json:"session"`
	Events  []reel.Event `json:"events"`
}

func newShowCmd(app *App) *cobra.Command {
	opts := &showOptions{app: app}
	cmd := &cobra.Command{
		Use:   "show SESSION",
		Short: "Print a session's transcript: messages, tool calls and results, with times",
		Long: `Show prints a session's transcript. SESSION is a full id or any unique prefix,
as printed by 'reel sessions' and 'reel search'. Long texts are cut to a few
lines unless --full is given.`,
		Example: `  reel show 3f2a9c
  reel show 3f2a9c --kind message
  reel show 3f2a9c --full | less -R
  reel show 3f2a9c --json | jq '.events | length'`,
		Args: exactArgs(1, "one session id or prefix"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return runShow(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.kinds, "kind", nil, "only these event kinds")
	cmd.Flags().BoolVar(&opts.full, "full", false, "print every text whole")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the session and its events as JSON")
	return cmd
}

func loadSession(ctx context.Context, app *App, ref string, f reel.Filter) (reel.Session, []reel.Event, error) {
	store, err := app.Store(ctx)
	if err != nil {
		return reel.Session{}, nil, err
	}
	sess, err := store.Session(ctx, ref)
	if err != nil {
		return reel.Session{}, nil, err
	}
	events, err := store.Events(ctx, sess.ID, f)
	if err != nil {
		return reel.Session{}, nil, err
	}
	if events == nil {
		events = []reel.Event{}
	}
	return sess, events, nil
}

func runShow(ctx context.Context, opts *showOptions) error {
	s := opts.app.Streams
	sess, events, err := loadSession(ctx, opts.app, opts.ref, reel.Filter{Kinds: splitList(opts.kinds)})
	if err != nil {
		return err
	}
	if opts.json {
		return writeJSON(s.Out, sessionDoc{Session: sess, Events: events})
	}
	printSessionHeading(s, sess)
	maxLines := 8
	if opts.full {
		maxLines = 0
	}
	printEvents(s, events, maxLines)
	return nil
}

// printSessionHeading prints a session's title, id, source, project, times
// and counts on two lines.
func printSessionHeading(s *Streams, sess reel.Session) {
	fmt.Fprintf(s.Out, "%s %s\n", s.Paint(styleBold, sess.Title), s.Paint(styleDim, "("+sess.ID+")"))
	fmt.Fprintf(s.Out, "%s · %s · %s → %s · %d events", sess.Source, orDash(sess.Project),
		sess.StartedAt.Local().Format(time.DateTime), sess.EndedAt.Local().Format(time.DateTime), sess.EventCount)
	if t := sess.Tokens.Total(); t > 0 {
		fmt.Fprintf(s.Out, " · %s tokens", humanize.Count(t))
	}
	fmt.Fprintln(s.Out)
}

// printEvents prints events as a transcript, each text cut to maxLines
// lines (0 for whole).
func printEvents(s *Streams, events []reel.Event, maxLines int) {
	for _, e := range events {
		fmt.Fprintln(s.Out)
		fmt.Fprintf(s.Out, "%s %s\n", s.Paint(styleDim, e.Time.Local().Format("15:04:05")), eventHeading(s, e))
		if text := clip(e.Text, maxLines); text != "" {
			fmt.Fprintln(s.Out, indent(text, "  "))
		}
	}
}

func eventHeading(s *Streams, e reel.Event) string {
	switch e.Kind {
	case reel.KindMessage:
		if e.Role == reel.RoleUser {
			return s.Paint(styleGreen, "▶ user")
		}
		return s.Paint(styleBlue, "◀ "+orDash(e.Role))
	case reel.KindToolCall:
		return s.Paint(styleYellow, "→ "+orDash(e.Tool))
	case reel.KindToolResult:
		h := "← result"
		if e.ExitCode != nil {
			h += fmt.Sprintf(" (exit %d)", *e.ExitCode)
		}
		if e.IsError {
			return s.Paint(styleRed, h+" error")
		}
		return s.Paint(styleYellow, h)
	case reel.KindReasoning:
		return s.Paint(styleDim, "… thinking")
	}
	return s.Paint(styleDim, "· "+e.Kind)
}

// clip keeps the first n lines of s (all when n is 0), saying what it cut.
func clip(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	if n <= 0 {
		return s
	}
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) <= n {
		return s
	}
	rest := strings.Count(lines[n], "\n") + 1
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… %d more lines (--full)", rest)
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

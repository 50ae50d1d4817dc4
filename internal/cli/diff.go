package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/spf13/cobra"
)

type diffOptions struct {
	app  *App
	ref  string
	a, b string
	json bool
}

func newDiffCmd(app *App) *cobra.Command {
	opts := &diffOptions{app: app}
	cmd := &cobra.Command{
		Use:   "diff SESSION A B",
		Short: "Summarise what a session did between two checkpoints",
		Long: `Diff summarises the events of SESSION from checkpoint A up to, not including,
checkpoint B (in either order): the files that tools read, wrote, edited or
deleted and that rm, mv, cp, touch and sed -i commands named, the shell
commands run in order, the calls of each tool, and the tokens spent.

SESSION is a full id or any unique prefix; A and B are checkpoint ids,
labels or unique id prefixes.`,
		Example: `  reel diff 3f2a9c before-refactor after-refactor
  reel diff 3f2a9c before-refactor after-refactor --json | jq -r '.files[].path'`,
		Args: exactArgs(3, "a session and two checkpoints"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref, opts.a, opts.b = args[0], args[1], args[2]
			return runDiff(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the diff as JSON")
	return cmd
}

func runDiff(ctx context.Context, opts *diffOptions) error {
	s := opts.app.Streams
	sess, tl, err := openTimeline(ctx, opts.app, opts.ref)
	if err != nil {
		return err
	}
	d, err := tl.Diff(ctx, sess.ID, opts.a, opts.b)
	if err != nil || opts.json {
		return orJSON(s, d, err)
	}
	printSessionHeading(s, sess)
	fmt.Fprintf(s.Out, "\n%s → %s: %d events\n", checkpointName(d.From), checkpointName(d.To), d.Events)

	fmt.Fprintf(s.Out, "\n%s\n", s.Paint(styleBold, fmt.Sprintf("Files (%d)", len(d.Files))))
	width := 0
	for _, f := range d.Files {
		width = max(width, len(strings.Join(f.Ops, ",")))
	}
	for _, f := range d.Files {
		fmt.Fprintf(s.Out, "  %-*s  %s\n", width, strings.Join(f.Ops, ","), f.Path)
	}

	fmt.Fprintf(s.Out, "\n%s\n", s.Paint(styleBold, fmt.Sprintf("Commands (%d)", len(d.Commands))))
	for _, c := range d.Commands {
		fmt.Fprintf(s.Out, "  $ %s\n", truncate(c, 120))
	}

	type count struct {
		tool string
		n    int64
	}
	var tools []count
	var calls int64
	width = 0
	for tool, n := range d.Tools {
		tools = append(tools, count{tool, n})
		calls += n
		width = max(width, len(tool))
	}
	sort.Slice(tools, func(i, j int) bool {
		if tools[i].n != tools[j].n {
			return tools[i].n > tools[j].n
		}
		return tools[i].tool < tools[j].tool
	})
	fmt.Fprintf(s.Out, "\n%s\n", s.Paint(styleBold, fmt.Sprintf("Tools (%d calls)", calls)))
	for _, c := range tools {
		fmt.Fprintf(s.Out, "  %-*s  %d\n", width, c.tool, c.n)
	}

	t := d.Tokens
	fmt.Fprintf(s.Out, "\n%s %s (input %s, output %s, cache read %s, cache creation %s, reasoning %s)\n",
		s.Paint(styleBold, "Tokens:"), humanize.Count(t.Total()), humanize.Count(t.Input), humanize.Count(t.Output),
		humanize.Count(t.CacheRead), humanize.Count(t.CacheCreation), humanize.Count(t.Reasoning))
	return nil
}

// checkpointName names a checkpoint for people: its label and short id,
// and the seq it marks.
func checkpointName(c reel.Checkpoint) string {
	name := reel.ShortID(c.ID)
	if c.Label != "" {
		name = c.Label + " (" + name + ")"
	}
	return fmt.Sprintf("%s at seq %d", name, c.Seq)
}

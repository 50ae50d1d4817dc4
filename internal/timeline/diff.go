package timeline

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/reel-sh/reel"
)

// Diff summarises the span between checkpoints a and b of session (ids,
// labels or unique id prefixes, in either order): From is the earlier
// checkpoint (a when both mark the same seq) and To the later one. It
// counts the events of [From.Seq, To.Seq), lists the files they touched
// (tool calls that read, write, edit or delete files, apply_patch
// patches, and paths that rm, mv, cp, touch and sed -i commands name,
// whether run by a shell tool or recorded as commands), the shell
// commands run in order, the calls of each named tool, and the sum of
// the events' tokens. ENOTFOUND for an unknown session or checkpoint (the
// hint lists the session's checkpoints), EAMBIGUOUS for a prefix of
// several.
func (t *Timeline) Diff(ctx context.Context, session, a, b string) (reel.Diff, error) {
	if a == "" || b == "" {
		return reel.Diff{}, reel.Errorf(reel.EINVALID, "diff: two checkpoints are needed")
	}
	sess, err := t.store.Session(ctx, session)
	if err != nil {
		return reel.Diff{}, fmt.Errorf("diff: %w", err)
	}
	cps, err := t.store.Checkpoints(ctx, sess.ID)
	if err != nil {
		return reel.Diff{}, fmt.Errorf("diff: %w", err)
	}
	from, err := checkpoint(sess, cps, a)
	if err != nil {
		return reel.Diff{}, fmt.Errorf("diff: %w", err)
	}
	to, err := checkpoint(sess, cps, b)
	if err != nil {
		return reel.Diff{}, fmt.Errorf("diff: %w", err)
	}
	if to.Seq < from.Seq {
		from, to = to, from
	}
	d := reel.Diff{SessionID: sess.ID, From: from, To: to, Files: []reel.FileTouch{},
		Commands: []string{}, Tools: map[string]int64{}}
	if to.Seq == from.Seq {
		return d, nil
	}
	evs, err := t.store.Events(ctx, sess.ID, reel.Filter{SeqFrom: from.Seq, SeqTo: to.Seq})
	if err != nil {
		return reel.Diff{}, fmt.Errorf("diff: %w", err)
	}
	summarise(&d, evs)
	return d, nil
}

// summarise fills d's counts, files, commands, tools and tokens from the
// events of its span.
func summarise(d *reel.Diff, evs []reel.Event) {
	files := map[string]int{} // path -> index in d.Files
	add := func(ts []touch) {
		for _, t := range ts {
			i, ok := files[t.path]
			if !ok {
				i = len(d.Files)
				files[t.path] = i
				d.Files = append(d.Files, reel.FileTouch{Path: t.path, Ops: []string{}})
			}
			if !slices.Contains(d.Files[i].Ops, t.op) {
				d.Files[i].Ops = append(d.Files[i].Ops, t.op)
			}
		}
	}
	for _, e := range evs {
		d.Events++
		d.Tokens = d.Tokens.Add(e.Tokens)
		switch e.Kind {
		case reel.KindToolCall:
			if e.Tool != "" {
				d.Tools[e.Tool]++
			}
			if isShellTool(e.Tool) {
				if line := shellCommand(e); line != "" {
					d.Commands = append(d.Commands, line)
				}
			}
			add(callTouches(e))
		case reel.KindCommand:
			if e.Text != "" {
				d.Commands = append(d.Commands, e.Text)
			}
			add(commandTouches(e.Text))
		}
	}
	sort.Slice(d.Files, func(i, j int) bool { return d.Files[i].Path < d.Files[j].Path })
}

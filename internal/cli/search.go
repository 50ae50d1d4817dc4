package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
	"github.com/spf13/cobra"
)

type searchOptions struct {
	app          *App
	query        string
	sources      []string
	project      string
	since, until string
	kinds, roles []string
	session      string
	limit        int
	json         bool
	interactive  bool
	mode         string
	perSession   int
	explain      bool
}

// defaultPerSession is how many hits of one session a search shows at
// most, unless --per-session says otherwise.
const defaultPerSession = 3

func newSearchCmd(app *App) *cobra.Command {
	opts := &searchOptions{app: app}
	cmd := &cobra.Command{
		Use:   "search QUERY... | search -i [QUERY...]",
		Short: "Search every session's events, by words and by meaning",
		Long: `Search finds events by their text, best match first.

Query syntax: words must all match; "quoted phrases" match in order; migrat*
matches a prefix; AND, OR and NOT (in capitals) and -word combine them, with
parentheses. Punctuation is searched as text, so any query is valid. One
word is ranked by BM25 however common it is; a phrase, a prefix or several
words with more than 2,000 matches return the newest matches first.

With -i, search runs as you type in a full-screen view, QUERY optional:
Up/Down move, Ctrl-S cycles the source, Ctrl-O types a project, Ctrl-T cycles
the time range (any, 24h, 7d, 30d), Ctrl-K cycles the kind, Enter opens the
session in $PAGER (else less -R), Ctrl-R prints its resume command and exits,
Esc quits.

Modes: fts matches words (BM25); vector ranks events by the similarity of
their embedding to the query's; hybrid fuses both by reciprocal rank. The
default is fts: vector and hybrid load every vector of the store into memory
first, about 12 µs each (a quarter of a second at 20,000 events), which a
one-shot command should not pay unasked. vector and hybrid fail with a hint
when no model is configured. Hits are capped per session (--per-session) and grouped, so one
long session cannot fill the page.`,
		Example: `  reel search flaky migration
  reel search '"connection refused"' --source codex --since 2026-01-01 --limit 20
  reel search 'migrat* -rollback' --project myapp --kind tool_call
  reel search ENOSPC --json | jq '.[0].session_id'
  reel search -i flaky migration
  eval "$(reel search -i)"   # ctrl+r on a hit prints its resume command
  reel search "why did the deploy hang" --mode hybrid --explain
  reel search flaky test --per-session 1 --mode fts`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !opts.interactive {
				return &usageError{fmt.Errorf("search needs a query\nrun 'reel search --help' for usage")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.query = strings.Join(args, " ")
			if opts.interactive {
				return runSearchInteractive(cmd.Context(), opts)
			}
			_, err := runSearch(cmd.Context(), opts)
			return err
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.sources, "source", nil, sourceList())
	f.StringVar(&opts.project, "project", "", "project path contains this text (case-insensitive)")
	f.StringVar(&opts.since, "since", "", "events since: 7d, 36h, 2026-01-02 or RFC 3339")
	f.StringVar(&opts.until, "until", "", "events before: same forms as --since")
	f.StringSliceVar(&opts.kinds, "kind", nil, "event kind: message, reasoning, tool_call, tool_result, system, summary, other")
	f.StringSliceVar(&opts.roles, "role", nil, "role: user, assistant, system, tool")
	f.StringVar(&opts.session, "session", "", "only this session (id or unique prefix)")
	f.IntVar(&opts.limit, "limit", 20, "at most this many hits")
	f.BoolVar(&opts.json, "json", false, "print hits as JSON")
	f.BoolVarP(&opts.interactive, "interactive", "i", false, "search as you type in a full-screen view")
	f.StringVar(&opts.mode, "mode", "", "fts, hybrid or vector; hybrid and vector load every vector first")
	f.IntVar(&opts.perSession, "per-session", defaultPerSession, "at most this many hits of one session (0: no cap)")
	f.BoolVar(&opts.explain, "explain", false, "say how each hit was ranked: mode, model, ranks and scores")
	cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions([]string{reel.ModeHybrid, reel.ModeFTS, reel.ModeVector},
		cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("source", cobra.FixedCompletions(sourceNames(), cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions([]string{
		reel.KindMessage, reel.KindReasoning, reel.KindToolCall, reel.KindToolResult, reel.KindSystem, reel.KindSummary, reel.KindOther,
	}, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions([]string{
		reel.RoleUser, reel.RoleAssistant, reel.RoleSystem, reel.RoleTool,
	}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runSearch prints the hits of a search and returns them.
func runSearch(ctx context.Context, opts *searchOptions) ([]reel.Hit, error) {
	s := opts.app.Streams
	if opts.limit <= 0 {
		return nil, reel.Errorf(reel.EINVALID, "--limit must be at least 1")
	}
	if opts.perSession < 0 {
		return nil, reel.Errorf(reel.EINVALID, "--per-session must be 0 (no cap) or more")
	}
	mode := opts.mode
	if mode == "" {
		mode = reel.ModeFTS
	}
	q := reel.SearchQuery{Mode: mode, PerSession: opts.perSession, Explain: opts.explain,
		Query: reel.ParseQuery(opts.query),
		Filter: reel.Filter{Sources: splitList(opts.sources), Project: opts.project,
			Kinds: splitList(opts.kinds), Roles: splitList(opts.roles), Limit: opts.limit},
	}
	if err := timeFilter(&q.Filter, opts.since, opts.until); err != nil {
		return nil, err
	}
	store, err := opts.app.Store(ctx)
	if err != nil {
		return nil, err
	}
	if opts.session != "" {
		sess, err := store.Session(ctx, opts.session)
		if err != nil {
			return nil, err
		}
		q.Filter.SessionID = sess.ID
	}
	sr, _ := opts.app.searcher(ctx, store, "")
	res, err := sr.SearchWithInfo(ctx, q)
	if err != nil {
		return nil, err
	}
	hits := res.Hits
	if !opts.json {
		searchNotices(ctx, s, sr, res)
	}
	if opts.json {
		if hits == nil {
			hits = []reel.Hit{}
		}
		return hits, writeJSON(s.Out, hits)
	}
	if q.Query.Empty() {
		fmt.Fprintf(s.Err, "Nothing to search for in %q: a query needs a word with a letter or digit that is not excluded.\n", opts.query)
		return nil, nil
	}
	if len(hits) == 0 {
		fmt.Fprintf(s.Err, "No matches for %s.\n", q.Query.String())
		return nil, nil
	}
	for _, h := range hits {
		what := h.Kind
		if h.Tool != "" {
			what += " " + h.Tool
		} else if h.Role != "" {
			what += " " + h.Role
		}
		fmt.Fprintf(s.Out, "%s %s  %s  %s  %s  %s\n",
			s.Paint(styleCyan, reel.ShortID(h.SessionID)), s.Paint(styleDim, fmt.Sprintf("#%d", h.Seq)),
			clock(h.Time), h.Source, s.Paint(styleBlue, what),
			s.Paint(styleDim, projectName(h.Project)+" · "+truncate(h.Title, 50)))
		fmt.Fprintf(s.Out, "    %s\n", highlight(s, strings.ReplaceAll(h.Snippet, "\n", " "), h.Highlights))
		if x := h.Explain; x != nil {
			fmt.Fprintf(s.Out, "    %s\n", s.Paint(styleDim, explainLine(x, h.Score)))
		}
	}
	return hits, nil
}

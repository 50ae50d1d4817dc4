package evalset

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/reel-sh/reel"
)

// DefaultLimit is the hit limit of each search when RunOptions.Limit is
// 0: reel search's default.
const DefaultLimit = 20

// Modes lists the search modes in report order.
var Modes = []string{reel.ModeFTS, reel.ModeVector, reel.ModeHybrid}

// Searcher runs one search. internal/search's Searcher serves every mode;
// a reel.Store's own Search is full-text whatever the mode.
type Searcher interface {
	Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error)
}

// RunOptions sets up an evaluation run.
type RunOptions struct {
	Searcher Searcher
	// Modes are the modes to run, each through Searcher with
	// SearchQuery.Mode set to it.
	Modes []string
	// Unavailable names modes that cannot run, with the reason; they are
	// reported, not run.
	Unavailable map[string]string
	// Limit is each search's hit limit; 0 means DefaultLimit.
	Limit int
	// PerSession caps the hits of one session, as reel.SearchQuery's.
	PerSession int
}

// QueryResult is the rank of one query's first target in one mode.
type QueryResult struct {
	ID    string `json:"id"`
	Class string `json:"class"`
	// Rank is 1-based among distinct sessions; 0 is a miss.
	Rank int `json:"rank"`
}

// ModeReport holds one mode's figures.
type ModeReport struct {
	Mode string `json:"mode"`
	// Available is false when the mode could not run; Reason says why.
	Available bool              `json:"available"`
	Reason    string            `json:"reason,omitempty"`
	Overall   Scores            `json:"overall"`
	ByClass   map[string]Scores `json:"by_class,omitempty"`
	Results   []QueryResult     `json:"results,omitempty"`
}

// Report is the result of an evaluation run.
type Report struct {
	Seed     int64        `json:"seed"`
	Sessions int          `json:"sessions"`
	Queries  int          `json:"queries"`
	Limit    int          `json:"limit"`
	Modes    []ModeReport `json:"modes"`
}

// Mode returns the report of mode, or nil.
func (r *Report) Mode(mode string) *ModeReport {
	for i := range r.Modes {
		if r.Modes[i].Mode == mode {
			return &r.Modes[i]
		}
	}
	return nil
}

// Run searches every query of set in every mode of opts, as a user types
// it (reel.ParseQuery), and scores the ranks of the targets. A mode whose
// first search fails is reported unavailable with the error; a later
// failure ends the run.
func Run(ctx context.Context, set *Set, opts RunOptions) (*Report, error) {
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	rep := &Report{Seed: set.Seed, Sessions: len(set.Sessions), Queries: len(set.Queries), Limit: limit}
	run := map[string]bool{}
	for _, m := range opts.Modes {
		run[m] = true
	}
	order := append([]string(nil), Modes...)
	for _, m := range opts.Modes {
		if !slices.Contains(order, m) {
			order = append(order, m)
		}
	}
	for _, mode := range order {
		if reason, ok := opts.Unavailable[mode]; ok {
			rep.Modes = append(rep.Modes, ModeReport{Mode: mode, Reason: reason})
			continue
		}
		if !run[mode] {
			continue
		}
		mr, err := runMode(ctx, set, opts, mode, limit)
		if err != nil {
			return nil, err
		}
		rep.Modes = append(rep.Modes, mr)
	}
	return rep, nil
}

func runMode(ctx context.Context, set *Set, opts RunOptions, mode string, limit int) (ModeReport, error) {
	mr := ModeReport{Mode: mode, Available: true, ByClass: map[string]Scores{}}
	var all []int
	byClass := map[string][]int{}
	for i, q := range set.Queries {
		hits, err := opts.Searcher.Search(ctx, reel.SearchQuery{Query: reel.ParseQuery(q.Text), Mode: mode,
			PerSession: opts.PerSession, Filter: reel.Filter{Limit: limit}})
		if err != nil {
			if i == 0 {
				return ModeReport{Mode: mode, Reason: err.Error()}, nil
			}
			return ModeReport{}, fmt.Errorf("search %s %q: %w", mode, q.Text, err)
		}
		rank := Rank(hits, q.Targets)
		all = append(all, rank)
		byClass[q.Class] = append(byClass[q.Class], rank)
		mr.Results = append(mr.Results, QueryResult{ID: q.ID, Class: q.Class, Rank: rank})
	}
	mr.Overall = Score(all)
	for c, ranks := range byClass {
		mr.ByClass[c] = Score(ranks)
	}
	return mr, nil
}

// WriteText writes the report as a table: each mode overall, then by
// query class.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "Search quality: %d queries over %d sessions (seed %d, limit %d, ranked by session)\n\n", r.Queries, r.Sessions, r.Seed, r.Limit)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "mode\tclass\tqueries\tSuccess@1\tSuccess@3\tMRR")
	var notes []string
	for _, m := range r.Modes {
		if !m.Available {
			fmt.Fprintf(tw, "%s\tunavailable\t-\t-\t-\t-\n", m.Mode)
			notes = append(notes, fmt.Sprintf("%s unavailable: %s", m.Mode, m.Reason))
			continue
		}
		row := func(class string, s Scores) {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.3f\t%.3f\t%.3f\n", m.Mode, class, s.Queries, s.Success1, s.Success3, s.MRR)
		}
		row("all", m.Overall)
		for _, c := range Classes {
			if s, ok := m.ByClass[c]; ok {
				row(c, s)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
	for _, n := range notes {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return err
		}
	}
	return nil
}

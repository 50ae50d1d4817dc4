package bench

import (
	"fmt"
	"github.com/reel-sh/reel/internal/humanize"
	"io"
	"strings"
	"text/tabwriter"
)

// Report is the outcome of a benchmark run. Times are in seconds and
// latencies in milliseconds; sizes in bytes.
type Report struct {
	// Events is the size asked for; Corpus.Events is what was generated.
	Events int          `json:"events"`
	Seed   int64        `json:"seed"`
	Dir    string       `json:"dir"`
	Corpus CorpusReport `json:"corpus"`
	Ingest IngestReport `json:"ingest"`
	// PeakRSSBytes is the process's peak resident memory (VmHWM). It
	// counts the whole process, not the store alone; PeakRSSScope says
	// whether corpus generation is included.
	PeakRSSBytes int64  `json:"peak_rss_bytes"`
	PeakRSSScope string `json:"peak_rss_scope"`
	// DBSizeBytes is the store's size after ingest, as it reports it.
	DBSizeBytes int64     `json:"db_size_bytes"`
	Search      []Latency `json:"search"`
	Checks      []Check   `json:"checks"`
	// Passed is true when every check passed.
	Passed bool `json:"passed"`
}

// CorpusReport describes the generated corpus.
type CorpusReport struct {
	Files    int            `json:"files"`
	Sessions map[string]int `json:"sessions"`
	Records  int64          `json:"records"`
	Events   int64          `json:"events"`
	Bytes    int64          `json:"bytes"`
	Seconds  float64        `json:"generate_seconds"`
}

// IngestReport describes the cold sync.
type IngestReport struct {
	Seconds float64 `json:"seconds"`
	// EventsPerSecond divides the events the store holds by the wall time.
	EventsPerSecond float64 `json:"events_per_second"`
	// Files, Sessions, Events and Records are what the sync reported.
	Files    int   `json:"files"`
	Sessions int   `json:"sessions"`
	Events   int64 `json:"events"`
	Records  int64 `json:"records"`
	// StoredEvents is what the store counts after the sync.
	StoredEvents int64 `json:"stored_events"`
}

// Latency is the spread of one query class's search times.
type Latency struct {
	Class string `json:"class"`
	// Queries is how many searches were timed, Distinct how many different
	// ones they cycled through.
	Queries  int     `json:"queries"`
	Distinct int     `json:"distinct"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	MeanHits float64 `json:"mean_hits"`
}

// Check is one correctness check: a search whose hit count is known.
type Check struct {
	Query  string `json:"query"`
	Filter string `json:"filter,omitempty"`
	Want   int    `json:"want"`
	Got    int    `json:"got"`
	Pass   bool   `json:"pass"`
	// Problem says what else was wrong (an error, repeated or misplaced
	// hits), if anything.
	Problem string `json:"problem,omitempty"`
}

// WriteText writes r as tables for people.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	p := func(format string, args ...any) { fmt.Fprintf(ew, format+"\n", args...) }

	p("reel bench: %d events, seed %d, in %s", r.Events, r.Seed, r.Dir)
	p("")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "corpus\t%d files (%s), %d records, %d events, %s, generated in %.1fs\n",
		r.Corpus.Files, joinCounts(r.Corpus.Sessions), r.Corpus.Records, r.Corpus.Events,
		humanize.Bytes(r.Corpus.Bytes), r.Corpus.Seconds)
	fmt.Fprintf(tw, "ingest\t%.1fs, %.0f events/s; stored %d events (sync reported %d files, %d sessions, %d events, %d records)\n",
		r.Ingest.Seconds, r.Ingest.EventsPerSecond, r.Ingest.StoredEvents,
		r.Ingest.Files, r.Ingest.Sessions, r.Ingest.Events, r.Ingest.Records)
	fmt.Fprintf(tw, "memory\tpeak RSS %s (%s)\n", humanize.Bytes(r.PeakRSSBytes), r.PeakRSSScope)
	fmt.Fprintf(tw, "database\t%s\n", humanize.Bytes(r.DBSizeBytes))
	tw.Flush()

	p("")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "search\tqueries\tdistinct\tp50\tp95\tp99\tmax\thits/query\t\n")
	for _, l := range r.Search {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%.1f\t\n", l.Class, l.Queries, l.Distinct,
			formatMS(l.P50), formatMS(l.P95), formatMS(l.P99), formatMS(l.Max), l.MeanHits)
	}
	tw.Flush()

	p("")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "check\tfilter\twant\tgot\tresult\n")
	failed := 0
	for _, c := range r.Checks {
		result := "ok"
		if !c.Pass {
			result = "FAIL"
			failed++
		}
		if c.Problem != "" {
			result += ": " + c.Problem
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", c.Query, c.Filter, c.Want, c.Got, result)
	}
	tw.Flush()
	switch {
	case len(r.Checks) == 0:
		p("no checks: the corpus is too small for needles")
	case failed == 0:
		p("all %d checks passed", len(r.Checks))
	default:
		p("%d of %d checks FAILED", failed, len(r.Checks))
	}
	return ew.err
}

// errWriter keeps the first write error, so the tables need no checks.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func joinCounts(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// formatMS renders a latency with precision that suits its size.
func formatMS(ms float64) string {
	switch {
	case ms < 1:
		return fmt.Sprintf("%.3fms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.0fms", ms)
}

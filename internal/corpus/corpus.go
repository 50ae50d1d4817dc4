package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/reel-sh/reel"
)

// Defaults for the zero values of Options.
const (
	DefaultCodexShare = 0.3
	DefaultSpan       = 90 * 24 * time.Hour
	DefaultProjects   = 6
)

// DefaultEnd is the end time of a corpus whose Options leave End zero. It
// is fixed, so the same options always give the same files.
var DefaultEnd = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// ManifestName is the manifest's file name at the corpus root.
const ManifestName = "manifest.json"

// Format names the manifest layout; it changes when the layout does.
const Format = "reel-corpus/1"

// Options sets the size and shape of a corpus.
type Options struct {
	// Events is the number of events to generate. One user prompt,
	// assistant text, reasoning, tool call, tool result or summary block is
	// one event. The corpus stops at the first session that reaches it, so
	// it may hold a few more.
	Events int
	// Seed picks the corpus: the same options give the same bytes.
	Seed int64
	// CodexShare is the share of sessions written as Codex rollouts, the
	// rest being Claude Code. 0 means DefaultCodexShare; a negative value
	// means none.
	CodexShare float64
	// End is the newest time in the corpus; sessions spread over Span
	// before it. Zero means DefaultEnd.
	End time.Time
	// Span is how far back the sessions go; 0 means DefaultSpan.
	Span time.Duration
	// Projects is the number of working directories the sessions run in,
	// between 1 and 8; 0 means DefaultProjects.
	Projects int
	// Workers is how many session files are written at once; 0 means
	// GOMAXPROCS. It does not change the output.
	Workers int
}

// NeedleStem starts every term needle ("zqxneedle01", ...); a prefix
// search NeedleStem+"*" finds the blocks that hold any of them. Term needles
// all have the same length, so none is a part of another, whatever the
// tokenizer.
const NeedleStem = "zqxneedle"

// Needle kinds.
const (
	TermNeedle   = "term"   // a made-up word
	PhraseNeedle = "phrase" // two made-up words in order
	PrefixNeedle = "prefix" // NeedleStem*, matching every term needle
)

// Needle is a search whose exact number of hits is known: Count message
// events (user prompts and assistant texts) contain Term, each once.
type Needle struct {
	// Query is the search as a user types it.
	Query string `json:"query"`
	// Term is the word, phrase or prefix as it appears in the text.
	Term string `json:"term"`
	Kind string `json:"kind"`
	// Count is the number of message events that contain Term.
	Count int `json:"count"`
	// BySource splits Count by the source of the session.
	BySource map[string]int `json:"by_source"`
}

// Term is a common word or phrase with the number of events whose text
// the generator built with it. A search may find a few more: the word
// also occurs inside fixed commands and code.
type Term struct {
	Text   string `json:"text"`
	Events int64  `json:"events"`
}

// SessionFile describes one generated session file.
type SessionFile struct {
	// Path is relative to the corpus root, with forward slashes.
	Path     string    `json:"path"`
	Source   string    `json:"source"`
	NativeID string    `json:"native_id"`
	Project  string    `json:"project"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	Records  int64     `json:"records"`
	Events   int64     `json:"events"`
	Bytes    int64     `json:"bytes"`
}

// Manifest describes a generated corpus: what it holds and what a search
// of it must find.
type Manifest struct {
	Format string `json:"format"`
	Seed   int64  `json:"seed"`
	// Requested is Options.Events; Events is what was generated.
	Requested int       `json:"requested_events"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Files     int       `json:"files"`
	Bytes     int64     `json:"bytes"`
	Records   int64     `json:"records"`
	Events    int64     `json:"events"`
	// Sessions, EventsBySource and EventsByKind count per source and per
	// event kind (message, reasoning, tool_call, tool_result, summary,
	// system), one per logical block: a Codex message written both as a
	// response_item and as an event_msg is one message.
	Sessions       map[string]int   `json:"sessions"`
	EventsBySource map[string]int64 `json:"events_by_source"`
	EventsByKind   map[string]int64 `json:"events_by_kind"`
	// MessageBlocks is the number of user prompts and assistant texts, the
	// blocks needles go in.
	MessageBlocks int64 `json:"message_blocks"`
	// Projects are the sessions' working directories.
	Projects []string `json:"projects"`
	Needles  []Needle `json:"needles"`
	// CommonTerms and CommonPhrases are the most frequent words and
	// two-word phrases, most frequent first.
	CommonTerms   []Term `json:"common_terms"`
	CommonPhrases []Term `json:"common_phrases"`
	// Prefixes are prefix queries ("migrat*") that match several common
	// words.
	Prefixes     []string      `json:"prefixes"`
	SessionFiles []SessionFile `json:"session_files"`
}

func (opt *Options) setDefaults() error {
	switch {
	case opt.Events < 1:
		return reel.Errorf(reel.EINVALID, "corpus size must be at least 1 event, not %d", opt.Events)
	case opt.CodexShare > 1:
		return reel.Errorf(reel.EINVALID, "codex share must be at most 1, not %g", opt.CodexShare)
	case opt.Projects < 0 || opt.Projects > len(projects):
		return reel.Errorf(reel.EINVALID, "projects must be between 1 and %d, not %d", len(projects), opt.Projects)
	case opt.Span < 0:
		return reel.Errorf(reel.EINVALID, "span must not be negative")
	}
	if opt.CodexShare == 0 {
		opt.CodexShare = DefaultCodexShare
	}
	if opt.End.IsZero() {
		opt.End = DefaultEnd
	}
	opt.End = opt.End.UTC().Truncate(time.Millisecond)
	if opt.Span == 0 {
		opt.Span = DefaultSpan
	}
	if opt.Projects == 0 {
		opt.Projects = DefaultProjects
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	return nil
}

// Generate writes a corpus into dir, which must be empty or absent, and
// returns its manifest, also written as dir/manifest.json.
func Generate(dir string, opt Options) (*Manifest, error) {
	return GenerateContext(context.Background(), dir, opt)
}

// GenerateContext is Generate with a context that can stop it. A stopped
// or failed generation leaves a partial corpus without a manifest.
func GenerateContext(ctx context.Context, dir string, opt Options) (*Manifest, error) {
	if err := opt.setDefaults(); err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, reel.Errorf(reel.ECONFLICT, "corpus folder %s is not empty", dir).WithHint("choose a new folder or remove this one")
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read corpus folder: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create corpus folder: %w", err)
	}

	plans := plan(&opt)
	places, needles := placeNeedles(opt.Seed, plans)
	results := make([]*sessionResult, len(plans))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	jobs := make(chan int)
	for range min(opt.Workers, len(plans)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if ctx.Err() != nil {
					continue
				}
				res, err := writeSession(dir, &opt, &plans[i], placementsFor(places, &plans[i]), len(plans))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					continue
				}
				results[i] = res
			}
		}()
	}
feed:
	for i := range plans {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("generate corpus: %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("generate corpus: %w", err)
	}

	m := buildManifest(&opt, plans, results, needles)
	if err := writeManifest(dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

func buildManifest(opt *Options, plans []sessionPlan, results []*sessionResult, needles []Needle) *Manifest {
	m := &Manifest{
		Format: Format, Seed: opt.Seed, Requested: opt.Events,
		Start: opt.End.Add(-opt.Span), End: opt.End,
		Sessions: map[string]int{}, EventsBySource: map[string]int64{}, EventsByKind: map[string]int64{},
		Needles: needles, Prefixes: []string{},
	}
	var termDF [trackedTerms]int64
	var phrDF [64]int64
	for i, r := range results {
		m.Files++
		m.Bytes += r.file.Bytes
		m.Records += r.file.Records
		m.Events += r.file.Events
		m.Sessions[r.file.Source]++
		m.EventsBySource[r.file.Source] += r.file.Events
		m.MessageBlocks += int64(plans[i].eligible)
		for k, n := range r.kinds {
			if n > 0 {
				m.EventsByKind[kindNames[k]] += n
			}
		}
		for k, n := range r.termDF {
			termDF[k] += n
		}
		for k, n := range r.phrDF {
			phrDF[k] += n
		}
		m.SessionFiles = append(m.SessionFiles, r.file)
	}
	for i := range opt.Projects {
		m.Projects = append(m.Projects, projectRoot+projects[i].name)
	}
	m.CommonTerms = topTerms(nounList[:trackedTerms], termDF[:], 10)
	m.CommonPhrases = topTerms(phrases, phrDF[:len(phrases)], 6)
	for _, p := range prefixes {
		m.Prefixes = append(m.Prefixes, p+"*")
	}
	return m
}

// topTerms returns the n words with the highest counts, highest first.
func topTerms(words []string, counts []int64, n int) []Term {
	out := make([]Term, 0, len(words))
	for i, w := range words {
		if counts[i] > 0 {
			out = append(out, Term{Text: w, Events: counts[i]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Events > out[j].Events })
	return out[:min(n, len(out))]
}

// writeManifest writes m last and atomically: a manifest marks a finished
// corpus.
func writeManifest(dir string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".manifest-*")
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, ManifestName)); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// ReadManifest reads the manifest of the corpus at dir. ENOTFOUND if
// there is none (no corpus, or an unfinished one).
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, reel.Errorf(reel.ENOTFOUND, "no corpus manifest in %s", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &reel.Error{Code: reel.ECORRUPT, Message: "read manifest", Err: err}
	}
	if m.Format != Format {
		return nil, reel.Errorf(reel.ECORRUPT, "manifest in %s has format %q, want %q", dir, m.Format, Format)
	}
	return &m, nil
}

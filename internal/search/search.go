package search

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/vecstore"
	"github.com/reel-sh/reel/internal/vindex"
)

// Options configure a Searcher; zero fields take the defaults.
type Options struct {
	// Embedder embeds queries; nil means full-text only.
	Embedder reel.Embedder
	// K is how many candidates each list gives the fusion. Default 100.
	K int
	// RRFK is reciprocal rank fusion's constant. Default 60.
	RRFK int
	// Recheck is how often the index checks the store for discarded
	// vectors (a re-read drops them) and rebuilds. Default 30s.
	Recheck time.Duration
	// Index tunes the vector index.
	Index vindex.Options
}

// Result is a search's hits and how they were found.
type Result struct {
	Hits []reel.Hit
	// Mode is the mode that answered: fts, vector or hybrid.
	Mode string
	// Model is the embedding model's id, "" in fts mode.
	Model string
	// Notice, when not empty, says why the answer is not what was asked:
	// mode "" fell back to full-text because the embedder failed.
	Notice string
}

// Searcher answers searches over a store. It is safe for concurrent use.
type Searcher struct {
	store reel.Store
	opt   Options

	mu      sync.Mutex // guards index, checked and builds
	index   *vindex.Index
	checked time.Time
}

// New returns a searcher over store. The vector index is built from the
// store at the first vector or hybrid search (or Refresh), then kept up
// to date with each search.
func New(store reel.Store, opt Options) *Searcher {
	if opt.K <= 0 {
		opt.K = 100
	}
	if opt.RRFK <= 0 {
		opt.RRFK = 60
	}
	if opt.Recheck <= 0 {
		opt.Recheck = 30 * time.Second
	}
	return &Searcher{store: store, opt: opt}
}

// Model returns the embedder's model, the zero ModelInfo without one.
func (s *Searcher) Model() reel.ModelInfo {
	if s.opt.Embedder == nil {
		return reel.ModelInfo{}
	}
	return s.opt.Embedder.Model()
}

// Coverage counts the events the searcher's model has vectors for; with
// no embedder (or a store without vectors) Embedded is 0 and Model "".
func (s *Searcher) Coverage(ctx context.Context) (vecstore.Coverage, error) {
	vs, err := vectorStore(s.store)
	if err != nil {
		return vecstore.Coverage{}, nil
	}
	return vs.VectorCoverage(ctx, s.Model().ID)
}

// Refresh brings the vector index up to date with the store: it reads
// the vectors written since the last refresh and, every Options.Recheck
// (or when force is set), compares the count with the store's and
// rebuilds when vectors were discarded. It returns the index's size.
func (s *Searcher) Refresh(ctx context.Context, force bool) (int, error) {
	m := s.Model()
	vs, err := vectorStore(s.store)
	if m.ID == "" || err != nil {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil || s.index.Dim() != m.Dim {
		s.index = vindex.New(m.Dim, s.opt.Index)
		s.checked = time.Now()
	}
	if err := s.load(ctx, vs, m.ID, s.index); err != nil {
		return 0, err
	}
	if force || time.Since(s.checked) > s.opt.Recheck {
		s.checked = time.Now()
		cov, err := vs.VectorCoverage(ctx, m.ID)
		if err != nil {
			return 0, err
		}
		if int64(s.index.Len()) != cov.Embedded {
			x := vindex.New(m.Dim, s.opt.Index)
			if err := s.load(ctx, vs, m.ID, x); err != nil {
				return 0, err
			}
			s.index = x
		}
	}
	return s.index.Len(), nil
}

// load adds the vectors of model above x's MaxVID to x.
func (s *Searcher) load(ctx context.Context, vs vecstore.Store, model string, x *vindex.Index) error {
	for {
		batch, err := vs.ScanVectors(ctx, model, x.MaxVID(), 20000)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		x.Add(batch)
	}
}

// Search returns the hits of q, as SearchWithInfo does.
func (s *Searcher) Search(ctx context.Context, q reel.SearchQuery) ([]reel.Hit, error) {
	r, err := s.SearchWithInfo(ctx, q)
	return r.Hits, err
}

// limit is a query's page size: the store's default of 20 when 0.
func limit(q reel.SearchQuery) int {
	if q.Filter.Limit > 0 {
		return q.Filter.Limit
	}
	return 20
}

// SearchWithInfo returns at most q.Filter.Limit hits (20 when 0) of q in
// its mode, at most q.PerSession of a session (0: no cap), sessions in
// the order of their best hit with each session's hits together, and
// Hit.Explain filled when q.Explain is set. EUNSUPPORT for an explicit
// vector or hybrid mode with no embedder or a failing one; EINVALID for
// an unknown mode.
func (s *Searcher) SearchWithInfo(ctx context.Context, q reel.SearchQuery) (Result, error) {
	mode := q.Mode
	switch mode {
	case "", reel.ModeFTS, reel.ModeVector, reel.ModeHybrid:
	default:
		return Result{}, reel.Errorf(reel.EINVALID, "search mode %q: want hybrid, fts or vector", mode)
	}
	if q.Query.Empty() {
		return Result{Hits: []reel.Hit{}, Mode: or(mode, reel.ModeFTS)}, nil
	}
	var r Result
	if mode != reel.ModeFTS {
		m := s.Model()
		if m.ID == "" {
			if mode != "" {
				return Result{}, &reel.Error{Code: reel.EUNSUPPORT,
					Message: "search mode " + mode + ": no embedding model configured",
					Hint:    "configure a model (reel models list), or search with --mode fts"}
			}
			mode = reel.ModeFTS
		} else {
			n, err := s.Refresh(ctx, false)
			if err != nil {
				return Result{}, err
			}
			if mode == "" {
				mode = reel.ModeFTS
				if n > 0 {
					mode = reel.ModeHybrid
				}
			}
		}
	}
	r.Mode = mode
	page := limit(q)
	var ftsHits []reel.Hit
	var vec []vindex.Result
	// Full-text alone reads a page, or three when the cap may drop hits;
	// fusion reads the top K of each list.
	want := page
	switch {
	case mode != reel.ModeFTS:
		want = max(s.opt.K, page*3)
	case q.PerSession > 0:
		want = page * 3
	}
	// The full-text list is read while the query is embedded and the
	// vector index searched: on two cores the two overlap.
	var ftsErr error
	ftsDone := make(chan struct{})
	if mode != reel.ModeVector {
		fq := q
		fq.Mode, fq.PerSession, fq.Explain = reel.ModeFTS, 0, false
		fq.Filter.Limit = want
		go func() {
			defer close(ftsDone)
			ftsHits, ftsErr = s.store.Search(ctx, fq)
		}()
	} else {
		close(ftsDone)
	}
	if mode != reel.ModeFTS {
		r.Model = s.Model().ID
		qv, err := s.opt.Embedder.Embed(ctx, []string{strings.Join(q.Query.Terms(), " ")})
		if err == nil && (len(qv) != 1 || len(qv[0]) != s.Model().Dim) {
			err = reel.Errorf(reel.EINTERNAL, "embed query: model %s returned a malformed vector", r.Model)
		}
		if err != nil {
			if q.Mode != "" {
				<-ftsDone
				return Result{}, fmt.Errorf("embed query: %w", err)
			}
			r.Mode, r.Model = reel.ModeFTS, ""
			r.Notice = fmt.Sprintf("full-text only: the embedding model is unavailable (%v)", err)
			mode = reel.ModeFTS
		} else {
			s.mu.Lock()
			x := s.index
			s.mu.Unlock()
			vec = x.Search(qv[0], want, q.Filter, vindex.SearchOptions{})
		}
	}
	<-ftsDone
	if ftsErr != nil {
		return Result{}, ftsErr
	}
	hits, err := s.fuse(ctx, q, mode, r.Model, ftsHits, vec, page)
	r.Hits = hits
	return r, err
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type cand struct {
	sid      string
	seq      int64
	score    float64
	ftsRank  int
	vecRank  int
	ftsScore float64
	vecScore float64
	hit      *reel.Hit
}

// fuse ranks the candidates of both lists, caps and groups them per
// session, and fills in the hits the full-text list did not give.
func (s *Searcher) fuse(ctx context.Context, q reel.SearchQuery, mode, model string, fts []reel.Hit, vec []vindex.Result, page int) ([]reel.Hit, error) {
	type k struct {
		sid string
		seq int64
	}
	by := map[k]*cand{}
	var cs []*cand
	get := func(sid string, seq int64) *cand {
		c := by[k{sid, seq}]
		if c == nil {
			c = &cand{sid: sid, seq: seq}
			by[k{sid, seq}] = c
			cs = append(cs, c)
		}
		return c
	}
	rrf := func(rank int) float64 { return 1 / float64(s.opt.RRFK+rank) }
	for i := range fts {
		c := get(fts[i].SessionID, fts[i].Seq)
		c.ftsRank, c.ftsScore, c.hit = i+1, fts[i].Score, &fts[i]
		if mode == reel.ModeFTS {
			c.score = fts[i].Score
		} else {
			c.score += rrf(i + 1)
		}
	}
	for i, v := range vec {
		c := get(v.SessionID, v.Seq)
		c.vecRank, c.vecScore = i+1, float64(v.Score)
		if mode == reel.ModeVector {
			c.score = float64(v.Score)
		} else {
			c.score += rrf(i + 1)
		}
	}
	// Full-text hits come best first already; fused ones are sorted.
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var out []*cand
	gone := map[*cand]bool{}
	for {
		out = out[:0]
		count := map[string]int{}
		var unresolved []*cand
		for _, c := range cs {
			if len(out) == page {
				break
			}
			if gone[c] || q.PerSession > 0 && count[c.sid] >= q.PerSession {
				continue
			}
			if c.hit == nil {
				unresolved = append(unresolved, c)
			}
			count[c.sid]++
			out = append(out, c)
		}
		if len(unresolved) == 0 {
			break
		}
		// The page's vector hits are read at once: each is a lookup of
		// its event and session.
		if err := s.resolveAll(ctx, unresolved, q.Query); err != nil {
			return nil, err
		}
		for _, c := range unresolved {
			if c.hit == nil { // discarded since it was embedded
				gone[c] = true
			}
		}
	}
	// Group: sessions by their best hit, each session's hits together.
	first := map[string]int{}
	for i, c := range out {
		if _, ok := first[c.sid]; !ok {
			first[c.sid] = i
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return first[out[i].sid] < first[out[j].sid] })
	hits := make([]reel.Hit, len(out))
	for i, c := range out {
		h := *c.hit
		h.Score = c.score
		if q.Explain {
			h.Explain = &reel.HitExplain{Mode: mode, FTSRank: c.ftsRank, VectorRank: c.vecRank,
				FTSScore: c.ftsScore, VectorScore: c.vecScore, Model: model}
		} else {
			h.Explain = nil
		}
		hits[i] = h
	}
	return hits, nil
}

// snippetLen is how much of an event's text a vector hit shows.
const snippetLen = 200

// resolveAll reads the events and sessions of vector hits, a few at a
// time; a hit whose event is gone keeps a nil hit.
func (s *Searcher) resolveAll(ctx context.Context, cs []*cand, q reel.Query) error {
	var mu sync.Mutex
	sessions := map[string]*reel.Session{}
	session := func(id string) (*reel.Session, error) {
		mu.Lock()
		ss := sessions[id]
		mu.Unlock()
		if ss != nil {
			return ss, nil
		}
		got, err := s.store.Session(ctx, id)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		sessions[id] = &got
		mu.Unlock()
		return &got, nil
	}
	errs := make([]error, len(cs))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			evs, err := s.store.Events(ctx, c.sid, reel.Filter{SeqFrom: c.seq, SeqTo: c.seq + 1})
			if reel.ErrorCode(err) == reel.ENOTFOUND || err == nil && len(evs) == 0 {
				return
			}
			if err != nil {
				errs[i] = err
				return
			}
			ss, err := session(c.sid)
			if err != nil {
				errs[i] = err
				return
			}
			e := evs[0]
			snip, hl := snippet(e.Text, q.Terms())
			c.hit = &reel.Hit{SessionID: c.sid, Seq: c.seq, Time: e.Time, Kind: e.Kind, Role: e.Role, Tool: e.Tool,
				Snippet: snip, Highlights: hl, Source: ss.Source, Project: ss.Project, Title: ss.Title}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// snippet returns up to snippetLen bytes of text around the first query
// term it holds (case-insensitive), with every term's occurrences in it
// highlighted.
func snippet(text string, terms []string) (string, [][2]int) {
	lower := strings.ToLower(text)
	if len(lower) != len(text) { // lower-casing moved byte offsets
		lower, terms = text, nil
	}
	start := 0
	for _, t := range terms {
		if i := strings.Index(lower, strings.ToLower(t)); i >= 0 {
			start = max(0, i-snippetLen/4)
			break
		}
	}
	for start > 0 && !utf8.RuneStart(text[start]) {
		start--
	}
	end := min(len(text), start+snippetLen)
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end--
	}
	snip := text[start:end]
	ls := lower[start:end]
	hl := [][2]int{}
	for _, t := range terms {
		t = strings.ToLower(t)
		for off := 0; t != ""; {
			i := strings.Index(ls[off:], t)
			if i < 0 {
				break
			}
			hl = append(hl, [2]int{off + i, off + i + len(t)})
			off += i + len(t)
		}
	}
	sort.Slice(hl, func(i, j int) bool { return hl[i][0] < hl[j][0] })
	return snip, hl
}

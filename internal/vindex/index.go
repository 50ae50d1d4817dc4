package vindex

import (
	"container/heap"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/vecstore"
)

// Options tune an index; zero fields take the defaults.
type Options struct {
	// Rerank is how many candidates of the sign-bit pass are scored
	// exactly (int8): a search for k scores max(Rerank, 4*k). Default 400.
	Rerank int
	// Workers is how many goroutines scan; default GOMAXPROCS.
	Workers int
}

// Result is one nearest vector.
type Result struct {
	SessionID string
	Seq       int64
	// Score is the cosine similarity of the quantised vectors.
	Score float32
}

type session struct {
	id, source, project string
}

type item struct {
	seq  int64
	time int64 // unix nanoseconds; math.MinInt64 when unknown
	sess int32
	kind uint16
	role uint16
	dead bool
}

type key struct {
	sess int32
	seq  int64
}

// Index is a vector index of one model. It is safe for concurrent use:
// searches share a read lock, Add takes the write lock.
//
// A search runs in two passes. The first compares sign bits: each vector
// keeps one bit per dimension (48 bytes at 384 dims), and the Hamming
// distance to the query's bits estimates the angle between them, at six
// XOR+popcount per vector. The best candidates of that pass are scored
// exactly with the int8 components. No training: a vector is searchable
// as soon as it is added.
type Index struct {
	opt   Options
	dim   int
	words int // uint64 words of sign bits per vector

	mu       sync.RWMutex
	data     []int8 // n*dim
	bits     []uint64
	scale    []float32
	items    []item
	sessions []session
	sessIdx  map[string]int32
	names    []string // kinds and roles, interned
	wordIdx  map[string]uint16
	at       map[key]int32
	dead     int
	maxVID   int64
}

// New returns an empty index of vectors of dim dimensions.
func New(dim int, opt Options) *Index {
	if opt.Rerank == 0 {
		opt.Rerank = 400
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	return &Index{opt: opt, dim: dim, words: (dim + 63) / 64, sessIdx: map[string]int32{},
		wordIdx: map[string]uint16{"": 0}, names: []string{""}, at: map[key]int32{}}
}

// Dim is the dimension of the index's vectors.
func (x *Index) Dim() int { return x.dim }

// Len counts the live vectors.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.items) - x.dead
}

// MaxVID is the highest store vid added: read on from there.
func (x *Index) MaxVID() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.maxVID
}

func (x *Index) word(s string) uint16 {
	if i, ok := x.wordIdx[s]; ok {
		return i
	}
	i := uint16(len(x.names))
	x.names = append(x.names, s)
	x.wordIdx[s] = i
	return i
}

// Add adds stored vectors, replacing an earlier vector of the same event.
// Vectors of another dimension are skipped and counted in the result.
func (x *Index) Add(vs []vecstore.Stored) (skipped int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i := range vs {
		v := &vs[i]
		if len(v.Data) != x.dim {
			skipped++
			continue
		}
		si, ok := x.sessIdx[v.SessionID]
		if !ok {
			si = int32(len(x.sessions))
			x.sessions = append(x.sessions, session{v.SessionID, v.Source, v.Project})
			x.sessIdx[v.SessionID] = si
		}
		k := key{si, v.Seq}
		if old, ok := x.at[k]; ok && !x.items[old].dead {
			x.items[old].dead = true
			x.dead++
		}
		tm := int64(math.MinInt64)
		if !v.Time.IsZero() {
			tm = v.Time.UnixNano()
		}
		x.at[k] = int32(len(x.items))
		x.items = append(x.items, item{seq: v.Seq, time: tm, sess: si, kind: x.word(v.Kind), role: x.word(v.Role)})
		x.data = append(x.data, v.Data...)
		x.bits = append(x.bits, signs(v.Data, x.words)...)
		x.scale = append(x.scale, v.Scale)
		x.maxVID = max(x.maxVID, v.VID)
	}
	return skipped
}

// matcher is a filter compiled against the index's sessions and words.
type matcher struct {
	sessOK       []bool
	since, until int64
	kinds, roles map[uint16]bool
	all          bool
}

func (x *Index) compile(f reel.Filter) *matcher {
	m := &matcher{since: math.MinInt64, until: math.MaxInt64}
	if !f.Since.IsZero() {
		m.since = f.Since.UnixNano()
	}
	if !f.Until.IsZero() {
		m.until = f.Until.UnixNano()
	}
	words := func(ws []string) map[uint16]bool {
		if len(ws) == 0 {
			return nil
		}
		out := map[uint16]bool{}
		for _, w := range ws {
			if i, ok := x.wordIdx[w]; ok {
				out[i] = true
			}
		}
		return out
	}
	m.kinds, m.roles = words(f.Kinds), words(f.Roles)
	m.all = len(f.Sources) == 0 && f.Project == "" && f.SessionID == "" && f.Since.IsZero() && f.Until.IsZero() &&
		m.kinds == nil && m.roles == nil
	if len(f.Sources) > 0 || f.Project != "" || f.SessionID != "" {
		proj := strings.ToLower(f.Project)
		m.sessOK = make([]bool, len(x.sessions))
		for i, s := range x.sessions {
			m.sessOK[i] = (len(f.Sources) == 0 || slices.Contains(f.Sources, s.source)) &&
				(proj == "" || strings.Contains(strings.ToLower(s.project), proj)) &&
				(f.SessionID == "" || s.id == f.SessionID)
		}
	}
	return m
}

func (m *matcher) ok(it *item) bool {
	if it.dead {
		return false
	}
	if m.all {
		return true
	}
	if m.sessOK != nil && !m.sessOK[it.sess] {
		return false
	}
	if (m.since != math.MinInt64 || m.until != math.MaxInt64) && (it.time < m.since || it.time >= m.until) {
		return false
	}
	if m.kinds != nil && !m.kinds[it.kind] {
		return false
	}
	if m.roles != nil && !m.roles[it.role] {
		return false
	}
	return true
}

// SearchOptions tune one search.
type SearchOptions struct {
	// Exact scores every vector with its int8 components, skipping the
	// sign-bit pass.
	Exact bool
	// Rerank overrides the index's Rerank.
	Rerank int
}

// Search returns the k vectors most similar to q (unit length, Dim long)
// among those f matches, best first.
func (x *Index) Search(q []float32, k int, f reel.Filter, so SearchOptions) []Result {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if len(q) != x.dim || k <= 0 {
		return nil
	}
	qs, qq := vecstore.Quantize(q)
	m := x.compile(f)
	d, w := x.dim, x.words
	n := len(x.items)
	exact := func(p int32) float32 {
		return float32(dot(qq, x.data[int(p)*d:(int(p)+1)*d])) * qs * x.scale[p]
	}
	// Each worker scans a stripe of positions into its own heap.
	workers := max(1, min(x.opt.Workers, n/20000))
	heaps := make([]*topk, workers)
	if so.Exact {
		x.scan(workers, heaps, k, m, exact)
	} else {
		rr := so.Rerank
		if rr == 0 {
			rr = x.opt.Rerank
		}
		return x.results(x.rerank(x.candidates(signs(qq, w), max(rr, 4*k), m, workers), k, exact))
	}
	return x.results(merge(heaps, k))
}

// candidates returns the positions of the about r vectors whose sign
// bits are nearest qb (Hamming distance) among those m accepts. It
// computes every distance once into a buffer, counts them per distance,
// and keeps those below the distance where the count reaches r (and as
// many at it as fill r): no heap, and no comparison per vector beyond
// the popcounts.
func (x *Index) candidates(qb []uint64, r int, m *matcher, workers int) []int32 {
	n, w := len(x.items), x.words
	const rejected = math.MaxUint16
	buf, _ := distPool.Get().(*[]uint16)
	if buf == nil || cap(*buf) < n {
		b := make([]uint16, n)
		buf = &b
	}
	dist := (*buf)[:n]
	defer distPool.Put(buf)
	hists := make([][]int, workers)
	var wg sync.WaitGroup
	for g := range workers {
		hist := make([]int, x.dim+1)
		hists[g] = hist
		lo, hi := n*g/workers, n*(g+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			check := !m.all || x.dead > 0 // else every item matches
			for p := lo; p < hi; p++ {
				if check && !m.ok(&x.items[p]) {
					dist[p] = rejected
					continue
				}
				b := x.bits[p*w : (p+1)*w : (p+1)*w]
				h := 0
				for j, v := range qb {
					h += bits.OnesCount64(v ^ b[j])
				}
				dist[p] = uint16(h)
				hist[h]++
			}
		}()
	}
	wg.Wait()
	cut, below := 0, 0 // keep every distance < cut, and r-below at cut
	for ; cut <= x.dim; cut++ {
		c := 0
		for _, h := range hists {
			c += h[cut]
		}
		if below+c >= r {
			break
		}
		below += c
	}
	out := make([]int32, 0, r)
	atCut := r - below
	for p, d := range dist {
		if int(d) < cut {
			out = append(out, int32(p))
		} else if int(d) == cut && atCut > 0 {
			out = append(out, int32(p))
			atCut--
		}
	}
	return out
}

// distPool recycles candidates' distance buffers.
var distPool sync.Pool

// rerank returns the k best of cands by score.
func (x *Index) rerank(cands []int32, k int, score func(int32) float32) *topk {
	h := &topk{k: k}
	for _, p := range cands {
		h.offer(p, score(p))
	}
	return h
}

// scan fills heaps[i] (of size k) with the positions of stripe i that m
// accepts, by score.
func (x *Index) scan(workers int, heaps []*topk, k int, m *matcher, score func(int32) float32) {
	n := len(x.items)
	var wg sync.WaitGroup
	for g := range workers {
		h := &topk{k: k}
		heaps[g] = h
		lo, hi := n*g/workers, n*(g+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := lo; p < hi; p++ {
				if m.ok(&x.items[p]) {
					h.offer(int32(p), score(int32(p)))
				}
			}
		}()
	}
	wg.Wait()
}

// merge folds heaps into one of size k (0: all of them).
func merge(heaps []*topk, k int) *topk {
	if len(heaps) == 1 && k == 0 {
		return heaps[0]
	}
	if k == 0 {
		for _, h := range heaps {
			k += len(h.ps)
		}
	}
	out := &topk{k: max(k, 1)}
	for _, h := range heaps {
		for _, e := range h.ps {
			out.offer(e.p, e.s)
		}
	}
	return out
}

func (x *Index) results(h *topk) []Result {
	out := make([]Result, len(h.ps))
	for i := len(h.ps) - 1; i >= 0; i-- {
		e := heap.Pop(h).(scored)
		it := &x.items[e.p]
		out[i] = Result{SessionID: x.sessions[it.sess].id, Seq: it.seq, Score: e.s}
	}
	return out
}

type scored struct {
	p int32
	s float32
}

// topk is a min-heap of the k best scores seen.
type topk struct {
	k  int
	ps []scored
}

func (h *topk) Len() int           { return len(h.ps) }
func (h *topk) Less(i, j int) bool { return h.ps[i].s < h.ps[j].s }
func (h *topk) Swap(i, j int)      { h.ps[i], h.ps[j] = h.ps[j], h.ps[i] }
func (h *topk) Push(v any)         { h.ps = append(h.ps, v.(scored)) }
func (h *topk) Pop() any {
	v := h.ps[len(h.ps)-1]
	h.ps = h.ps[:len(h.ps)-1]
	return v
}

func (h *topk) offer(p int32, s float32) {
	if len(h.ps) < h.k {
		heap.Push(h, scored{p, s})
		return
	}
	if s > h.ps[0].s {
		h.ps[0] = scored{p, s}
		heap.Fix(h, 0)
	}
}

// signs returns the sign bits of q: bit i is set when q[i] > 0.
func signs(q []int8, words int) []uint64 {
	out := make([]uint64, words)
	for i, v := range q {
		if v > 0 {
			out[i/64] |= 1 << (i % 64)
		}
	}
	return out
}

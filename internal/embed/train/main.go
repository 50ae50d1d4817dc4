// Command train builds reel's built-in static embedding model from the Go
// distribution's own documentation: doc comments of $GOROOT/src, its
// Markdown files and $GOROOT/doc/*.html. It counts word co-occurrences,
// weighs them by positive pointwise mutual information (PPMI), reduces the
// matrix with a randomised truncated SVD, and writes the word vectors
// quantised to int8. See README.md for the parameters and what changes the
// output bytes.
//
//	go run ./internal/embed/train -out internal/embed/reel-static-v1.bin
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/reel-sh/reel/internal/embed"
)

func main() {
	var (
		goroot = flag.String("goroot", runtime.GOROOT(), "the Go tree to read")
		out    = flag.String("out", "internal/embed/reel-static-v1.bin", "the model file to write")
		vocabN = flag.Int("vocab", 24000, "words kept, most frequent first")
		minCnt = flag.Int("min-count", 3, "fewest occurrences of a kept word")
		window = flag.Int("window", 5, "co-occurrence window, words each side (weighted 1/distance)")
		dim    = flag.Int("dim", 128, "vector dimension")
		power  = flag.Int("power", 4, "power iterations of the randomised SVD")
		cds    = flag.Float64("cds", 0.75, "context distribution smoothing exponent")
		eig    = flag.Float64("eig", 0.5, "singular value weighting exponent of the word vectors")
		seed   = flag.Uint64("seed", 20261208, "random seed of the SVD")
		sifA   = flag.Float64("sif", 1e-3, "word weight a/(a+p(w)) parameter")
	)
	flag.Parse()
	start := time.Now()
	docs, files, err := corpus(*goroot)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("corpus: %d files, %d passages (%s)", files, len(docs), time.Since(start).Round(time.Millisecond))

	// Count words.
	counts := map[string]int{}
	total := 0
	toks := make([][]string, len(docs))
	for i, d := range docs {
		embed.Words(d, func(w string) {
			toks[i] = append(toks[i], w)
			counts[w]++
			total++
		})
	}
	type wc struct {
		w string
		c int
	}
	var all []wc
	for w, c := range counts {
		if c >= *minCnt && keepWord(w) {
			all = append(all, wc{w, c})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].c != all[j].c {
			return all[i].c > all[j].c
		}
		return all[i].w < all[j].w
	})
	if len(all) > *vocabN {
		all = all[:*vocabN]
	}
	n := len(all)
	id := make(map[string]int32, n)
	for i, x := range all {
		id[x.w] = int32(i)
	}
	log.Printf("tokens %d, distinct %d, vocabulary %d (min count %d)", total, len(counts), n, all[n-1].c)

	// Co-occurrences within a passage, symmetric, weighted 1/distance.
	co := map[uint64]float64{}
	for _, ws := range toks {
		ids := make([]int32, 0, len(ws))
		for _, w := range ws {
			if j, ok := id[w]; ok {
				ids = append(ids, j)
			} else {
				ids = append(ids, -1)
			}
		}
		for i, a := range ids {
			if a < 0 {
				continue
			}
			for d := 1; d <= *window && i+d < len(ids); d++ {
				b := ids[i+d]
				if b < 0 || b == a {
					continue
				}
				wt := 1 / float64(d)
				co[uint64(a)<<32|uint64(b)] += wt
				co[uint64(b)<<32|uint64(a)] += wt
			}
		}
	}
	log.Printf("co-occurring pairs %d (%s)", len(co), time.Since(start).Round(time.Millisecond))

	// PPMI with context distribution smoothing.
	keys := make([]uint64, 0, len(co))
	for k := range co {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	row := make([]float64, n)
	var sum float64
	for _, k := range keys {
		row[k>>32] += co[k]
		sum += co[k]
	}
	ctx := make([]float64, n)
	var ctxSum float64
	for i := range ctx {
		ctx[i] = math.Pow(row[i], *cds) // symmetric: column sums = row sums
		ctxSum += ctx[i]
	}
	m := &csr{n: n, ptr: make([]int, n+1)}
	for _, k := range keys {
		i, j := int(k>>32), int(k&0xffffffff)
		pmi := math.Log(co[k] / sum / (row[i] / sum * ctx[j] / ctxSum))
		if pmi <= 0 {
			continue
		}
		m.col = append(m.col, int32(j))
		m.val = append(m.val, pmi)
		m.ptr[i+1]++
	}
	for i := 0; i < n; i++ {
		m.ptr[i+1] += m.ptr[i]
	}
	co = nil
	log.Printf("PPMI non-zeros %d", len(m.val))

	vecs := randomizedSVD(m, *dim, *power, *eig, *seed)
	log.Printf("SVD done (%s)", time.Since(start).Round(time.Millisecond))

	words := make([]string, n)
	weights := make([]byte, n)
	for i, x := range all {
		words[i] = x.w
		p := float64(x.c) / float64(total)
		weights[i] = byte(math.Round(255 * *sifA / (*sifA + p)))
		if weights[i] == 0 {
			weights[i] = 1
		}
	}
	if err := write(*out, words, weights, vecs, *dim); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s (%s)", *out, time.Since(start).Round(time.Millisecond))
}

// keepWord leaves numbers and very long words out of the vocabulary.
func keepWord(w string) bool {
	if len(w) > 30 {
		return false
	}
	for _, r := range w {
		if r < '0' || r > '9' {
			return true
		}
	}
	return false
}

var (
	tagRE    = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)
	entityRE = regexp.MustCompile(`&[a-z]+;|&#[0-9]+;`)
)

// corpus returns the passages of text under goroot, in sorted path order:
// each run of comment lines in a .go file (outside testdata and vendor),
// each paragraph of a .md file and of doc/*.html with its tags removed.
func corpus(goroot string) ([]string, int, error) {
	var docs []string
	files := 0
	err := filepath.WalkDir(goroot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(goroot, path)
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "vendor", ".git", "pkg", "bin":
				if rel != "." {
					return filepath.SkipDir
				}
			}
			return nil
		}
		ext := filepath.Ext(path)
		switch {
		case ext == ".go" && strings.HasPrefix(rel, "src"+string(filepath.Separator)):
		case ext == ".md":
		case ext == ".html" && strings.HasPrefix(rel, "doc"+string(filepath.Separator)):
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		switch ext {
		case ".go":
			docs = append(docs, goComments(b)...)
		case ".html":
			b = entityRE.ReplaceAll(tagRE.ReplaceAll(b, []byte(" ")), []byte(" "))
			docs = append(docs, paragraphs(b)...)
		default:
			docs = append(docs, paragraphs(b)...)
		}
		return nil
	})
	return docs, files, err
}

// goComments returns each run of // comment lines (and each /* */ block)
// as one passage; directives (//go:, //line) are left out.
func goComments(b []byte) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	inBlock := false
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case inBlock:
			if i := strings.Index(l, "*/"); i >= 0 {
				cur.WriteString(l[:i])
				inBlock = false
				flush()
			} else {
				cur.WriteString(l + "\n")
			}
		case strings.HasPrefix(l, "//go:") || strings.HasPrefix(l, "//line ") || strings.HasPrefix(l, "//export "):
			flush()
		case strings.HasPrefix(l, "//"):
			cur.WriteString(l[2:] + "\n")
		case strings.HasPrefix(l, "/*"):
			flush()
			if i := strings.Index(l[2:], "*/"); i >= 0 {
				out = append(out, l[2:2+i])
			} else {
				inBlock = true
				cur.WriteString(l[2:] + "\n")
			}
		default:
			flush()
		}
	}
	flush()
	return out
}

func paragraphs(b []byte) []string {
	var out []string
	for _, p := range bytes.Split(b, []byte("\n\n")) {
		if s := strings.TrimSpace(string(p)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// csr is a square sparse matrix in compressed sparse row form.
type csr struct {
	n   int
	ptr []int
	col []int32
	val []float64
}

// mul returns A·X for X of n rows and l columns (row-major).
func (a *csr) mul(x []float64, l int) []float64 {
	y := make([]float64, a.n*l)
	for i := 0; i < a.n; i++ {
		yi := y[i*l : (i+1)*l]
		for p := a.ptr[i]; p < a.ptr[i+1]; p++ {
			v := a.val[p]
			xj := x[int(a.col[p])*l : (int(a.col[p])+1)*l]
			for k := range yi {
				yi[k] += v * xj[k]
			}
		}
	}
	return y
}

// mulT returns Aᵀ·X.
func (a *csr) mulT(x []float64, l int) []float64 {
	y := make([]float64, a.n*l)
	for i := 0; i < a.n; i++ {
		xi := x[i*l : (i+1)*l]
		for p := a.ptr[i]; p < a.ptr[i+1]; p++ {
			v := a.val[p]
			yj := y[int(a.col[p])*l : (int(a.col[p])+1)*l]
			for k := range yj {
				yj[k] += v * xi[k]
			}
		}
	}
	return y
}

// orth orthonormalises the l columns of the n×l matrix x in place
// (modified Gram-Schmidt, twice for stability).
func orth(x []float64, n, l int) {
	for pass := 0; pass < 2; pass++ {
		for c := 0; c < l; c++ {
			for p := 0; p < c; p++ {
				var dot float64
				for i := 0; i < n; i++ {
					dot += x[i*l+c] * x[i*l+p]
				}
				for i := 0; i < n; i++ {
					x[i*l+c] -= dot * x[i*l+p]
				}
			}
			var norm float64
			for i := 0; i < n; i++ {
				norm += x[i*l+c] * x[i*l+c]
			}
			norm = math.Sqrt(norm)
			if norm == 0 {
				continue
			}
			for i := 0; i < n; i++ {
				x[i*l+c] /= norm
			}
		}
	}
}

// randomizedSVD returns the n×k word vectors U_k·Σ_k^eig of a (Halko,
// Martinsson and Tropp's randomised range finder with power iterations).
func randomizedSVD(a *csr, k, power int, eig float64, seed uint64) []float64 {
	n, l := a.n, k+16
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	omega := make([]float64, n*l)
	for i := range omega {
		omega[i] = rng.NormFloat64()
	}
	y := a.mul(omega, l)
	for q := 0; q < power; q++ {
		orth(y, n, l)
		z := a.mulT(y, l)
		orth(z, n, l)
		y = a.mul(z, l)
	}
	orth(y, n, l) // Q
	bt := a.mulT(y, l)
	// B·Bᵀ = btᵀ·bt, l×l.
	g := make([]float64, l*l)
	for i := 0; i < n; i++ {
		r := bt[i*l : (i+1)*l]
		for p := 0; p < l; p++ {
			for q := p; q < l; q++ {
				g[p*l+q] += r[p] * r[q]
			}
		}
	}
	for p := 0; p < l; p++ {
		for q := 0; q < p; q++ {
			g[p*l+q] = g[q*l+p]
		}
	}
	vals, vecs := jacobi(g, l)
	order := make([]int, l)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return vals[order[i]] > vals[order[j]] })
	out := make([]float64, n*k)
	for c := 0; c < k; c++ {
		e := order[c]
		s := math.Pow(math.Sqrt(math.Max(vals[e], 0)), eig)
		// Column c of U = Q · u_e.
		for i := 0; i < n; i++ {
			var v float64
			for p := 0; p < l; p++ {
				v += y[i*l+p] * vecs[p*l+e]
			}
			out[i*k+c] = v * s
		}
		// A fixed sign: the largest component positive.
		big, at := 0.0, 0
		for i := 0; i < n; i++ {
			if math.Abs(out[i*k+c]) > big {
				big, at = math.Abs(out[i*k+c]), i
			}
		}
		if out[at*k+c] < 0 {
			for i := 0; i < n; i++ {
				out[i*k+c] = -out[i*k+c]
			}
		}
	}
	return out
}

// jacobi diagonalises the symmetric l×l matrix a (destroyed); it returns
// the eigenvalues and the eigenvectors as columns.
func jacobi(a []float64, l int) ([]float64, []float64) {
	v := make([]float64, l*l)
	for i := 0; i < l; i++ {
		v[i*l+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		var off float64
		for p := 0; p < l; p++ {
			for q := p + 1; q < l; q++ {
				off += a[p*l+q] * a[p*l+q]
			}
		}
		if off < 1e-22 {
			break
		}
		for p := 0; p < l; p++ {
			for q := p + 1; q < l; q++ {
				apq := a[p*l+q]
				if math.Abs(apq) < 1e-300 {
					continue
				}
				theta := (a[q*l+q] - a[p*l+p]) / (2 * apq)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < l; k++ {
					akp, akq := a[k*l+p], a[k*l+q]
					a[k*l+p] = c*akp - s*akq
					a[k*l+q] = s*akp + c*akq
				}
				for k := 0; k < l; k++ {
					apk, aqk := a[p*l+k], a[q*l+k]
					a[p*l+k] = c*apk - s*aqk
					a[q*l+k] = s*apk + c*aqk
				}
				for k := 0; k < l; k++ {
					vkp, vkq := v[k*l+p], v[k*l+q]
					v[k*l+p] = c*vkp - s*vkq
					v[k*l+q] = s*vkp + c*vkq
				}
			}
		}
	}
	vals := make([]float64, l)
	for i := range vals {
		vals[i] = a[i*l+i]
	}
	return vals, v
}

// write stores the model in the format embed.Builtin reads (see
// embed/builtin.go): magic, counts, the scale, the sorted words, their
// weights and the int8 rows, each row unit length before quantising.
func write(path string, words []string, weights []byte, vecs []float64, dim int) error {
	n := len(words)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return words[order[i]] < words[order[j]] })
	var b bytes.Buffer
	b.WriteString("REELSTV1")
	binary.Write(&b, binary.LittleEndian, uint32(n))
	binary.Write(&b, binary.LittleEndian, uint32(dim))
	binary.Write(&b, binary.LittleEndian, float32(1.0/127))
	for _, i := range order {
		b.WriteByte(byte(len(words[i])))
		b.WriteString(words[i])
	}
	for _, i := range order {
		b.WriteByte(weights[i])
	}
	for _, i := range order {
		r := vecs[i*dim : (i+1)*dim]
		var s float64
		for _, x := range r {
			s += x * x
		}
		s = math.Sqrt(s)
		for _, x := range r {
			q := 0.0
			if s > 0 {
				q = math.Round(x / s * 127)
			}
			b.WriteByte(byte(int8(q)))
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

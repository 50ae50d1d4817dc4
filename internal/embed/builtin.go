package embed

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/reel-sh/reel"
)

// BuiltinID is the model id of the built-in model. It changes whenever the
// model file's bytes change, so vectors of an older build are never
// compared with new ones.
const BuiltinID = "builtin:reel-static-v1"

//go:embed reel-static-v1.bin
var builtinFile []byte

// Static is a static word-vector model: each known word of a text adds its
// vector, scaled by the word's weight (rare words weigh more), and the sum
// is L2-normalised. Words are those of Words (identifiers split); a word
// not in the vocabulary is tried without a plural or -ed/-ing ending, and
// else skipped. It is safe for concurrent use.
type Static struct {
	id      string
	dim     int
	words   []string // sorted
	index   map[string]int32
	weights []float32
	rows    []int8
	scale   float32
}

var (
	builtinOnce  sync.Once
	builtinModel *Static
	builtinErr   error
)

// Builtin returns the model compiled into reel: word vectors trained by
// ./internal/embed/train on the Go distribution's documentation (a PPMI
// co-occurrence matrix reduced by truncated SVD). It knows developer and
// Go vocabulary as the Go docs use it, nothing else: it is a co-occurrence
// model, not a sentence encoder.
func Builtin() (*Static, error) {
	builtinOnce.Do(func() { builtinModel, builtinErr = ParseStatic(BuiltinID, builtinFile) })
	return builtinModel, builtinErr
}

// ParseStatic reads a static model file as the training program writes it:
// "REELSTV1", uint32 word count n, uint32 dimension d, float32 scale
// (little-endian), n words each as a length byte and its bytes in sorted
// order, n weight bytes (weight/255), and n rows of d int8 (value*scale).
func ParseStatic(id string, b []byte) (*Static, error) {
	bad := func(what string) error {
		return reel.Errorf(reel.ECORRUPT, "static model %s: %s", id, what)
	}
	if len(b) < 20 || !bytes.Equal(b[:8], []byte("REELSTV1")) {
		return nil, bad("not a REELSTV1 file")
	}
	n := int(binary.LittleEndian.Uint32(b[8:]))
	d := int(binary.LittleEndian.Uint32(b[12:]))
	scale := math.Float32frombits(binary.LittleEndian.Uint32(b[16:]))
	if n <= 0 || d <= 0 || d > 4096 {
		return nil, bad("bad word count or dimension")
	}
	m := &Static{id: id, dim: d, scale: scale, index: make(map[string]int32, n), words: make([]string, n)}
	p := 20
	for i := 0; i < n; i++ {
		if p >= len(b) || p+1+int(b[p]) > len(b) {
			return nil, bad("word list cut off")
		}
		l := int(b[p])
		m.words[i] = string(b[p+1 : p+1+l])
		m.index[m.words[i]] = int32(i)
		p += 1 + l
	}
	if len(b)-p != n+n*d {
		return nil, bad("weights and rows do not match the header")
	}
	m.weights = make([]float32, n)
	for i := 0; i < n; i++ {
		m.weights[i] = float32(b[p+i]) / 255
	}
	p += n
	m.rows = make([]int8, n*d)
	for i := range m.rows {
		m.rows[i] = int8(b[p+i])
	}
	return m, nil
}

// Model returns the model's id and dimension.
func (m *Static) Model() reel.ModelInfo { return reel.ModelInfo{ID: m.id, Dim: m.dim} }

// Vocab returns the number of words the model knows.
func (m *Static) Vocab() int { return len(m.words) }

// Embed returns one unit vector per text; a text with no known word gets
// the zero vector.
func (m *Static) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, s := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := make([]float32, m.dim)
		Words(s, func(w string) {
			id, ok := m.lookup(w)
			if !ok {
				return
			}
			wt := m.weights[id] * m.scale
			for j, x := range m.rows[int(id)*m.dim : (int(id)+1)*m.dim] {
				v[j] += wt * float32(x)
			}
		})
		normalize(v)
		out[i] = v
	}
	return out, nil
}

// lookup finds w, or w without a common English ending.
func (m *Static) lookup(w string) (int32, bool) {
	if id, ok := m.index[w]; ok {
		return id, true
	}
	for _, suf := range []string{"s", "es", "ed", "d", "ing", "ly"} {
		if base, ok := strings.CutSuffix(w, suf); ok && len(base) > 2 {
			if id, ok := m.index[base]; ok {
				return id, true
			}
		}
	}
	return 0, false
}

// Vector returns the unit vector of one word, false when unknown.
func (m *Static) Vector(word string) ([]float32, bool) {
	id, ok := m.lookup(word)
	if !ok {
		return nil, false
	}
	v := make([]float32, m.dim)
	for j, x := range m.rows[int(id)*m.dim : (int(id)+1)*m.dim] {
		v[j] = float32(x) * m.scale
	}
	normalize(v)
	return v, true
}

// Neighbour is a word and its cosine similarity to a query word.
type Neighbour struct {
	Word   string  `json:"word"`
	Cosine float32 `json:"cosine"`
}

// Nearest returns the k words closest to word (itself excluded), most
// similar first; nil when word is unknown.
func (m *Static) Nearest(word string, k int) []Neighbour {
	q, ok := m.Vector(word)
	if !ok {
		return nil
	}
	self, _ := m.lookup(word)
	var out []Neighbour
	for i := range m.words {
		if int32(i) == self {
			continue
		}
		var dot, norm float32
		for j, x := range m.rows[i*m.dim : (i+1)*m.dim] {
			f := float32(x)
			dot += q[j] * f
			norm += f * f
		}
		if norm == 0 {
			continue
		}
		out = append(out, Neighbour{m.words[i], dot / float32(math.Sqrt(float64(norm)))})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Cosine != out[j].Cosine {
			return out[i].Cosine > out[j].Cosine
		}
		return out[i].Word < out[j].Word
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// BuiltinSize returns the size in bytes of the built-in model file.
func BuiltinSize() int64 { return int64(len(builtinFile)) }

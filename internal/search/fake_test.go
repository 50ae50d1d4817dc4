package search

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/reel-sh/reel"
)

// fakeEmbedder stands in, in tests only, for an embedding model: it
// hashes each word into one of dim buckets. It is lexical, not semantic;
// it only exercises the plumbing (storage, job, index, fusion).
type fakeEmbedder struct {
	dim   int
	id    string
	calls atomic.Int64
	delay time.Duration // per call, for the kill test
	fail  error
}

func (f *fakeEmbedder) Model() reel.ModelInfo {
	id := f.id
	if id == "" {
		id = "fake:hashed-words"
	}
	return reel.ModelInfo{ID: id, Dim: f.dim}
}

func (f *fakeEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	f.calls.Add(1)
	if f.fail != nil {
		return nil, f.fail
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, f.dim)
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			h := fnv.New32a()
			h.Write([]byte(w))
			v[int(h.Sum32())%f.dim] += 1
		}
		var s float64
		for _, x := range v {
			s += float64(x * x)
		}
		if s == 0 {
			v[0], s = 1, 1
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(s))
		}
		out[i] = v
	}
	return out, nil
}

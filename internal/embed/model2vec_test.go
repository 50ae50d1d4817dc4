package embed

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/embed/embedtest"
)

func tinyModel(t testing.TB, dtype string) *Model2Vec {
	t.Helper()
	dir := t.TempDir()
	if err := embedtest.Write(dir, dtype); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel2Vec(dir, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestModel2VecVectors(t *testing.T) {
	for _, dtype := range []string{"F32", "F16"} {
		t.Run(dtype, func(t *testing.T) {
			m := tinyModel(t, dtype)
			if got := m.Model(); got != (reel.ModelInfo{ID: "model2vec:tiny", Dim: 2}) {
				t.Fatalf("Model() = %+v", got)
			}
			cases := []struct {
				text string
				want []float32
			}{
				// hello , world ##s; "!" is unknown and dropped: (3,0)+(0,2)+(0,1)+(0,1) = (3,4).
				{"Hello, worlds!", []float32{0.6, 0.8}},
				// un ##known = (1,0)+(-1,0) = 0, plus hello (3,0).
				{"UNKNOWN hello", []float32{1, 0}},
				// Accents are stripped: café -> cafe (0,-4); "xyz" is unknown.
				{"Café xyz", []float32{0, -1}},
				// Nothing known: the zero vector.
				{"zzz ???", []float32{0, 0}},
				{"", []float32{0, 0}},
			}
			texts := make([]string, len(cases))
			for i, c := range cases {
				texts[i] = c.text
			}
			got, err := m.Embed(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range cases {
				for j := range c.want {
					if math.Abs(float64(got[i][j]-c.want[j])) > 1e-6 {
						t.Errorf("Embed(%q) = %v, want %v", c.text, got[i], c.want)
						break
					}
				}
			}
		})
	}
}

func TestWordPieceSplitsLikeBERT(t *testing.T) {
	m := tinyModel(t, "F32")
	// "worlds" is world + ##s; a word with an unmatched tail ("worldz") is one [UNK].
	got := m.tok.tokenize("WORLDS worldz hello,world", nil)
	want := []int{2, 3, 0, 1, 6, 2}
	if len(got) != len(want) {
		t.Fatalf("tokens = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tokens = %v, want %v", got, want)
		}
	}
}

func TestLoadModel2VecErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadModel2Vec(dir, "x"); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Fatalf("empty folder: %v", err)
	}
	if err := embedtest.Write(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	st := filepath.Join(dir, "model.safetensors")
	good, _ := os.ReadFile(st)
	for name, b := range map[string][]byte{
		"truncated": good[:len(good)-3],
		"short":     good[:4],
		"header":    append([]byte{0xff, 0xff, 0, 0, 0, 0, 0, 0}, good[8:]...),
		"rows":      embedtest.Safetensors("embeddings", [][]float32{{1, 2}}, "F32"),
		"name":      embedtest.Safetensors("weights", embedtest.Rows, "F32"),
	} {
		if err := os.WriteFile(st, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadModel2Vec(dir, "x")
		if reel.ErrorCode(err) != reel.ECORRUPT {
			t.Errorf("%s: err = %v, want corrupt", name, err)
		}
	}
	os.WriteFile(st, good, 0o600)
	os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(`{"model":{"type":"Unigram","vocab":[]}}`), 0o600)
	if _, err := LoadModel2Vec(dir, "x"); reel.ErrorCode(err) != reel.EUNSUPPORT {
		t.Fatalf("unigram: %v", err)
	}
}

func TestHalfToFloat(t *testing.T) {
	for h, want := range map[uint16]float32{0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x0001: 5.960464477539063e-08, 0x3555: 0.33325195} {
		if got := halfToFloat(h); got != want {
			t.Errorf("halfToFloat(%#x) = %v, want %v", h, got, want)
		}
	}
}

func TestModel2VecTruncatesBeforeDroppingUnknown(t *testing.T) {
	m := tinyModel(t, "F32")
	long := strings.Repeat("zzz ", maxTokens) + "hello"    // hello is token 513: cut
	short := strings.Repeat("zzz ", maxTokens-1) + "hello" // token 512: kept
	vs, err := m.Embed(context.Background(), []string{long, short})
	if err != nil {
		t.Fatal(err)
	}
	if vs[0][0] != 0 || vs[0][1] != 0 || vs[1][0] != 1 || vs[1][1] != 0 {
		t.Fatalf("vectors %v", vs)
	}
}

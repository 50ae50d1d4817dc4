package vecstore

import (
	"math"
	"math/rand/v2"
	"testing"
)

func norm(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	n := float32(math.Sqrt(s))
	for i := range v {
		v[i] /= n
	}
	return v
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// TestQuantizeCosineError measures how far int8 moves cosine similarity
// on random unit vectors of 384 dims.
func TestQuantizeCosineError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var worst float64
	for range 2000 {
		a, b := make([]float32, 384), make([]float32, 384)
		for i := range a {
			a[i], b[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
			b[i] = 0.6*a[i] + 0.4*b[i]
		}
		norm(a)
		norm(b)
		sa, qa := Quantize(a)
		sb, qb := Quantize(b)
		got := dot(Dequantize(sa, qa), Dequantize(sb, qb))
		worst = max(worst, math.Abs(got-dot(a, b)))
	}
	if worst > 0.01 {
		t.Fatalf("worst cosine error %.4f, want <= 0.01", worst)
	}
	t.Logf("worst cosine error after int8 quantisation: %.5f", worst)
}

func TestQuantizeZeroAndBytes(t *testing.T) {
	s, q := Quantize(make([]float32, 4))
	if s != 0 || len(q) != 4 {
		t.Fatalf("zero vector: scale %v, %d components", s, len(q))
	}
	_, q = Quantize([]float32{-1, 0.5, 1})
	if q[0] != -127 || q[2] != 127 {
		t.Fatalf("extremes = %v", q)
	}
	if back := Int8s(Bytes(q)); back[0] != -127 || back[1] != q[1] {
		t.Fatalf("round trip = %v, want %v", back, q)
	}
}

package live

import "math"

// ring keeps the newest len(buf) values pushed; older ones are evicted.
type ring[T any] struct {
	buf   []T
	start int // index of the oldest value
	n     int
}

func newRing[T any](size int) ring[T] { return ring[T]{buf: make([]T, max(size, 1))} }

// push adds v, evicting the oldest value when full; it reports whether
// one was evicted.
func (r *ring[T]) push(v T) bool {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = v
		r.n++
		return false
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
	return true
}

// items returns the values oldest first, as a new slice.
func (r *ring[T]) items() []T {
	out := make([]T, r.n)
	for i := range r.n {
		out[i] = r.buf[(r.start+i)%len(r.buf)]
	}
	return out
}

// satAdd returns a + b, or math.MaxInt64 where that would overflow. A
// negative b counts as 0: a counter never goes down.
func satAdd(a, b int64) int64 {
	if b <= 0 {
		return a
	}
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// satInc returns a + 1, saturating.
func satInc(a int64) int64 { return satAdd(a, 1) }

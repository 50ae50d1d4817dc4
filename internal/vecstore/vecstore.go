package vecstore

import (
	"context"
	"math"
	"time"

	"github.com/reel-sh/reel"
)

// Vector is one event's embedding, quantised: component i is
// float32(Data[i]) * Scale.
type Vector struct {
	SessionID string
	Seq       int64
	Scale     float32
	Data      []int8
}

// Pending is an event that has no vector of a model yet.
type Pending struct {
	// ID is the store's cursor for the event: pass the last one seen as
	// PendingEvents' after to read on.
	ID        int64
	SessionID string
	Seq       int64
	Text      string
}

// Stored is a stored vector with what search filters need of its event.
type Stored struct {
	// VID grows with every vector written: a reader that has every vector
	// up to some VID reads on from there.
	VID       int64
	SessionID string
	Seq       int64
	Time      time.Time
	Kind      string
	Role      string
	Source    string
	Project   string
	Scale     float32
	Data      []int8
}

// Coverage counts the events a model has vectors for.
type Coverage struct {
	Model string `json:"model"`
	// Embedded counts events with a vector of Model; Total counts events
	// with text (events without text are never embedded).
	Embedded int64 `json:"embedded"`
	Total    int64 `json:"total"`
}

// Fraction is Embedded/Total, 0 when there is nothing to embed.
func (c Coverage) Fraction() float64 {
	if c.Total == 0 {
		return 0
	}
	return float64(c.Embedded) / float64(c.Total)
}

// Store keeps vectors per event. A vector belongs to its event: when a
// re-read discards the event (Apply with FromSeq), its vectors go too.
type Store interface {
	// PutVectors writes vectors of model m, replacing any of m the events
	// already have, all in one transaction. Vectors of events that no
	// longer exist are skipped (the event was discarded since it was
	// read). EINVALID if a vector's length is not m.Dim.
	PutVectors(ctx context.Context, m reel.ModelInfo, vs []Vector) error
	// PendingEvents returns up to limit events with text and no vector of
	// model, whose ID is above after, in ID order.
	PendingEvents(ctx context.Context, model string, after int64, limit int) ([]Pending, error)
	// ScanVectors returns up to limit vectors of model whose VID is above
	// after, in VID order.
	ScanVectors(ctx context.Context, model string, after int64, limit int) ([]Stored, error)
	// VectorCoverage counts the events model has vectors for.
	VectorCoverage(ctx context.Context, model string) (Coverage, error)
	// VectorModels lists the models that have vectors, with their dims.
	VectorModels(ctx context.Context) ([]reel.ModelInfo, error)
	// DeleteVectors deletes every vector of model and says how many.
	DeleteVectors(ctx context.Context, model string) (int64, error)
}

// Quantize returns v as int8 components with one scale: the largest
// magnitude maps to 127.
func Quantize(v []float32) (scale float32, data []int8) {
	var m float32
	for _, x := range v {
		if a := float32(math.Abs(float64(x))); a > m {
			m = a
		}
	}
	data = make([]int8, len(v))
	if m == 0 {
		return 0, data
	}
	scale = m / 127
	inv := 1 / scale
	for i, x := range v {
		q := math.Round(float64(x * inv))
		data[i] = int8(max(-127, min(127, q)))
	}
	return scale, data
}

// Dequantize returns the float32 components of a quantised vector.
func Dequantize(scale float32, data []int8) []float32 {
	out := make([]float32, len(data))
	for i, q := range data {
		out[i] = float32(q) * scale
	}
	return out
}

// Bytes returns data as bytes, for a BLOB or bytea column.
func Bytes(data []int8) []byte {
	b := make([]byte, len(data))
	for i, q := range data {
		b[i] = byte(q)
	}
	return b
}

// Int8s returns bytes read from a column as int8 components.
func Int8s(b []byte) []int8 {
	out := make([]int8, len(b))
	for i, c := range b {
		out[i] = int8(c)
	}
	return out
}

// Validate is what PutVectors checks before it writes: EINVALID for a
// model without id or dimension, or a vector that is not m.Dim long.
func Validate(m reel.ModelInfo, vs []Vector) error {
	if m.ID == "" || m.Dim <= 0 {
		return reel.Errorf(reel.EINVALID, "put vectors: model %q of dim %d", m.ID, m.Dim)
	}
	for _, v := range vs {
		if len(v.Data) != m.Dim {
			return reel.Errorf(reel.EINVALID, "put vectors: vector of %s seq %d has %d dims, model %s has %d",
				reel.ShortID(v.SessionID), v.Seq, len(v.Data), m.ID, m.Dim)
		}
	}
	return nil
}

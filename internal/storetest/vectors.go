package storetest

import (
	"context"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/vecstore"
)

// RunVectors runs the conformance suite of vecstore.Store. open must
// return a new, empty store that implements it.
func RunVectors(t *testing.T, open func(t *testing.T) reel.Store) {
	t.Run("PutScanCoverage", func(t *testing.T) { testVectorsPut(t, open) })
	t.Run("PendingResumes", func(t *testing.T) { testVectorsPending(t, open) })
	t.Run("RereadDropsStale", func(t *testing.T) { testVectorsReread(t, open) })
	t.Run("Delete", func(t *testing.T) { testVectorsDelete(t, open) })
}

var (
	modelA = reel.ModelInfo{ID: "test:a", Dim: 4}
	modelB = reel.ModelInfo{ID: "test:b", Dim: 2}
)

func vstore(t *testing.T, open func(t *testing.T) reel.Store) (reel.Store, vecstore.Store) {
	t.Helper()
	st := open(t)
	vs, ok := st.(vecstore.Store)
	if !ok {
		t.Fatalf("%T does not implement vecstore.Store", st)
	}
	return st, vs
}

func vec(id string, seq int64, data ...int8) vecstore.Vector {
	return vecstore.Vector{SessionID: id, Seq: seq, Scale: 0.5, Data: data}
}

func pending(t *testing.T, vs vecstore.Store, model string, after int64, limit int) []vecstore.Pending {
	t.Helper()
	ps, err := vs.PendingEvents(context.Background(), model, after, limit)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func coverage(t *testing.T, vs vecstore.Store, model string) vecstore.Coverage {
	t.Helper()
	c, err := vs.VectorCoverage(context.Background(), model)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func scan(t *testing.T, vs vecstore.Store, model string) []vecstore.Stored {
	t.Helper()
	out, err := vs.ScanVectors(context.Background(), model, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testVectorsPut(t *testing.T, open func(t *testing.T) reel.Store) {
	ctx := context.Background()
	st, vs := vstore(t, open)
	ss := newSession("claude-code", "vec1")
	apply(t, st, batch(ss, 0, texts("alpha \x00 nul", "", "gamma")...))
	if c := coverage(t, vs, modelA.ID); c.Embedded != 0 || c.Total != 2 {
		t.Fatalf("coverage before = %+v, want 0 of 2 (the empty event is not counted)", c)
	}
	ps := pending(t, vs, modelA.ID, 0, 10)
	if len(ps) != 2 || ps[0].Seq != 0 || ps[1].Seq != 2 || ps[0].Text != "alpha \x00 nul" || ps[0].SessionID != ss.ID {
		t.Fatalf("pending = %+v, want seqs 0 and 2 with their text", ps)
	}
	err := vs.PutVectors(ctx, modelA, []vecstore.Vector{vec(ss.ID, 0, 1, -2, 3, -127), vec(ss.ID, 2, 0, 0, 0, 127),
		vec(ss.ID, 99, 1, 1, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := vs.PutVectors(ctx, modelA, []vecstore.Vector{vec(ss.ID, 0, 1, 2)}); reel.ErrorCode(err) != reel.EINVALID {
		t.Fatalf("PutVectors of a short vector = %v, want EINVALID", err)
	}
	if c := coverage(t, vs, modelA.ID); c.Embedded != 2 || c.Total != 2 || c.Fraction() != 1 {
		t.Fatalf("coverage after = %+v, want 2 of 2 (seq 99 does not exist)", c)
	}
	if ps := pending(t, vs, modelA.ID, 0, 10); len(ps) != 0 {
		t.Fatalf("pending after put = %+v", ps)
	}
	if ps := pending(t, vs, modelB.ID, 0, 10); len(ps) != 2 {
		t.Fatalf("pending of another model = %d events, want 2", len(ps))
	}
	got := scan(t, vs, modelA.ID)
	if len(got) != 2 || got[0].Seq != 0 || got[0].Scale != 0.5 || got[0].Data[1] != -2 || got[0].Data[3] != -127 ||
		got[0].Source != "claude-code" || got[0].Project != ss.Project || got[0].Kind != reel.KindMessage ||
		got[0].Role != reel.RoleUser || !got[0].Time.Equal(at(0)) || got[1].VID <= got[0].VID {
		t.Fatalf("scan = %+v", got)
	}
	// Replacing a vector gives it a new vid, so incremental readers see it.
	if err := vs.PutVectors(ctx, modelA, []vecstore.Vector{vec(ss.ID, 0, 9, 9, 9, 9)}); err != nil {
		t.Fatal(err)
	}
	more, err := vs.ScanVectors(ctx, modelA.ID, got[1].VID, 10)
	if err != nil || len(more) != 1 || more[0].Seq != 0 || more[0].Data[0] != 9 {
		t.Fatalf("scan after replace = %+v, %v", more, err)
	}
	if c := coverage(t, vs, modelA.ID); c.Embedded != 2 {
		t.Fatalf("coverage after replace = %+v", c)
	}
	ms, err := vs.VectorModels(ctx)
	if err != nil || len(ms) != 1 || ms[0] != modelA {
		t.Fatalf("models = %+v, %v", ms, err)
	}
}

func testVectorsPending(t *testing.T, open func(t *testing.T) reel.Store) {
	ctx := context.Background()
	st, vs := vstore(t, open)
	ss := newSession("codex", "vec2")
	apply(t, st, batch(ss, 0, texts("a", "b", "c", "d", "e")...))
	first := pending(t, vs, modelB.ID, 0, 2)
	if len(first) != 2 || first[0].Seq != 0 || first[1].Seq != 1 {
		t.Fatalf("first page = %+v", first)
	}
	rest := pending(t, vs, modelB.ID, first[1].ID, 10)
	if len(rest) != 3 || rest[0].Seq != 2 || rest[0].ID <= first[1].ID {
		t.Fatalf("after the cursor = %+v", rest)
	}
	// A run that committed the first page and stopped resumes with the rest.
	if err := vs.PutVectors(ctx, modelB, []vecstore.Vector{vec(ss.ID, 0, 1, 1), vec(ss.ID, 1, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if again := pending(t, vs, modelB.ID, 0, 10); len(again) != 3 || again[0].Seq != 2 {
		t.Fatalf("pending after a committed page = %+v", again)
	}
}

func testVectorsReread(t *testing.T, open func(t *testing.T) reel.Store) {
	ctx := context.Background()
	st, vs := vstore(t, open)
	ss := newSession("claude-code", "vec3")
	apply(t, st, batch(ss, 0, texts("one", "two", "three")...))
	err := vs.PutVectors(ctx, modelB, []vecstore.Vector{vec(ss.ID, 0, 1, 0), vec(ss.ID, 1, 2, 0), vec(ss.ID, 2, 3, 0)})
	if err != nil {
		t.Fatal(err)
	}
	// A re-read from seq 1 discards events 1 and 2 and their vectors.
	apply(t, st, batch(ss, 1, texts("TWO", "THREE", "four")...))
	got := scan(t, vs, modelB.ID)
	if len(got) != 1 || got[0].Seq != 0 {
		t.Fatalf("vectors after re-read = %+v, want only seq 0's", got)
	}
	ps := pending(t, vs, modelB.ID, 0, 10)
	if len(ps) != 3 || ps[0].Text != "TWO" {
		t.Fatalf("pending after re-read = %+v, want the three new events", ps)
	}
	if c := coverage(t, vs, modelB.ID); c.Embedded != 1 || c.Total != 4 {
		t.Fatalf("coverage after re-read = %+v, want 1 of 4", c)
	}
}

func testVectorsDelete(t *testing.T, open func(t *testing.T) reel.Store) {
	ctx := context.Background()
	st, vs := vstore(t, open)
	ss := newSession("claude-code", "vec4")
	apply(t, st, batch(ss, 0, texts("one", "two")...))
	if err := vs.PutVectors(ctx, modelA, []vecstore.Vector{vec(ss.ID, 0, 1, 0, 0, 0), vec(ss.ID, 1, 1, 0, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := vs.PutVectors(ctx, modelB, []vecstore.Vector{vec(ss.ID, 0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	n, err := vs.DeleteVectors(ctx, modelA.ID)
	if err != nil || n != 2 {
		t.Fatalf("DeleteVectors = %d, %v, want 2", n, err)
	}
	if c := coverage(t, vs, modelA.ID); c.Embedded != 0 {
		t.Fatalf("coverage of the deleted model = %+v", c)
	}
	if c := coverage(t, vs, modelB.ID); c.Embedded != 1 {
		t.Fatalf("the other model lost vectors: %+v", c)
	}
}

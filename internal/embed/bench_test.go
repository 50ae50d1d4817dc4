package embed

import (
	"context"
	"fmt"
	"testing"
)

// benchTexts are event-like texts of about 20 words.
func benchTexts(n int) []string {
	base := []string{
		"go test ./internal/sqlite/ failed: TestMigrateVectors timed out after 30s waiting for the lock",
		"Refactor parseHTTPServerConfig to return an error instead of panicking on a missing port",
		"The flaky integration test in store_test.go fails intermittently on CI when the connection resets",
		"delete the stale session files under ~/.local/share/reel and rerun sync with --verbose",
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s (%d)", base[i%len(base)], i)
	}
	return out
}

func benchEmbed(b *testing.B, e interface {
	Embed(context.Context, []string) ([][]float32, error)
}) {
	texts := benchTexts(256)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Embed(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "texts/s")
}

// BenchmarkEmbedBuiltin is the built-in model's throughput.
func BenchmarkEmbedBuiltin(b *testing.B) {
	m, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	benchEmbed(b, m)
}

// BenchmarkEmbedModel2VecTiny is the model2vec loader's throughput on the
// tiny test model: tokenizer and pooling cost, not a real model's table.
func BenchmarkEmbedModel2VecTiny(b *testing.B) {
	benchEmbed(b, tinyModel(b, "F32"))
}

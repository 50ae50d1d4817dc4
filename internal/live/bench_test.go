package live_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/live"
)

// BenchmarkSession_Append measures appends to a live session's journal on
// this machine's disk, fsync included: one event per call (a hook event
// as it comes), ten per call (one fsync for ten lines), and ten per call
// with an fsync after every line. Events are ~300 bytes, like a hook's
// tool call.
func BenchmarkSession_Append(b *testing.B) {
	ev := reel.Event{Kind: reel.KindToolCall, Role: reel.RoleAssistant, Tool: "Bash", CallID: "toolu_01",
		Text: strings.Repeat("go test ./internal/... ", 10), Tokens: reel.Tokens{Input: 1200, Output: 80}}
	for _, c := range []struct {
		name  string
		batch int
		sync  live.SyncPolicy
	}{{"Batch1", 1, live.SyncEachAppend}, {"Batch10", 10, live.SyncEachAppend}, {"Batch10EachLine", 10, live.SyncEachLine}} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			m, err := live.NewManager(live.Options{Journals: filepath.Join(dir, "live"), Snapshots: filepath.Join(dir, "snap"), Sync: c.sync})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			s, err := m.Open(context.Background(), live.Meta{Source: reel.SourceHooks, NativeID: fmt.Sprintf("bench:%s", c.name)})
			if err != nil {
				b.Fatal(err)
			}
			batch := make([]reel.Event, c.batch)
			for i := range batch {
				batch[i] = ev
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Append(batch...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*c.batch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

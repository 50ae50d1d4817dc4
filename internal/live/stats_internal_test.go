package live

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
)

func TestSatAdd(t *testing.T) {
	for _, c := range []struct{ a, b, want int64 }{
		{1, 2, 3},
		{math.MaxInt64 - 1, 1, math.MaxInt64},
		{math.MaxInt64 - 1, 2, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{5, -3, 5},
	} {
		if got := satAdd(c.a, c.b); got != c.want {
			t.Errorf("satAdd(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestStats_Saturate drives every counter of a real session near
// math.MaxInt64 and checks that appends and checkpoints stop them there.
func TestStats_Saturate(t *testing.T) {
	dir := t.TempDir()
	m, err := NewManager(Options{Journals: filepath.Join(dir, "live"), Snapshots: filepath.Join(dir, "snap")})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.opt.Live.WindowEvents, m.opt.Live.WindowCheckpoints = 1, 1
	s, err := m.Open(context.Background(), Meta{Source: reel.SourceHooks, NativeID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	s.events, s.cps = newRing[reel.Event](1), newRing[reel.Checkpoint](1)
	near := int64(math.MaxInt64 - 1)
	s.stats = Stats{Events: near, ToolCalls: near, Checkpoints: near, Bytes: near, EvictedEvents: near, EvictedCheckpoints: near,
		Tokens: reel.Tokens{Input: near, Output: near, CacheRead: near, CacheCreation: near, Reasoning: near}}
	big := reel.Tokens{Input: 5, Output: math.MaxInt64, CacheRead: 2, CacheCreation: 3, Reasoning: 4}
	for range 3 {
		if _, err := s.Append(reel.Event{Kind: reel.KindToolCall, Tokens: big}, reel.Event{Kind: reel.KindToolCall, Tokens: big}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Checkpoint("", nil); err != nil {
			t.Fatal(err)
		}
	}
	max := int64(math.MaxInt64)
	st := s.Info().Stats
	want := Stats{Events: max, ToolCalls: max, Checkpoints: max, Bytes: max, EvictedEvents: max, EvictedCheckpoints: max,
		Tokens: reel.Tokens{Input: max, Output: max, CacheRead: max, CacheCreation: max, Reasoning: max}}
	if st != want {
		t.Errorf("stats = %+v, want every counter at MaxInt64", st)
	}
	// The journal's own seqs are not counters: they went on from where
	// the session was.
	if got := s.Events(0); len(got) != 1 || got[0].Seq != 5 {
		t.Errorf("window = %+v, want the event of seq 5", got)
	}
}

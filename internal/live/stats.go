package live

import "github.com/reel-sh/reel"

// Stats counts what a live session wrote. Every counter saturates at
// math.MaxInt64 and never wraps.
type Stats struct {
	Events      int64 `json:"events"`
	ToolCalls   int64 `json:"tool_calls"`
	Checkpoints int64 `json:"checkpoints"`
	// Bytes counts the journal's bytes.
	Bytes int64 `json:"bytes"`
	// EvictedEvents and EvictedCheckpoints count what fell out of the
	// in-memory window; it is still in the journal.
	EvictedEvents      int64       `json:"evicted_events"`
	EvictedCheckpoints int64       `json:"evicted_checkpoints"`
	Tokens             reel.Tokens `json:"tokens"`
	CostUSD            float64     `json:"cost_usd,omitempty"`
}

// addTokens returns t + u, each field saturating.
func addTokens(t, u reel.Tokens) reel.Tokens {
	return reel.Tokens{
		Input:         satAdd(t.Input, u.Input),
		Output:        satAdd(t.Output, u.Output),
		CacheRead:     satAdd(t.CacheRead, u.CacheRead),
		CacheCreation: satAdd(t.CacheCreation, u.CacheCreation),
		Reasoning:     satAdd(t.Reasoning, u.Reasoning),
	}
}

// count folds one event into the counters.
func (s *Stats) count(e *reel.Event) {
	s.Events = satInc(s.Events)
	if e.Kind == reel.KindToolCall {
		s.ToolCalls = satInc(s.ToolCalls)
	}
	s.Tokens = addTokens(s.Tokens, e.Tokens)
}

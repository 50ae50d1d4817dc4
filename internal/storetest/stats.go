package storetest

import (
	"context"
	"testing"

	"github.com/reel-sh/reel"
)

func testStats(t *testing.T, open func(*testing.T) reel.Store) {
	ctx := context.Background()

	t.Run("OKEmpty", func(t *testing.T) {
		st := open(t)
		got, err := st.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Driver == "" {
			t.Error("no driver name")
		}
		for _, s := range got.Sources {
			if s != (reel.SourceStats{Source: s.Source}) {
				t.Errorf("empty store counts %+v", s)
			}
		}
	})

	t.Run("OKPerSource", func(t *testing.T) {
		st := open(t)
		c1 := newSession(reel.SourceClaudeCode, "stats-1")
		b := batch(c1, 0, texts("a", "b", "c")...)
		b.Raw = append(b.Raw,
			reel.RawRecord{Index: 3, Data: []byte("{\"type\":\"new\"}\n"), Type: "new", Status: reel.RecordUnknown},
			reel.RawRecord{Index: 4, Data: []byte("{\"type\":\"newer\"}\n"), Type: "newer", Status: reel.RecordUnknown},
			reel.RawRecord{Index: 5, Data: []byte("{broken\n"), Status: reel.RecordInvalid, Reason: "invalid JSON"},
			reel.RawRecord{Index: 6, Data: b.Raw[0].Data, Status: reel.RecordDuplicate},
		)
		apply(t, st, b)
		apply(t, st, batch(newSession(reel.SourceClaudeCode, "stats-2"), 0, texts("d", "e")...))
		x := newSession(reel.SourceCodex, "stats-3")
		bx := batch(x, 0, texts("f")...)
		bx.Raw = append(bx.Raw, reel.RawRecord{Index: 1, Data: []byte("\x00\x01"), Status: reel.RecordInvalid})
		apply(t, st, bx)
		apply(t, st, &reel.Batch{Session: newSession("shell", "stats-4")})

		want := map[string]reel.SourceStats{
			reel.SourceClaudeCode: {Source: reel.SourceClaudeCode, Sessions: 2, Events: 5, Unrecognised: 2, Invalid: 1},
			reel.SourceCodex:      {Source: reel.SourceCodex, Sessions: 1, Events: 1, Invalid: 1},
			"shell":               {Source: "shell", Sessions: 1},
		}
		equal(t, "stats", statsBySource(t, st), want)

		// Discarding the tail recounts.
		apply(t, st, batch(c1, 2, texts("c2")...))
		want[reel.SourceClaudeCode] = reel.SourceStats{Source: reel.SourceClaudeCode, Sessions: 2, Events: 5}
		equal(t, "stats after discarding", statsBySource(t, st), want)
	})
}

func statsBySource(t *testing.T, st reel.Store) map[string]reel.SourceStats {
	t.Helper()
	got, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]reel.SourceStats{}
	for _, s := range got.Sources {
		if _, dup := out[s.Source]; dup {
			t.Errorf("source %q listed twice", s.Source)
		}
		out[s.Source] = s
	}
	return out
}

package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func testSession(t *testing.T, open func(*testing.T) reel.Store) {
	ctx := context.Background()

	t.Run("RoundTrip", func(t *testing.T) {
		st := open(t)
		zone := time.FixedZone("IST", 5*3600+1800)
		want := reel.Session{
			ID:         reel.SessionID(reel.SourceCodex, "round-trip"),
			Source:     reel.SourceCodex,
			NativeID:   "round-trip",
			ParentID:   reel.SessionID(reel.SourceCodex, "parent"),
			Title:      "Fix the \"flaky\" migration — ünïcode ✓",
			Project:    "/home/dev/src/Reel",
			GitBranch:  "feat/search",
			Host:       "build-01",
			Model:      "gpt-5-codex",
			Version:    "0.99.0",
			StartedAt:  time.Date(2025, 1, 2, 3, 4, 5, 123456789, zone),
			EndedAt:    time.Date(2025, 1, 2, 4, 4, 5, 987654321, zone),
			Status:     reel.StatusInterrupted,
			EventCount: 7,
			Tokens:     reel.Tokens{Input: 1, Output: 2, CacheRead: 3, CacheCreation: 4, Reasoning: 1 << 40},
			Path:       "/logs/round trip?#%.jsonl",
		}
		apply(t, st, &reel.Batch{Session: want})
		got, err := st.Session(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		got.StartedAt = utc(t, "StartedAt", got.StartedAt)
		got.EndedAt = utc(t, "EndedAt", got.EndedAt)
		want.StartedAt, want.EndedAt = want.StartedAt.UTC(), want.EndedAt.UTC()
		equal(t, "session", got, want)
	})

	t.Run("ZeroTimes", func(t *testing.T) {
		st := open(t)
		ss := reel.Session{ID: reel.SessionID("shell", "z"), Source: "shell", NativeID: "z"}
		apply(t, st, &reel.Batch{Session: ss})
		got, err := st.Session(ctx, ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.StartedAt.IsZero() || !got.EndedAt.IsZero() {
			t.Errorf("times = %v, %v; want zero", got.StartedAt, got.EndedAt)
		}
	})

	// Enough sessions that two ids share a first digit.
	st := open(t)
	var ids []string
	for i := range 20 {
		ss := newSession(reel.SourceClaudeCode, fmt.Sprintf("prefix-%d", i))
		apply(t, st, &reel.Batch{Session: ss})
		ids = append(ids, ss.ID)
	}
	unique, shared := prefixes(ids)

	tests := []struct {
		name, ref, wantID, code string
	}{
		{"OK", ids[3], ids[3], ""},
		{"OKUniquePrefix", unique, ids[0], ""},
		{"ErrNotFound", "ffffffffffffffffffffffffffffffff0", "", reel.ENOTFOUND},
		{"ErrNotFoundNotHex", "no such session", "", reel.ENOTFOUND},
		{"ErrAmbiguous", shared, "", reel.EAMBIGUOUS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Session(ctx, tt.ref)
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatalf("Session(%q) = %v", tt.ref, err)
			}
			equal(t, "id", got.ID, tt.wantID)
		})
	}
}

// prefixes returns the shortest prefix of ids[0] that no other id has,
// and a prefix that at least two ids share.
func prefixes(ids []string) (unique, shared string) {
	for n := 1; n <= len(ids[0]) && unique == ""; n++ {
		p := ids[0][:n]
		count := 0
		for _, id := range ids {
			if strings.HasPrefix(id, p) {
				count++
			}
		}
		if count == 1 {
			unique = p
		}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id[:1]] {
			shared = id[:1]
		}
		seen[id[:1]] = true
	}
	return unique, shared
}

func testSessions(t *testing.T, open func(*testing.T) reel.Store) {
	ctx := context.Background()
	st := open(t)
	if got, err := st.Sessions(ctx, reel.Filter{}); err != nil || len(got) != 0 {
		t.Fatalf("Sessions on an empty store = %v, %v", got, err)
	}

	// Activity spans: a [0h, 1h], b [2h, 5h], c [3h, 4h], d started at 6h
	// with no end yet, e with no times at all.
	mk := func(source, native, project string, start, end time.Duration) reel.Session {
		ss := newSession(source, native)
		ss.Project = project
		ss.StartedAt, ss.EndedAt = at(start), at(end)
		if end < 0 {
			ss.EndedAt = time.Time{}
		}
		return ss
	}
	a := mk(reel.SourceClaudeCode, "a", "/home/dev/src/Reel", 0, time.Hour)
	b := mk(reel.SourceCodex, "b", "/srv/api", 2*time.Hour, 5*time.Hour)
	c := mk(reel.SourceClaudeCode, "c", "/home/dev/src/reel-web", 3*time.Hour, 4*time.Hour)
	d := mk(reel.SourceCodex, "d", "/home/dev/ÜBER", 6*time.Hour, -1)
	e := reel.Session{ID: reel.SessionID("shell", "e"), Source: "shell", NativeID: "e", Project: "/tmp"}
	for _, ss := range []reel.Session{a, b, c, d, e} {
		apply(t, st, batch(ss, 0, texts("hello")...))
	}

	tests := []struct {
		name string
		f    reel.Filter
		want []reel.Session
	}{
		{"OKMostRecentFirst", reel.Filter{}, []reel.Session{d, b, c, a, e}},
		{"OKLimit", reel.Filter{Limit: 2}, []reel.Session{d, b}},
		{"OKSources", reel.Filter{Sources: []string{reel.SourceClaudeCode, "shell"}}, []reel.Session{c, a, e}},
		{"OKProjectCaseInsensitive", reel.Filter{Project: "REEL"}, []reel.Session{c, a}},
		{"OKProjectNonASCII", reel.Filter{Project: "über"}, []reel.Session{d}},
		{"OKProjectIsLiteral", reel.Filter{Project: "%"}, nil},
		{"OKSessionID", reel.Filter{SessionID: c.ID}, []reel.Session{c}},
		{"OKSince", reel.Filter{Since: at(4 * time.Hour)}, []reel.Session{d, b, c}},
		{"OKUntil", reel.Filter{Until: at(3 * time.Hour)}, []reel.Session{b, a}},
		{"OKSinceUntil", reel.Filter{Since: at(90 * time.Minute), Until: at(2 * time.Hour)}, nil},
		{"OKKindsIgnored", reel.Filter{Kinds: []string{"nothing"}, Roles: []string{"nobody"}, Limit: 1}, []reel.Session{d}},
		{"OKCombined", reel.Filter{Sources: []string{reel.SourceCodex}, Project: "api", Since: at(time.Hour)}, []reel.Session{b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Sessions(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs, wantIDs []string
			for _, ss := range got {
				gotIDs = append(gotIDs, ss.NativeID)
			}
			for _, ss := range tt.want {
				wantIDs = append(wantIDs, ss.NativeID)
			}
			equal(t, "sessions", gotIDs, wantIDs)
		})
	}
}

package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func testCursor(t *testing.T, open func(*testing.T) reel.Store) {
	ctx := context.Background()
	ss := newSession(reel.SourceCodex, "cursor")

	t.Run("RoundTrip", func(t *testing.T) {
		st := open(t)
		want := reel.Cursor{
			Path: "/home/dev/.codex/sessions/2025/03/14/rollout ü?.jsonl", Source: reel.SourceCodex,
			SessionID: ss.ID, Size: 1 << 33, ModTime: time.Date(2025, 3, 14, 9, 0, 0, 1, time.FixedZone("X", 3600)),
			HeadHash: "sha256:0123abcd", Offset: 1<<33 - 17, NextRaw: 12345, NextSeq: 23456,
			State: []byte("\x00\xffopaque\n"),
		}
		apply(t, st, &reel.Batch{Session: ss, Cursor: want})
		got, err := st.Cursor(ctx, want.Path)
		if err != nil {
			t.Fatal(err)
		}
		got.ModTime = utc(t, "ModTime", got.ModTime)
		want.ModTime = want.ModTime.UTC()
		if !bytes.Equal(got.State, want.State) {
			t.Errorf("state = %q, want %q", got.State, want.State)
		}
		got.State, want.State = nil, nil
		equal(t, "cursor", got, want)
	})

	t.Run("OKReplaced", func(t *testing.T) {
		st := open(t)
		apply(t, st, batch(ss, 0, texts("a", "b")...))
		b := batch(ss, 2, texts("c")...)
		b.Cursor.State = nil
		apply(t, st, b)
		got, err := st.Cursor(ctx, ss.Path)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "next seq", got.NextSeq, int64(3))
		equal(t, "offset", got.Offset, b.Cursor.Offset)
		if len(got.State) != 0 {
			t.Errorf("state = %q, want none", got.State)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		apply(t, st, batch(ss, 0, texts("a")...))
		_, err := st.Cursor(ctx, "/never/synced.jsonl")
		wantCode(t, err, reel.ENOTFOUND)
	})
}

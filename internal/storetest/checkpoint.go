package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// cp returns a checkpoint of ss at seq with label, its id derived.
func cp(ss reel.Session, seq int64, label string) reel.Checkpoint {
	t := at(time.Duration(seq) * time.Second)
	return reel.Checkpoint{ID: reel.CheckpointID(ss.ID, seq, label, t), SessionID: ss.ID, Label: label, Time: t, Seq: seq}
}

func put(t *testing.T, st reel.Store, c reel.Checkpoint) {
	t.Helper()
	if err := st.PutCheckpoint(context.Background(), c); err != nil {
		t.Fatalf("PutCheckpoint(%q, label %q, seq %d) = %v", c.ID, c.Label, c.Seq, err)
	}
}

// listed returns a session's checkpoints with their times in UTC.
func listed(t *testing.T, st reel.Store, id string) []reel.Checkpoint {
	t.Helper()
	cps, err := st.Checkpoints(context.Background(), id)
	if err != nil {
		t.Fatalf("Checkpoints(%s) = %v", reel.ShortID(id), err)
	}
	if cps == nil {
		t.Fatalf("Checkpoints(%s) = nil, want an empty slice", reel.ShortID(id))
	}
	for i := range cps {
		cps[i].Time = utc(t, "checkpoint time", cps[i].Time)
	}
	return cps
}

func labels(cps []reel.Checkpoint) []string {
	out := []string{}
	for _, c := range cps {
		out = append(out, c.Label)
	}
	return out
}

func testCheckpoints(t *testing.T, open func(*testing.T) reel.Store) {
	ctx := context.Background()
	ss := newSession(reel.SourceCodex, "checkpoints")
	// stored returns a store holding ss with three events.
	stored := func(t *testing.T) reel.Store {
		st := open(t)
		apply(t, st, batch(ss, 0, texts("alpha", "bravo", "charlie")...))
		return st
	}

	t.Run("OK", func(t *testing.T) {
		st := stored(t)
		want := cp(ss, 1, "after alpha")
		want.State = json.RawMessage(`{"files":["a.go"]}`)
		put(t, st, want)
		equal(t, "checkpoints", listed(t, st, ss.ID), []reel.Checkpoint{want})
		equal(t, "none elsewhere", listed(t, st, newSessionStored(t, st, "other").ID), []reel.Checkpoint{})
	})

	t.Run("OKAtNextEvent", func(t *testing.T) {
		// A live session's checkpoint marks the event still to come.
		st := stored(t)
		put(t, st, cp(ss, 3, "next"))
		put(t, st, cp(ss, 0, "start"))
		equal(t, "labels", labels(listed(t, st, ss.ID)), []string{"start", "next"})
	})

	t.Run("ErrUnknownSession", func(t *testing.T) {
		st := stored(t)
		c := cp(ss, 0, "x")
		c.SessionID = reel.SessionID(reel.SourceCodex, "missing")
		wantCode(t, st.PutCheckpoint(ctx, c), reel.ENOTFOUND)
		_, err := st.Checkpoints(ctx, c.SessionID)
		wantCode(t, err, reel.ENOTFOUND)
		// Checkpoints takes a full id, not a prefix.
		_, err = st.Checkpoints(ctx, ss.ID[:8])
		wantCode(t, err, reel.ENOTFOUND)
	})

	t.Run("ErrBadSeq", func(t *testing.T) {
		st := stored(t)
		wantCode(t, st.PutCheckpoint(ctx, cp(ss, 4, "past the end")), reel.EINVALID)
		wantCode(t, st.PutCheckpoint(ctx, cp(ss, -1, "negative")), reel.EINVALID)
		equal(t, "checkpoints", listed(t, st, ss.ID), []reel.Checkpoint{})
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		st := stored(t)
		for name, edit := range map[string]func(*reel.Checkpoint){
			"no id":      func(c *reel.Checkpoint) { c.ID = "" },
			"no session": func(c *reel.Checkpoint) { c.SessionID = "" },
			"state":      func(c *reel.Checkpoint) { c.State = json.RawMessage(`{"open":`) },
			"control":    func(c *reel.Checkpoint) { c.Label = "two\nlines" },
			"long label": func(c *reel.Checkpoint) { c.Label = string(make([]byte, reel.MaxCheckpointLabel+1)) },
			"time":       func(c *reel.Checkpoint) { c.Time = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) },
			"huge state": func(c *reel.Checkpoint) {
				c.State = json.RawMessage(`"` + string(make([]byte, reel.MaxCheckpointState)) + `"`)
			},
		} {
			c := cp(ss, 1, "bad")
			edit(&c)
			if got := reel.ErrorCode(st.PutCheckpoint(ctx, c)); got != reel.EINVALID {
				t.Errorf("%s: error code %q, want %q", name, got, reel.EINVALID)
			}
		}
		equal(t, "checkpoints", listed(t, st, ss.ID), []reel.Checkpoint{})
	})

	t.Run("ErrLabelConflict", func(t *testing.T) {
		st := stored(t)
		first := cp(ss, 1, "mid")
		put(t, st, first)
		err := st.PutCheckpoint(ctx, cp(ss, 2, "mid"))
		wantCode(t, err, reel.ECONFLICT)
		if reel.ErrorHint(err) == "" {
			t.Errorf("conflict %v has no hint", err)
		}
		equal(t, "checkpoints", listed(t, st, ss.ID), []reel.Checkpoint{first})
		// The same label in another session is no conflict.
		other := newSessionStored(t, st, "other")
		put(t, st, cp(other, 0, "mid"))
	})

	t.Run("ErrLabelRace", func(t *testing.T) {
		// Writers that put the same label at once under different ids:
		// exactly one wins, the others get ECONFLICT.
		st := stored(t)
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			go func() {
				c := cp(ss, int64(i%4), "race")
				c.ID = fmt.Sprintf("racer-%d", i)
				errs <- st.PutCheckpoint(ctx, c)
			}()
		}
		won := 0
		for range n {
			switch err := <-errs; reel.ErrorCode(err) {
			case "":
				won++
			case reel.ECONFLICT:
			default:
				t.Errorf("racing put: %v, want success or ECONFLICT", err)
			}
		}
		if got := listed(t, st, ss.ID); won != 1 || len(got) != 1 {
			t.Errorf("%d puts won, %d checkpoints stored; want 1, 1", won, len(got))
		}
	})

	t.Run("OKLabelReuseAfterRelabel", func(t *testing.T) {
		st := stored(t)
		a := cp(ss, 1, "mid")
		put(t, st, a)
		a.Label = "renamed"
		put(t, st, a)
		b := cp(ss, 2, "mid")
		put(t, st, b)
		equal(t, "checkpoints", listed(t, st, ss.ID), []reel.Checkpoint{a, b})
		// Dropping a label frees it too.
		b.Label = ""
		put(t, st, b)
		put(t, st, cp(ss, 3, "mid"))
		equal(t, "labels", labels(listed(t, st, ss.ID)), []string{"renamed", "", "mid"})
	})

	t.Run("OKIdempotent", func(t *testing.T) {
		st := stored(t)
		c := cp(ss, 2, "twice")
		put(t, st, c)
		put(t, st, c)
		// A put with the id replaces the checkpoint: seq, time and state.
		c.Seq, c.State = 1, json.RawMessage(`[1]`)
		put(t, st, c)
		equal(t, "checkpoints", listed(t, st, ss.ID), []reel.Checkpoint{c})
	})

	t.Run("OKOrder", func(t *testing.T) {
		st := stored(t)
		mk := func(id string, seq int64, tm time.Time) reel.Checkpoint {
			return reel.Checkpoint{ID: id, SessionID: ss.ID, Seq: seq, Time: tm}
		}
		want := []reel.Checkpoint{
			mk("z-first", 0, time.Time{}), mk("a-second", 0, at(time.Second)),
			mk("b-third", 0, at(time.Second)), mk("c-fourth", 0, at(time.Hour)),
			mk("a-fifth", 2, time.Time{}), mk("a-last", 3, at(-time.Hour)),
		}
		for _, i := range []int{5, 3, 1, 0, 4, 2} {
			put(t, st, want[i])
		}
		equal(t, "order", listed(t, st, ss.ID), want)
	})

	t.Run("OKStateBytes", func(t *testing.T) {
		st := stored(t)
		c := cp(ss, 1, "caf\xe9 \uFFFE label") // not UTF-8, and the escape rune
		c.ID = "id \uFFFE\xff"
		c.State = json.RawMessage(" {\"b\": 1,\n  \"a\" : [1.50, \"\\u0000é\"] }\t")
		put(t, st, c)
		none := cp(ss, 2, "")
		put(t, st, none)
		got := listed(t, st, ss.ID)
		equal(t, "checkpoints", got, []reel.Checkpoint{c, none})
		if len(got) == 2 && got[1].State != nil {
			t.Errorf("no state came back as %q, want nil", got[1].State)
		}
	})

	t.Run("OKApplyKeepsCheckpoints", func(t *testing.T) {
		// A re-read of the session (a rewritten file) drops and rewrites
		// its events, never its checkpoints.
		st := stored(t)
		c := cp(ss, 3, "end")
		put(t, st, c)
		apply(t, st, batch(ss, 0, texts("one")...))
		apply(t, st, batch(ss, 1, texts("two", "three", "four")...))
		equal(t, "checkpoints", listed(t, st, ss.ID), []reel.Checkpoint{c})
	})

	t.Run("OKApplyBatchCheckpoints", func(t *testing.T) {
		st := open(t)
		b1 := batch(ss, 0, texts("alpha", "bravo")...)
		b1.Checkpoints = []reel.Checkpoint{cp(ss, 0, "start"), cp(ss, 2, "two")}
		b2 := batch(ss, 2, texts("charlie")...)
		b2.Checkpoints = []reel.Checkpoint{cp(ss, 3, "")}
		apply(t, st, b1)
		apply(t, st, b2)
		want := append(append([]reel.Checkpoint{}, b1.Checkpoints...), b2.Checkpoints...)
		equal(t, "checkpoints", listed(t, st, ss.ID), want)
		// Applying again, one by one or together, leaves the same.
		apply(t, st, b1)
		if err := st.Apply(ctx, b2, b1, b2); err != nil {
			t.Fatal(err)
		}
		equal(t, "after re-applying", listed(t, st, ss.ID), want)
		// A later batch of one Apply may relabel what an earlier one put.
		b3 := batch(ss, 3, texts("delta")...)
		moved := b1.Checkpoints[1]
		moved.Label = "moved"
		b3.Checkpoints = []reel.Checkpoint{moved, cp(ss, 4, "two")}
		b4 := batch(ss, 4, texts("echo")...)
		b4.Checkpoints = []reel.Checkpoint{cp(ss, 5, "five")}
		if err := st.Apply(ctx, b3, b4); err != nil {
			t.Fatal(err)
		}
		equal(t, "labels", labels(listed(t, st, ss.ID)), []string{"start", "moved", "", "two", "five"})
	})

	t.Run("ErrApplyInvalid", func(t *testing.T) {
		for name, edit := range map[string]func(*reel.Checkpoint){
			"seq beyond": func(c *reel.Checkpoint) { c.Seq = 3 },
			"session":    func(c *reel.Checkpoint) { c.SessionID = reel.SessionID(reel.SourceCodex, "x") },
			"state":      func(c *reel.Checkpoint) { c.State = json.RawMessage(`nope`) },
		} {
			t.Run(name, func(t *testing.T) {
				st := open(t)
				ok := batch(newSession(reel.SourceCodex, "fine"), 0, texts("fine")...)
				b := batch(ss, 0, texts("alpha", "bravo")...)
				c := cp(ss, 1, "bad")
				edit(&c)
				b.Checkpoints = []reel.Checkpoint{cp(ss, 0, "good"), c}
				wantCode(t, st.Apply(ctx, ok, b), reel.EINVALID)
				_, err := st.Session(ctx, ss.ID)
				wantCode(t, err, reel.ENOTFOUND)
				_, err = st.Session(ctx, ok.Session.ID)
				wantCode(t, err, reel.ENOTFOUND)
			})
		}
		t.Run("shared label", func(t *testing.T) {
			st := open(t)
			b := batch(ss, 0, texts("alpha")...)
			b.Checkpoints = []reel.Checkpoint{cp(ss, 0, "same"), cp(ss, 1, "same")}
			wantCode(t, st.Apply(ctx, b), reel.EINVALID)
		})
	})

	t.Run("ErrApplyLabelConflict", func(t *testing.T) {
		st := stored(t)
		first := cp(ss, 1, "mid")
		put(t, st, first)
		b := batch(ss, 3, texts("delta")...)
		b.Checkpoints = []reel.Checkpoint{cp(ss, 4, "mid")}
		wantCode(t, st.Apply(ctx, b), reel.ECONFLICT)
		equal(t, "texts", eventTexts(t, st, ss.ID, reel.Filter{}), []string{"alpha", "bravo", "charlie"})
		equal(t, "checkpoints", listed(t, st, ss.ID), []reel.Checkpoint{first})
	})
}

// newSessionStored applies a one-event session named native to st and
// returns it.
func newSessionStored(t *testing.T, st reel.Store, native string) reel.Session {
	t.Helper()
	ss := newSession(reel.SourceCodex, native)
	b := batch(ss, 0, texts("only")...)
	apply(t, st, b)
	return b.Session
}

package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func TestClient_Checkpoints(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	ss, _ := st.Sessions(ctx, reel.Filter{})
	n := 0
	// The daemon's checkpoint maker, as simple as it can be over a
	// store: the checkpoint marks the session's next event.
	mk := func(ctx context.Context, ref, label string, state json.RawMessage) (reel.Checkpoint, error) {
		sess, err := st.Session(ctx, ref)
		if err != nil {
			return reel.Checkpoint{}, err
		}
		n++
		c := reel.Checkpoint{ID: fmt.Sprintf("cp-%d", n), SessionID: sess.ID, Label: label,
			Time: base.Add(time.Duration(n) * time.Minute), Seq: sess.EventCount, State: state}
		return c, st.PutCheckpoint(ctx, c)
	}
	c, _, _ := unixServer(t, Services{Store: st, Checkpoints: st, Checkpoint: mk})
	sess := ss[1]
	t.Run("Empty", func(t *testing.T) {
		got, err := c.Checkpoints(ctx, sess.ID[:6])
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("Checkpoints = %#v, %v, want an empty list", got, err)
		}
	})
	t.Run("Create", func(t *testing.T) {
		got, err := c.Checkpoint(ctx, sess.ID[:6], "before-refactor", json.RawMessage(`{"files":["a.go"]}`))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != "cp-1" || got.SessionID != sess.ID || got.Seq != 6 || string(got.State) != `{"files":["a.go"]}` {
			t.Fatalf("Checkpoint = %+v", got)
		}
		if err := c.PutCheckpoint(ctx, reel.Checkpoint{SessionID: sess.ID, Label: "after"}); err != nil {
			t.Fatal(err)
		}
		err = c.Store().PutCheckpoint(ctx, reel.Checkpoint{ID: "mine", SessionID: sess.ID, Label: "exact", Seq: 2})
		wantCode(t, err, reel.EINVALID, "the daemon chooses the id, time and seq")
		list, err := c.Store().Checkpoints(ctx, sess.ID[:6])
		if err != nil {
			t.Fatal(err)
		}
		want, _ := st.Checkpoints(ctx, sess.ID)
		if len(list) != 2 || !reflect.DeepEqual(list, want) || list[0].Label != "before-refactor" || list[1].State != nil {
			t.Fatalf("Checkpoints = %+v, want %+v", list, want)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		_, err := c.Checkpoint(ctx, sess.ID, "after", nil)
		re := wantCode(t, err, reel.ECONFLICT, `label "after" already names checkpoint`)
		if !strings.Contains(re.Hint, "choose another label") {
			t.Fatalf("hint = %q", re.Hint)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := c.Checkpoint(ctx, "ffffffff", "x", nil)
		wantCode(t, err, reel.ENOTFOUND, "")
		_, err = c.Checkpoints(ctx, "ffffffff")
		wantCode(t, err, reel.ENOTFOUND, "")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := c.Checkpoint(ctx, sess.ID, "bad\nlabel", nil)
		wantCode(t, err, reel.EINVALID, "control character")
	})
}

func TestClient_Export(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	ss, _ := st.Sessions(ctx, reel.Filter{})
	// export writes a session's raw records, as the native format does;
	// "broken" fails after the first record.
	export := func(ctx context.Context, w io.Writer, ref, format string) error {
		if format != "native" && format != "broken" {
			return reel.Errorf(reel.EINVALID, "unknown export format %q", format)
		}
		sess, err := st.Session(ctx, ref)
		if err != nil {
			return err
		}
		return st.RawRecords(ctx, sess.ID, func(r reel.RawRecord) error {
			if _, err := w.Write(r.Data); err != nil {
				return err
			}
			if format == "broken" {
				return fmt.Errorf("disk on fire")
			}
			return nil
		})
	}
	c, _, logs := unixServer(t, Services{Export: export})
	var want bytes.Buffer
	st.RawRecords(ctx, ss[0].ID, func(r reel.RawRecord) error { want.Write(r.Data); return nil })
	t.Run("OK", func(t *testing.T) {
		var got bytes.Buffer
		if err := c.Export(ctx, &got, ss[0].ID[:7], ""); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("got %q, want %q", got.String(), want.String())
		}
	})
	t.Run("ErrBeforeFirstByte", func(t *testing.T) {
		err := c.Export(ctx, io.Discard, ss[0].ID, "pdf")
		wantCode(t, err, reel.EINVALID, `"pdf"`)
		err = c.Export(ctx, io.Discard, "ffffffff", "native")
		wantCode(t, err, reel.ENOTFOUND, "")
	})
	t.Run("ErrCutOff", func(t *testing.T) {
		var got bytes.Buffer
		err := c.Export(ctx, &got, ss[0].ID, "broken")
		if err == nil {
			t.Fatalf("Export of a broken export = nil, got %q", got.String())
		}
		if !strings.Contains(logs.String(), "disk on fire") {
			t.Fatalf("the log lacks the cause: %s", logs.String())
		}
	})
}

func TestClient_Sync(t *testing.T) {
	var got []string
	sync := func(_ context.Context, sources []string) (any, error) {
		got = sources
		if len(sources) == 1 && sources[0] == "nope" {
			return nil, reel.Errorf(reel.EINVALID, "unknown source %q", "nope").WithHint("reel status lists the sources")
		}
		return map[string]any{"sessions": 3, "sources": sources}, nil
	}
	c, _, _ := unixServer(t, Services{Sync: sync})
	rep, err := c.Sync(context.Background(), []string{"codex", "gemini"})
	if err != nil || !reflect.DeepEqual(got, []string{"codex", "gemini"}) || string(rep) != `{"sessions":3,"sources":["codex","gemini"]}` {
		t.Fatalf("Sync = %s, %v; sync got %v", rep, err, got)
	}
	if _, err := c.Sync(context.Background(), nil); err != nil || got != nil {
		t.Fatalf("Sync(nil) = %v; sync got %v", err, got)
	}
	_, err = c.Sync(context.Background(), []string{"nope"})
	if re := wantCode(t, err, reel.EINVALID, `"nope"`); re.Hint != "reel status lists the sources" {
		t.Fatalf("hint = %q", re.Hint)
	}
}

func TestClient_Hook(t *testing.T) {
	var got []reel.HookEvent
	sink := &fakeHookSink{HookFn: func(_ context.Context, e reel.HookEvent) error {
		if e.Client == "" || e.Name == "" || e.SessionID == "" {
			return reel.Errorf(reel.EINVALID, "hook event has no client, name or session id")
		}
		got = append(got, e)
		return nil
	}}
	c, path, _ := unixServer(t, Services{Hooks: sink})
	e := reel.HookEvent{Client: reel.SourceClaudeCode, Name: "PostToolUse", SessionID: "abc", Cwd: "/w",
		Time: base, Pane: "%1", Payload: json.RawMessage(`{"tool_name":"Bash","tool_response":"ok"}`)}
	t.Run("OK", func(t *testing.T) {
		if err := c.Hook(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], e) {
			t.Fatalf("sink got %+v, want %+v", got, e)
		}
	})
	t.Run("Accepted", func(t *testing.T) {
		b, _ := json.Marshal(e)
		r := rawCall(t, unixHTTP(path), "POST", "http://reel/v1/hooks", bytes.NewReader(b), nil)
		if r.status != 202 {
			t.Fatalf("status = %d (%s), want 202", r.status, r.body)
		}
	})
	t.Run("LargePayload", func(t *testing.T) {
		// A tool's output may be over the 1 MiB cap of other bodies.
		big := e
		big.Payload = json.RawMessage(`{"tool_response":"` + strings.Repeat("x", maxBody) + `"}`)
		if err := c.Hook(context.Background(), big); err != nil {
			t.Fatal(err)
		}
		body := io.MultiReader(strings.NewReader(`{"client":"codex","payload":"`), bytes.NewReader(bytes.Repeat([]byte{'0'}, maxHookBody)))
		r := rawCall(t, unixHTTP(path), "POST", "http://reel/v1/hooks", body, nil)
		if e := errorOf(t, r); r.status != 413 || !strings.Contains(e.Message, "over 16 MiB") {
			t.Fatalf("status %d, error %+v, want 413", r.status, e)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		err := c.Hook(context.Background(), reel.HookEvent{Client: "codex"})
		wantCode(t, err, reel.EINVALID, "no client, name or session id")
	})
}

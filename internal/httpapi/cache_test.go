package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
)

// countingStore is a real store that counts its Sessions calls, to tell
// a cached answer from a read. DataVersion is the store's own.
type countingStore struct {
	*sqlite.Store
	lists atomic.Int64
}

func (c *countingStore) Sessions(ctx context.Context, f reel.Filter) ([]reel.Session, error) {
	c.lists.Add(1)
	return c.Store.Sessions(ctx, f)
}

// get answers GET target from h.
func get(t *testing.T, h http.Handler, target string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", target, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// firstSession is the id of the first session of a list body.
func firstSession(t *testing.T, body []byte) string {
	t.Helper()
	var ss []reel.Session
	if err := json.Unmarshal(body, &ss); err != nil || len(ss) == 0 {
		t.Fatalf("list %s: %d sessions, %v", body, len(ss), err)
	}
	return ss[0].ID
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestServer_SessionsCache(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: testStore(t)}
	cached := NewServer(Services{Store: st}, Options{Logger: quietLog}).Handler()
	plain := NewServer(Services{Store: st}, Options{Logger: quietLog, NoCache: true}).Handler()

	t.Run("OK", func(t *testing.T) {
		// Every answer is the uncached one, byte for byte.
		for _, q := range []string{"", "?limit=3", "?source=codex&limit=2", "?source=codex,claude-code&limit=4",
			"?source=claude-code&source=codex&limit=4", "?project=proj1", "?since=2026-03-01T12:00:00Z&until=2026-03-01T15:00:00Z"} {
			want := get(t, plain, "/v1/sessions"+q)
			for range 2 {
				if got := get(t, cached, "/v1/sessions"+q); string(got) != string(want) {
					t.Errorf("GET /v1/sessions%s cached = %s, want %s", q, got, want)
				}
			}
		}
	})
	t.Run("Hits", func(t *testing.T) {
		get(t, cached, "/v1/sessions?limit=5")
		n := st.lists.Load()
		for range 10 {
			get(t, cached, "/v1/sessions?limit=5")
		}
		// The same sessions in another order of sources is the same query.
		get(t, cached, "/v1/sessions?source=codex,claude-code")
		get(t, cached, "/v1/sessions?source=claude-code&source=codex&source=codex")
		if got := st.lists.Load() - n; got != 1 {
			t.Errorf("store read %d times for 12 requests of 2 queries with no write, want 1", got)
		}
	})
	// Each writer commits session n, the most recent, which the next
	// request must list first.
	writers := []struct {
		name  string
		n     int
		write func(b *reel.Batch) error
	}{
		{"WriteThisStore", 100, func(b *reel.Batch) error { return st.Apply(ctx, b) }},
		{"WriteOtherStore", 101, func(b *reel.Batch) error {
			other, err := sqlite.Open(ctx, st.Path())
			if err != nil {
				return err
			}
			defer other.Close()
			return other.Apply(ctx, b)
		}},
		{"WriteOtherProcess", 102, func(*reel.Batch) error {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSessionsCacheChild$")
			cmd.Env = append(os.Environ(), "REEL_HTTPAPI_CACHE_CHILD="+st.Path())
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("child: %v\n%s", err, out)
			}
			return nil
		}},
	}
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			get(t, cached, "/v1/sessions?limit=5")
			b := sessionBatch(w.n)
			if err := w.write(b); err != nil {
				t.Fatal(err)
			}
			if got := firstSession(t, get(t, cached, "/v1/sessions?limit=5")); got != b.Session.ID {
				t.Errorf("first session after the write = %s, want the new %s", got, b.Session.ID)
			}
		})
	}
}

// TestSessionsCacheChild is the other process of TestServer_SessionsCache:
// it writes session 102 into the database REEL_HTTPAPI_CACHE_CHILD
// names, as a reel sync beside the daemon does.
func TestSessionsCacheChild(t *testing.T) {
	path := os.Getenv("REEL_HTTPAPI_CACHE_CHILD")
	if path == "" {
		t.Skip("the child of TestServer_SessionsCache")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Apply(context.Background(), sessionBatch(102)); err != nil {
		t.Fatal(err)
	}
}

func TestServer_AgentsTTL(t *testing.T) {
	ctx := context.Background()
	var reads atomic.Int64
	name := atomic.Value{}
	name.Store("one")
	sup := &fakeSupervisor{
		AgentsFn: func(context.Context) ([]reel.AgentSession, error) {
			reads.Add(1)
			return []reel.AgentSession{{ID: "a1", Name: name.Load().(string)}}, nil
		},
		StopFn: func(context.Context, string) (reel.AgentSession, error) {
			name.Store("stopped")
			return reel.AgentSession{ID: "a1", Name: "stopped", Status: reel.AgentStopped}, nil
		},
	}
	st := testStore(t)
	srv := NewServer(Services{Store: st, Supervisor: sup}, Options{Logger: quietLog, AgentsTTL: time.Minute})
	now := time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	srv.now = func() time.Time { return now }
	h := srv.Handler()
	want := func(what string, reads0 int64, wantReads int64, wantName string) {
		t.Helper()
		var as []reel.AgentSession
		if err := json.Unmarshal(get(t, h, "/v1/agents"), &as); err != nil || len(as) != 1 {
			t.Fatalf("%s: GET /v1/agents = %v, %v", what, as, err)
		}
		if got := reads.Load() - reads0; got != wantReads || as[0].Name != wantName {
			t.Errorf("%s: %d reads, name %q; want %d, %q", what, got, as[0].Name, wantReads, wantName)
		}
	}
	want("first", 0, 1, "one")
	name.Store("two") // a change only tmux knows
	now = now.Add(59 * time.Second)
	want("within the TTL", 1, 0, "one")
	now = now.Add(time.Second)
	want("at the TTL", 1, 1, "two")

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/agents/a1/stop", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("stop = %d %s", rec.Code, rec.Body)
	}
	want("after a POST", 2, 1, "stopped")

	// A commit to the store (the daemon's registry) by anyone.
	name.Store("renamed")
	if err := st.PutAgent(ctx, reel.AgentSession{ID: "a1", Name: "renamed", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	want("a registry write, within the version check's interval", 3, 0, "stopped")
	now = now.Add(100 * time.Millisecond)
	want("after a registry write", 3, 1, "renamed")
	want("cached again", 4, 0, "renamed")

	// A clock that went back never serves the cached list.
	now = now.Add(-time.Second)
	want("clock back", 4, 1, "renamed")
}

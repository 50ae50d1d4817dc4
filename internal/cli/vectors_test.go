package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// writeSessions stores sessions whose events mention words, through the
// app's own store.
func writeSessions(t *testing.T, e *recEnv) {
	t.Helper()
	app := &App{Streams: NewStreams(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(k string) string { return e.env[k] }), env: e.env}
	defer app.Close()
	st, err := app.Store(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, native := range []string{"one", "two"} {
		ss := reel.Session{ID: reel.SessionID("codex", native), Source: "codex", NativeID: native, Title: native, StartedAt: time.Unix(1700000000, 0)}
		b := &reel.Batch{Session: ss}
		for i := range 5 {
			b.Raw = append(b.Raw, reel.RawRecord{Index: int64(i), Offset: int64(i) * 10, Data: []byte("{}\n"), Status: reel.RecordOK})
			b.Events = append(b.Events, reel.Event{SessionID: ss.ID, Seq: int64(i), Time: time.Unix(1700000000+int64(i), 0),
				Kind: reel.KindMessage, Role: reel.RoleUser, Text: fmt.Sprintf("the flaky deploy step %d", i), RawIndex: int64(i)})
		}
		b.Session.EventCount = 5
		if err := st.Apply(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSearchModesCLI(t *testing.T) {
	e := newRecEnv(t)
	// Semantic search off: every mode but fts says why.
	if err := os.MkdirAll(e.env["REEL_HOME"], 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.env["REEL_HOME"], "config.toml"), []byte("[embed]\nprovider = \"off\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	writeSessions(t, e)

	var hits []reel.Hit
	json.Unmarshal([]byte(e.ok("search", "flaky", "deploy", "--json")), &hits)
	per := map[string]int{}
	for _, h := range hits {
		per[h.SessionID]++
	}
	if len(hits) != 6 || len(per) != 2 || per[hits[0].SessionID] != 3 {
		t.Fatalf("default cap of 3 per session: %d hits, %v", len(hits), per)
	}
	json.Unmarshal([]byte(e.ok("search", "flaky", "--json", "--per-session", "0")), &hits)
	if len(hits) != 10 {
		t.Fatalf("--per-session 0: %d hits, want 10", len(hits))
	}
	out := e.ok("search", "flaky", "--explain", "--per-session", "1")
	if strings.Count(out, "fts score") != 2 || !strings.Contains(out, "fts #1") {
		t.Fatalf("--explain printed:\n%s", out)
	}
	json.Unmarshal([]byte(e.ok("search", "flaky", "--explain", "--json", "--limit", "1")), &hits)
	if len(hits) != 1 || hits[0].Explain == nil || hits[0].Explain.Mode != reel.ModeFTS || hits[0].Explain.FTSRank != 1 {
		t.Fatalf("--explain --json = %+v", hits)
	}
	for _, mode := range []string{"vector", "hybrid"} {
		_, errs, code := e.run("", "search", "flaky", "--mode", mode)
		if code != exitCode(reel.Errorf(reel.EUNSUPPORT, "x")) || !strings.Contains(errs, "no embedding model configured") ||
			!strings.Contains(errs, "--mode fts") {
			t.Fatalf("--mode %s without a model: exit %d, %s", mode, code, errs)
		}
	}
	if _, errs, code := e.run("", "search", "flaky", "--mode", "semantic"); code == 0 || !strings.Contains(errs, "hybrid, fts or vector") {
		t.Fatalf("--mode semantic: exit %d, %s", code, errs)
	}
	_, errs, code := e.run("", "embed")
	if code != exitCode(reel.Errorf(reel.EUNSUPPORT, "x")) || !strings.Contains(errs, "no embedding model configured") {
		t.Fatalf("embed without a model: exit %d, %s", code, errs)
	}
	var status statusReport
	json.Unmarshal([]byte(e.ok("status", "--json")), &status)
	if status.Vectors == nil || status.Vectors.Model != "" || !strings.Contains(status.Vectors.Unavailable, "no embedding model") {
		t.Fatalf("status vectors = %+v", status.Vectors)
	}
	if out := e.ok("status"); !strings.Contains(out, "Embedding model: none: no embedding model configured") {
		t.Fatalf("status says:\n%s", out)
	}

	// The default, the built-in model: reel embed covers every event, and
	// vector and hybrid search find them.
	if err := os.Remove(filepath.Join(e.env["REEL_HOME"], "config.toml")); err != nil {
		t.Fatal(err)
	}
	e.ok("embed")
	status = statusReport{}
	json.Unmarshal([]byte(e.ok("status", "--json")), &status)
	if status.Vectors == nil || status.Vectors.Model != "builtin:reel-static-v1" || status.Vectors.Unavailable != "" {
		t.Fatalf("status vectors with the built-in model = %+v", status.Vectors)
	}
	for _, mode := range []string{"vector", "hybrid"} {
		hits = nil
		json.Unmarshal([]byte(e.ok("search", "flaky", "deploy", "--mode", mode, "--explain", "--json")), &hits)
		if len(hits) == 0 || hits[0].Explain == nil || hits[0].Explain.Mode != mode || hits[0].Explain.Model != "builtin:reel-static-v1" {
			t.Fatalf("--mode %s with the built-in model = %+v", mode, hits)
		}
	}
}

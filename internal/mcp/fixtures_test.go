package mcp_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/mcp"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/reel-sh/reel/internal/testenv"
)

// TestGetSession_Fixtures syncs the shared Claude Code fixtures (real
// sessions, with long tool results) into a real store, as reel sync does,
// and reads every session back through get_session in small pages: the
// pages must hold every event once, in order, each text whole or cut with
// its cut counted.
func TestGetSession_Fixtures(t *testing.T) {
	dir := testenv.FixturesDir(t)
	var files []string
	for _, pattern := range []string{"claude-code-log/*.jsonl", "git-ai/tests/fixtures/*claude*.jsonl"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil || len(m) == 0 {
			t.Fatalf("no fixtures %s in %s: %v", pattern, dir, err)
		}
		files = append(files, m...)
	}
	root := filepath.Join(t.TempDir(), "projects")
	proj := filepath.Join(root, "-home-dev-src-api")
	if err := os.MkdirAll(proj, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(proj, filepath.Base(f)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "reel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := syncer.Run(ctx, syncer.Options{Store: st, Sources: []syncer.Source{{Importer: ingest.NewClaude(), Root: root}}}); err != nil {
		t.Fatal(err)
	}
	cs := connect(t, mcp.Deps{Store: st}, mcp.Options{})
	var list mcp.SessionsOutput
	call(t, cs, "list_sessions", map[string]any{"limit": 200}, &list)
	if len(list.Sessions) < len(files) {
		t.Fatalf("%d sessions from %d files", len(list.Sessions), len(files))
	}
	var events, cut int
	for _, sess := range list.Sessions {
		want, err := st.Events(ctx, sess.ID, reel.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []mcp.Event
		for offset := 0; ; {
			var out mcp.SessionOutput
			call(t, cs, "get_session", map[string]any{"session": sess.ID, "offset": offset, "limit": 7}, &out)
			got = append(got, out.Events...)
			if out.NextOffset == nil {
				break
			}
			offset = *out.NextOffset
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d events through get_session, %d in the store", sess.ID, len(got), len(want))
			continue
		}
		for i, e := range got {
			w := want[i]
			if e.Seq != w.Seq || e.Kind != w.Kind || e.Tool != w.Tool || !strings.HasPrefix(w.Text, e.Text) || len(e.Text)+e.TextCut != len(w.Text) {
				t.Errorf("%s #%d: got %s %q (+%d cut), want %s %q", sess.ID, w.Seq, e.Kind, e.Text, e.TextCut, w.Kind, w.Text)
			}
			if e.TextCut > 0 {
				cut++
			}
		}
		events += len(got)
	}
	t.Logf("%d sessions, %d events read back in pages of 7, %d of them cut", len(list.Sessions), events, cut)
	if events == 0 {
		t.Error("the fixtures gave no events")
	}
}

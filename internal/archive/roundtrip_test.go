package archive_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/reel-sh/reel/internal/testenv"
)

// TestDocument_RoundTrip writes odd documents and reads them back: the
// document read is the one written, and writing it again gives the same
// bytes.
func TestDocument_RoundTrip(t *testing.T) {
	empty := oddDocument()
	empty.Raw, empty.Events, empty.Checkpoints = nil, nil, nil
	empty.Session.EventCount = 0
	for name, doc := range map[string]*archive.Document{"Odd": oddDocument(), "Empty": empty} {
		t.Run(name, func(t *testing.T) {
			var first bytes.Buffer
			if err := archive.Write(&first, doc); err != nil {
				t.Fatalf("write: %v", err)
			}
			got, err := archive.Read(bytes.NewReader(first.Bytes()), archive.Limits{})
			if err != nil {
				t.Fatalf("read: %v\n%s", err, first.Bytes())
			}
			if got.Format != archive.FormatName || got.Version != archive.Version {
				t.Errorf("format %q version %d, want %q %d", got.Format, got.Version, archive.FormatName, archive.Version)
			}
			got.Format, got.Version = "", 0
			if !reflect.DeepEqual(got, doc) {
				t.Errorf("document read back differs:\n got %+v\nwant %+v", got, doc)
			}
			for i := range doc.Raw {
				if (got.Raw[i].Data == nil) != (doc.Raw[i].Data == nil) {
					t.Errorf("raw %d: nil data %v, want %v", i, got.Raw[i].Data == nil, doc.Raw[i].Data == nil)
				}
			}
			var second bytes.Buffer
			if err := archive.Write(&second, got); err != nil {
				t.Fatalf("write again: %v", err)
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Errorf("written again, the document differs:\n%s\n---\n%s", first.Bytes(), second.Bytes())
			}
		})
	}
}

// TestFromStore_RoundTrip exports sessions from a real store, imports
// them into a fresh one and exports them again: the documents are byte
// for byte the same, and so is everything the stores hold of them. The
// sessions are the shared fixtures as reel sync reads them (Claude Code
// and Codex files, an opencode storage tree whose records are named
// files, an opencode database), a Claude Code file with a line that is
// not UTF-8 and a torn last line, and a session of odd bytes.
func TestFromStore_RoundTrip(t *testing.T) {
	ctx := context.Background()
	src := openStore(t)
	syncFixtures(t, src)
	if err := src.Apply(ctx, oddSession()); err != nil {
		t.Fatalf("apply odd session: %v", err)
	}
	sessions, err := src.Sessions(ctx, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) < 9 {
		t.Fatalf("%d sessions synced, want at least 9", len(sessions))
	}
	sources := map[string]int{}
	named, invalid := 0, 0

	dst := openStore(t)
	for i, s := range sessions {
		sources[s.Source]++
		first := export(t, src, s.ID)
		// Half the sessions go in batches of 3, one Apply each.
		importDoc(t, dst, first, 3, i%2 == 0)
		if second := export(t, dst, s.ID); !bytes.Equal(first, second) {
			t.Errorf("session %s (%s): export after import differs", s.ID, s.Path)
		}
		sameStored(t, src, dst, s.ID)
		for _, r := range rawRecords(t, src, s.ID) {
			if r.Name != "" {
				named++
			}
			if r.Status == reel.RecordInvalid {
				invalid++
			}
		}
		if c, err := dst.Cursor(ctx, archive.CursorPrefix+s.ID); err != nil || c.SessionID != s.ID {
			t.Errorf("session %s: import cursor %+v, %v", s.ID, c, err)
		}
	}
	if sources[reel.SourceClaudeCode] == 0 || sources[reel.SourceCodex] == 0 || sources[reel.SourceOpencode] < 2 {
		t.Errorf("sources synced: %v; want claude-code, codex and two opencode sessions", sources)
	}
	if named == 0 || invalid < 2 {
		t.Errorf("%d named and %d invalid raw records; the fixtures should give both", named, invalid)
	}

	// Importing everything again replaces, and adds nothing.
	for _, s := range sessions {
		importDoc(t, dst, export(t, src, s.ID), 0, false)
	}
	again, err := dst.Sessions(ctx, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(sessions) {
		t.Errorf("after a second import: %d sessions, want %d", len(again), len(sessions))
	}
	for _, s := range sessions {
		sameStored(t, src, dst, s.ID)
	}
}

// syncFixtures syncs shared fixtures into st as reel sync does.
func syncFixtures(t *testing.T, st reel.Store) {
	t.Helper()
	fx := filepath.Join(testenv.FixturesDir(t), "git-ai", "tests", "fixtures")
	home := t.TempDir()
	claude := filepath.Join(home, ".claude", "projects", "-work")
	codex := filepath.Join(home, ".codex", "sessions", "2026", "01", "02")
	for dir, names := range map[string][]string{
		claude: {"example-claude-code.jsonl", "claude-code-with-thinking.jsonl", "claude-model-not-last.jsonl"},
		codex:  {"codex-session-simple.jsonl", "codex-session-updated.jsonl"},
	} {
		for _, n := range names {
			data, err := os.ReadFile(filepath.Join(fx, n))
			if err != nil {
				t.Fatal(err)
			}
			if dir == codex {
				n = "rollout-2026-01-02T03-04-05-" + n
			}
			writeFile(t, filepath.Join(dir, n), data)
		}
	}
	// A session whose file has a line that is not UTF-8, one that is not
	// JSON, and a torn last line.
	data, err := os.ReadFile(filepath.Join(fx, "claude-code-with-plan.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"caf\xe9 \xff\"},\"uuid\":\"x1\",\"sessionId\":\"plan\"}\n"...)
	data = append(data, "not json \x00\xfe\n{\"type\":\"user\",\"mess"...)
	writeFile(t, filepath.Join(claude, "broken.jsonl"), data)

	rec, err := syncer.Run(context.Background(), syncer.Options{
		Store: st, Host: "test-host",
		Sources: []syncer.Source{
			{Importer: ingest.NewClaude(), Root: filepath.Join(home, ".claude", "projects")},
			{Importer: ingest.NewCodex(), Root: filepath.Join(home, ".codex", "sessions")},
			{Importer: ingest.NewOpencode(), Root: filepath.Join(fx, "opencode-storage")},
			{Importer: ingest.NewOpencode(), Root: filepath.Join(fx, "opencode-sqlite")},
		},
	})
	if err != nil {
		t.Fatalf("sync fixtures: %v", err)
	}
	if rec.FilesSeen < 8 {
		t.Fatalf("sync saw %d files, want at least 8: %+v", rec.FilesSeen, rec.Sources)
	}
}

// writeFile writes data at path, creating its folders.
func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

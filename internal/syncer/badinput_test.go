package syncer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/syncer"
)

// claudeLine returns one Claude Code record, with its terminator: a user
// prompt for even i, an assistant reply for odd i, whose text is "line i
// of a session about " + topic.
func claudeLine(i int, topic string) []byte {
	r := map[string]any{
		"uuid": fmt.Sprintf("u-%04d", i), "sessionId": "s-bad", "cwd": "/home/dev/reel",
		"timestamp": fmt.Sprintf("2025-03-04T05:%02d:%02dZ", i/60%60, i%60),
	}
	text := fmt.Sprintf("line %d of a session about %s", i, topic)
	if i%2 == 0 {
		r["type"], r["message"] = "user", map[string]any{"role": "user", "content": text}
	} else {
		r["type"], r["message"] = "assistant", map[string]any{"role": "assistant", "model": "claude-sonnet-4-5",
			"content": []any{map[string]any{"type": "text", "text": text}}}
	}
	data, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return append(data, '\n')
}

// wantIssue is an issue a test expects: at a line, with an action and a
// reason that contains a phrase.
type wantIssue struct {
	line   int64
	action string
	reason string
}

// checkIssues fails the test unless the record lists exactly want for
// the file at path.
func checkIssues(t *testing.T, rec *syncer.Record, path string, want []wantIssue) {
	t.Helper()
	if len(rec.Issues) != len(want) {
		t.Fatalf("issues: got %v, want %d", rec.Issues, len(want))
	}
	for i, w := range want {
		got := rec.Issues[i]
		if got.Path != path || got.Line != w.line || got.Action != w.action || !strings.Contains(got.Reason, w.reason) {
			t.Errorf("issue %d: got %v, want %s:%d: ...%s... (%s)", i, got, path, w.line, w.reason, w.action)
		}
	}
}

// checkTexts fails the test unless the session's message events are
// exactly those whose text holds each of want, in order.
func checkTexts(t *testing.T, store reel.Store, s reel.Session, want ...string) {
	t.Helper()
	var got []string
	for _, e := range events(t, store, s) {
		if e.Kind == reel.KindMessage {
			got = append(got, e.Text)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("messages: got %q, want %q", got, want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("message %d: got %q, want it to hold %q", i, got[i], want[i])
		}
	}
}

// TestRun_BadLines syncs files with one bad line each: the line is kept
// raw and reported with its file and line, and every good line around it
// is read.
func TestRun_BadLines(t *testing.T) {
	tests := []struct {
		name             string
		issues           []wantIssue
		texts            []string
		outcome          string
		skipped, repaird int64
		unrecognised     int64
	}{
		{"truncated", []wantIssue{{4, "retry", "incomplete last line"}},
			[]string{"line 0 ", "line 1 ", "line 2 "}, syncer.OutcomeOK, 0, 0, 0},
		{"badutf8", []wantIssue{{2, "repaired", "invalid UTF-8"}},
			[]string{"line 0 ", "caf\u00e9 \ufffd", "line 2 "}, syncer.OutcomeOK, 0, 1, 0},
		{"unknown", nil,
			[]string{"line 0 ", "line 2 "}, syncer.OutcomeOK, 0, 0, 1},
		{"badjson", []wantIssue{{2, "skipped", "invalid JSON"}},
			[]string{"line 0 ", "line 2 "}, syncer.OutcomePartial, 1, 0, 0},
		{"badtime", []wantIssue{{2, "repaired", "out of range"}},
			[]string{"line 0 ", "line 1 ", "line 2 "}, syncer.OutcomeOK, 0, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := filepath.Join("testdata", "badinput", tt.name, "session.jsonl")
			home := t.TempDir()
			path := claudeFile(home, "-bad", tt.name+".jsonl")
			copyFile(t, src, path)
			store := openStore(t)
			rec := syncHome(t, store, home)
			if rec.Outcome != tt.outcome || rec.SkippedRecords != tt.skipped || rec.RepairedRecords != tt.repaird {
				t.Errorf("outcome %q, skipped %d, repaired %d; want %q, %d, %d",
					rec.Outcome, rec.SkippedRecords, rec.RepairedRecords, tt.outcome, tt.skipped, tt.repaird)
			}
			checkIssues(t, rec, path, tt.issues)
			s := checkRaw(t, store, path, readFile(t, src))
			checkTexts(t, store, s, tt.texts...)
			st, err := store.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var unrecognised int64
			for _, ss := range st.Sources {
				unrecognised += ss.Unrecognised
			}
			if unrecognised != tt.unrecognised {
				t.Errorf("unrecognised records: got %d, want %d", unrecognised, tt.unrecognised)
			}
		})
	}
}

// TestRun_LongLines syncs files with one very long line: over
// MaxLineBytes it is kept raw and skipped, under it it is read, and the
// good lines around it are read either way. Over the limit as the last
// line, it is final once terminated, and read again while it is not.
func TestRun_LongLines(t *testing.T) {
	const over = "exceeds the 1048576-byte parse limit"
	tests := []struct {
		name    string
		size    int
		maxLine int64
		// tail is what follows the long line: a good line, nothing, or
		// nothing with the long line's terminator cut off.
		tail    string
		issues  []wantIssue
		outcome string
		texts   []string
	}{
		{"OverLimit", 3 << 20, 1 << 20, "good", []wantIssue{{2, "skipped", over}}, syncer.OutcomePartial,
			[]string{"line 0 ", "line 2 "}},
		{"OverLimitLast", 3 << 20, 1 << 20, "", []wantIssue{{2, "skipped", over}}, syncer.OutcomePartial,
			[]string{"line 0 "}},
		{"OverLimitIncomplete", 3 << 20, 1 << 20, "cut", []wantIssue{{2, "retry", "incomplete last line: line of"}}, syncer.OutcomeOK,
			[]string{"line 0 "}},
		{"UnderLimit", 50 << 20, 64 << 20, "good", nil, syncer.OutcomeOK,
			[]string{"line 0 ", "line 1 of a session about xxxx", "line 2 "}},
	}
	if raceEnabled {
		// The race detector makes decoding 50 MB of JSON take many seconds.
		tests[len(tests)-1].size = 8 << 20
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			path := claudeFile(home, "-long", "long.jsonl")
			data := append(claudeLine(0, "long lines"), claudeLine(1, strings.Repeat("x", tt.size))...)
			switch tt.tail {
			case "good":
				data = append(data, claudeLine(2, "long lines")...)
			case "cut":
				data = data[:len(data)-1]
			}
			writeFile(t, path, data)
			store := openStore(t)
			opt := options(store, home)
			opt.MaxLineBytes = tt.maxLine
			rec := runSync(t, opt)
			if rec.Outcome != tt.outcome {
				t.Errorf("outcome: got %q, want %q", rec.Outcome, tt.outcome)
			}
			checkIssues(t, rec, path, tt.issues)
			s := checkRaw(t, store, path, data)
			checkTexts(t, store, s, tt.texts...)
		})
	}
}

// TestRun_BadFiles syncs trees in which a file cannot be read: it is
// skipped and reported, and the other files are read.
func TestRun_BadFiles(t *testing.T) {
	tests := []struct {
		name string
		// bad returns the path of the file that cannot be read, after
		// making it so.
		bad    func(t *testing.T, home string) string
		reason string
	}{
		{"Vanished", func(t *testing.T, home string) string {
			return claudeFile(home, "-p", "gone.jsonl")
		}, "vanished"},
		{"Folder", func(t *testing.T, home string) string {
			p := claudeFile(home, "-p", "folder.jsonl")
			if err := os.MkdirAll(p, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}, "not a regular file (a folder)"},
		{"Unreadable", func(t *testing.T, home string) string {
			if os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
			p := claudeFile(home, "-p", "locked.jsonl")
			writeFile(t, p, claudeLine(0, "locks"))
			if err := os.Chmod(p, 0); err != nil {
				t.Fatal(err)
			}
			return p
		}, "permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			good := claudeFile(home, "-p", "good.jsonl")
			writeFile(t, good, append(claudeLine(0, "bad files"), claudeLine(1, "bad files")...))
			bad := tt.bad(t, home)
			// A fake importer: the real Claude importer, whose Discover
			// also reports the bad path, as a racing client could make it.
			imp := &fakeImporter{Importer: ingest.NewClaude()}
			imp.DiscoverFn = func(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
				if err := imp.Importer.Discover(ctx, root, fn); err != nil {
					return err
				}
				return fn(reel.SourceFile{Path: bad, Source: reel.SourceClaudeCode, NativeID: strings.TrimSuffix(filepath.Base(bad), ".jsonl")})
			}
			store := openStore(t)
			opt := options(store, home)
			opt.Sources = []syncer.Source{{Importer: imp, Root: claudeRoot(home)}}
			rec := runSync(t, opt)
			if rec.Outcome != syncer.OutcomePartial || rec.SkippedFiles != 1 || rec.FilesSeen != 2 {
				t.Errorf("outcome %q, skipped files %d, seen %d; want partial, 1, 2", rec.Outcome, rec.SkippedFiles, rec.FilesSeen)
			}
			checkIssues(t, rec, bad, []wantIssue{{0, "skipped", tt.reason}})
			s := checkRaw(t, store, good, readFile(t, good))
			checkTexts(t, store, s, "line 0 ", "line 1 ")
		})
	}
}

// TestRun_FailingStore checks that a store that fails stops the sync, and
// that the next sync, with the store working again, completes it exactly.
func TestRun_FailingStore(t *testing.T) {
	home, _ := genCorpus(t, 3000, 11)
	store := openStore(t)
	errFull := errors.New("disk full")
	var calls atomic.Int64
	// A fake store: the real one, failing from its fifth write on.
	failing := &fakeStore{Store: store, ApplyFn: func(ctx context.Context, bs ...*reel.Batch) error {
		if calls.Add(1) >= 5 {
			return errFull
		}
		return store.Apply(ctx, bs...)
	}}
	opt := options(failing, home)
	rec, err := syncer.Run(context.Background(), opt)
	if !errors.Is(err, errFull) {
		t.Fatalf("sync: got error %v, want %v", err, errFull)
	}
	if rec.Outcome != syncer.OutcomeFailed || !strings.Contains(rec.Error, "disk full") {
		t.Errorf("record: outcome %q, error %q; want failed, disk full", rec.Outcome, rec.Error)
	}
	if rec.FilesNew+rec.FilesAppended >= rec.FilesSeen {
		t.Errorf("sync went on after the store failed: %d of %d files read", rec.FilesNew, rec.FilesSeen)
	}

	rec = syncHome(t, store, home)
	if rec.Outcome != syncer.OutcomeOK {
		t.Errorf("second sync: outcome %q", rec.Outcome)
	}
	clean := openStore(t)
	syncHome(t, clean, home)
	compareSnapshots(t, takeSnapshot(t, store), takeSnapshot(t, clean))
}

// TestRun_DiscoverError checks that a source whose folder cannot be fully
// listed does not stop the sync: what it found and every other source are
// read, and the sync is partial.
func TestRun_DiscoverError(t *testing.T) {
	home := t.TempDir()
	claudePath := claudeFile(home, "-p", "good.jsonl")
	writeFile(t, claudePath, append(claudeLine(0, "walks"), claudeLine(1, "walks")...))
	codexPath := codexFile(home, "00000000-0000-4000-8000-00000000000e.jsonl")
	copyFile(t, filepath.Join("testdata", "badinput", "codex", "rollout.jsonl"), codexPath)
	// A fake importer: the real Codex importer, whose walk fails after it
	// reported what it found, as on a folder it may not read.
	imp := &fakeImporter{Importer: ingest.NewCodex()}
	imp.DiscoverFn = func(ctx context.Context, root string, fn func(reel.SourceFile) error) error {
		if err := imp.Importer.Discover(ctx, root, fn); err != nil {
			return err
		}
		return fmt.Errorf("open %s: permission denied", filepath.Join(root, "2026", "02"))
	}
	store := openStore(t)
	opt := options(store, home)
	opt.Sources = []syncer.Source{{Importer: ingest.NewClaude(), Root: claudeRoot(home)}, {Importer: imp, Root: codexRoot(home)}}
	rec := runSync(t, opt)
	if rec.Outcome != syncer.OutcomePartial || rec.FilesNew != 2 {
		t.Errorf("outcome %q, new files %d; want partial, 2", rec.Outcome, rec.FilesNew)
	}
	checkIssues(t, rec, codexRoot(home), []wantIssue{{0, "skipped", "discover codex sessions: open "}})
	checkRaw(t, store, claudePath, readFile(t, claudePath))
	checkRaw(t, store, codexPath, readFile(t, codexPath))
}

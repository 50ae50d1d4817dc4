package syncer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/syncer"
	"github.com/reel-sh/reel/internal/testenv"
)

// fixtureFile is one shared fixture and where it goes in a home folder.
type fixtureFile struct {
	src, dst string
}

// layoutFixtures copies every Claude Code and Codex fixture into home, as
// the clients lay their files out, and returns them.
func layoutFixtures(t testing.TB, home string) []fixtureFile {
	t.Helper()
	fx := testenv.FixturesDir(t)
	gitai := filepath.Join(fx, "git-ai", "tests", "fixtures")
	transcripts := filepath.Join(fx, "git-ai", "tests", "transcripts", "fixtures")
	ccl := filepath.Join(fx, "claude-code-log")
	av := filepath.Join(fx, "agentsview", "internal", "parser", "testdata")

	var files []fixtureFile
	claude := func(dir, project string, names ...string) {
		for _, n := range names {
			files = append(files, fixtureFile{filepath.Join(dir, n), claudeFile(home, project, n)})
		}
	}
	codex := func(dir, prefix string, names ...string) {
		for _, n := range names {
			files = append(files, fixtureFile{filepath.Join(dir, n), codexFile(home, prefix+n)})
		}
	}
	claude(gitai, "-git-ai", "example-claude-code.jsonl", "claude-code-with-thinking.jsonl",
		"claude-code-with-plan.jsonl", "claude-model-not-last.jsonl")
	claude(transcripts, "-git-ai-transcripts", "claude_simple.jsonl", "claude_with_ids.jsonl")
	// The subagent keeps its <session>/subagents/ shape beside its parent.
	files = append(files, fixtureFile{
		filepath.Join(transcripts, "claude_subagent", "sess-parent-abc", "subagents", "agent-a1b2c3d4e5f6.jsonl"),
		claudeFile(home, "-git-ai-transcripts", filepath.Join("sess-parent-abc", "subagents", "agent-a1b2c3d4e5f6.jsonl")),
	})
	claude(ccl, "-claude-code-log", "representative_messages.jsonl", "todowrite_examples.jsonl",
		"session_b.jsonl", "edge_cases.jsonl")
	claude(filepath.Join(av, "claude"), "-agentsview", "valid_session.jsonl", "tool_call_pending.jsonl",
		"truncated.jsonl", "queued_system_messages.jsonl")
	codex(gitai, "", "codex-session-simple.jsonl", "codex-session-updated.jsonl")
	codex(filepath.Join(av, "codex"), "agentsview-", "standard_session.jsonl", "function_calls.jsonl",
		"fc_args_1.jsonl", "fc_args_2.jsonl", "fc_stdin.jsonl", "blockquotes_session.jsonl")
	for _, f := range files {
		copyFile(t, f.src, f.dst)
	}
	return files
}

// TestRun_Fixtures syncs every shared Claude Code and Codex fixture: each
// becomes one session whose raw records are the file's bytes, and the only
// problem reported is the torn last line of truncated.jsonl.
func TestRun_Fixtures(t *testing.T) {
	home := t.TempDir()
	files := layoutFixtures(t, home)
	store := openStore(t)
	rec := syncHome(t, store, home)

	if rec.Outcome != syncer.OutcomeOK && rec.Outcome != syncer.OutcomePartial {
		t.Errorf("outcome: got %q, want ok or partial", rec.Outcome)
	}
	if rec.FilesSeen != len(files) || rec.FilesNew != len(files) {
		t.Errorf("files seen %d, new %d; want %d each", rec.FilesSeen, rec.FilesNew, len(files))
	}
	truncated := claudeFile(home, "-agentsview", "truncated.jsonl")
	if len(rec.Issues) != 1 {
		t.Fatalf("issues: got %d, want 1: %v", len(rec.Issues), rec.Issues)
	}
	if i := rec.Issues[0]; i.Path != truncated || i.Line != 3 || i.Action != "retry" {
		t.Errorf("issue: got %v, want %s:3 (retry)", i, truncated)
	}
	if rec.SkippedRecords != 0 || rec.SkippedFiles != 0 || rec.RepairedRecords != 0 {
		t.Errorf("skipped records %d, files %d, repaired %d; want none", rec.SkippedRecords, rec.SkippedFiles, rec.RepairedRecords)
	}

	ctx := context.Background()
	var total int64
	for _, f := range files {
		s := checkRaw(t, store, f.dst, readFile(t, f.src))
		evs := events(t, store, s)
		total += int64(len(evs))
		if s.Host != testHost || s.Status == "" {
			t.Errorf("%s: host %q, status %q", f.dst, s.Host, s.Status)
		}
	}
	if rec.EventsInserted != total {
		t.Errorf("events inserted: got %d, stored %d", rec.EventsInserted, total)
	}

	// The subagent names its parent, the session of claude_with_ids.jsonl
	// being sess-parent-abc only by content, not by file name.
	agent := sessionByPath(t, store, claudeFile(home, "-git-ai-transcripts",
		filepath.Join("sess-parent-abc", "subagents", "agent-a1b2c3d4e5f6.jsonl")))
	if want := reel.SessionID(reel.SourceClaudeCode, "sess-parent-abc"); agent.ParentID != want {
		t.Errorf("subagent parent: got %q, want %q", agent.ParentID, want)
	}

	// The two git-ai rollouts are snapshots of one session: each is kept
	// whole, as a session of its own, one of them under the session's id.
	simple := sessionByPath(t, store, codexFile(home, "codex-session-simple.jsonl"))
	updated := sessionByPath(t, store, codexFile(home, "codex-session-updated.jsonl"))
	genuine := reel.SessionID(reel.SourceCodex, "019c4b43-1451-7af3-be4c-5576369bf1ba")
	if simple.ID == updated.ID || (simple.ID != genuine && updated.ID != genuine) {
		t.Errorf("git-ai rollouts: sessions %s and %s; want two, one of them %s", simple.ID, updated.ID, genuine)
	}

	// The torn line is kept raw and invalid, to be read again.
	s := sessionByPath(t, store, truncated)
	var last reel.RawRecord
	if err := store.RawRecords(ctx, s.ID, func(r reel.RawRecord) error { last = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if last.Index != 2 || last.Status != reel.RecordInvalid {
		t.Errorf("torn line: got record %d with status %q, want 2 invalid", last.Index, last.Status)
	}
}

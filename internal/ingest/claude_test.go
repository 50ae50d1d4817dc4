package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

// claudeRun is what feeding a file to a parser line by line, the way the
// sync engine does, produced.
type claudeRun struct {
	events  []reel.Event
	records []reel.RawRecord
	// errs holds the Parse error of each failed line, by line index.
	errs    map[int64]error
	session reel.Session
	state   []byte
}

// claudeLines splits data into lines that keep their terminators.
func claudeLines(data []byte) [][]byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// claudeFeed parses lines[from:to] with p into run.
func claudeFeed(t *testing.T, p reel.Parser, lines [][]byte, from, to int, run *claudeRun) {
	t.Helper()
	var offset int64
	for _, l := range lines[:from] {
		offset += int64(len(l))
	}
	for i := from; i < to; i++ {
		rec := reel.RawRecord{Index: int64(i), Offset: offset, Data: lines[i]}
		offset += int64(len(lines[i]))
		events, err := p.Parse(&rec)
		if err != nil {
			if len(events) != 0 {
				t.Errorf("line %d: Parse returned %d events with error %v", i, len(events), err)
			}
			run.errs[int64(i)] = err
		}
		run.records = append(run.records, rec)
		run.events = append(run.events, events...)
	}
}

// claudeParse parses the file f names in one go.
func claudeParse(t *testing.T, f reel.SourceFile) *claudeRun {
	t.Helper()
	data, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewClaude().NewParser(f, nil)
	if err != nil {
		t.Fatalf("NewParser: %v", err)
	}
	lines := claudeLines(data)
	run := &claudeRun{errs: map[int64]error{}}
	claudeFeed(t, p, lines, 0, len(lines), run)
	run.session = p.Session()
	if run.state, err = p.State(); err != nil {
		t.Fatalf("State: %v", err)
	}
	return run
}

// claudeFile returns the SourceFile of a main-session transcript at path.
func claudeFile(path string) reel.SourceFile {
	return reel.SourceFile{
		Path:     path,
		Source:   reel.SourceClaudeCode,
		NativeID: strings.TrimSuffix(filepath.Base(path), ".jsonl"),
	}
}

// kinds counts the run's events by kind.
func (r *claudeRun) kinds() map[string]int {
	m := map[string]int{}
	for _, e := range r.events {
		m[e.Kind]++
	}
	return m
}

// tools counts the run's tool calls by tool name.
func (r *claudeRun) tools() map[string]int {
	m := map[string]int{}
	for _, e := range r.events {
		if e.Kind == reel.KindToolCall {
			m[e.Tool]++
		}
	}
	return m
}

// statuses returns the status of every record that is not RecordOK.
func (r *claudeRun) statuses() map[int64]string {
	m := map[int64]string{}
	for _, rec := range r.records {
		if rec.Status != reel.RecordOK {
			m[rec.Index] = rec.Status
		}
	}
	return m
}

// tokens sums the tokens of the run's events.
func (r *claudeRun) tokens() reel.Tokens {
	var sum reel.Tokens
	for _, e := range r.events {
		sum = sum.Add(e.Tokens)
	}
	return sum
}

// find returns the first event for which match is true.
func (r *claudeRun) find(t *testing.T, what string, match func(reel.Event) bool) reel.Event {
	t.Helper()
	for _, e := range r.events {
		if match(e) {
			return e
		}
	}
	t.Fatalf("no event is %s", what)
	return reel.Event{}
}

func TestClaude_Source(t *testing.T) {
	if got := NewClaude().Source(); got != reel.SourceClaudeCode {
		t.Errorf("Source() = %q, want %q", got, reel.SourceClaudeCode)
	}
}

// claudeWriteTree creates files (path → content) under root; a content
// of "/" makes a folder.
func claudeWriteTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if content == "/" {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// claudeDiscover collects what Discover finds under root.
func claudeDiscover(t *testing.T, root string) ([]reel.SourceFile, error) {
	t.Helper()
	var got []reel.SourceFile
	err := NewClaude().Discover(t.Context(), root, func(f reel.SourceFile) error {
		got = append(got, f)
		return nil
	})
	return got, err
}

func TestClaude_Discover(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		root := t.TempDir()
		outside := t.TempDir()
		claudeWriteTree(t, root, map[string]string{
			"-home-a-shop/s1.jsonl":                                "{}\n",
			"-home-a-shop/s2.jsonl":                                "{}\n",
			"-home-a-shop/agent-old1.jsonl":                        "{}\n",
			"-home-a-shop/notes.txt":                               "not a transcript",
			"-home-a-shop/.s3.jsonl":                               "hidden",
			"-home-a-shop/agent-.jsonl":                            "no id",
			"-home-a-shop/folder.jsonl/x":                          "a folder named like a transcript",
			"-home-a-shop/memory/MEMORY.md":                        "notes",
			"-home-a-shop/s1/subagents/agent-y2.jsonl":             "{}\n",
			"-home-a-shop/s1/subagents/agent-y1.jsonl":             "{}\n",
			"-home-a-shop/s1/subagents/agent-y1.meta.json":         `{"agentType":"Explore"}`,
			"-home-a-shop/s1/subagents/not-an-agent.jsonl":         "{}\n",
			"-home-a-shop/s1/subagents/workflows/r1/agent-w.jsonl": "{}\n",
			"-home-a-shop/s1/tool-results/t1.txt":                  "output",
			"-home-a-shop/s2/":                                     "/",
			"-home-b-api/b1.jsonl":                                 "{}\n",
			"stray.jsonl":                                          "{}\n",
			"-home-c-file":                                         "a file where a project folder would be",
			"-home-d-subagents-file/d1/subagents":                  "a file where the subagents folder would be",
		})
		claudeWriteTree(t, outside, map[string]string{"linked.jsonl": "{}\n"})
		if err := os.Symlink(outside, filepath.Join(root, "-home-e-linked")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, "-home-f-dangling")); err != nil {
			t.Fatal(err)
		}

		got, err := claudeDiscover(t, root)
		if err != nil {
			t.Fatalf("Discover: %v", err)
		}
		p := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
		sf := func(path, id, parent string) reel.SourceFile {
			return reel.SourceFile{Path: path, Source: reel.SourceClaudeCode, NativeID: id, ParentNativeID: parent}
		}
		want := []reel.SourceFile{
			sf(p("-home-a-shop/agent-old1.jsonl"), "agent-old1", ""),
			sf(p("-home-a-shop/s1.jsonl"), "s1", ""),
			sf(p("-home-a-shop/s2.jsonl"), "s2", ""),
			sf(p("-home-a-shop/s1/subagents/agent-y1.jsonl"), "agent-y1", "s1"),
			sf(p("-home-a-shop/s1/subagents/agent-y2.jsonl"), "agent-y2", "s1"),
			sf(p("-home-b-api/b1.jsonl"), "b1", ""),
			sf(p("-home-e-linked/linked.jsonl"), "linked", ""),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Discover found\n%v\nwant\n%v", got, want)
		}
	})

	t.Run("OKFixtures", func(t *testing.T) {
		// The upstream subagent fixture keeps its real layout.
		root := filepath.Join(claudeFixtures(t), "git-ai", "tests", "transcripts", "fixtures")
		got, err := claudeDiscover(t, root)
		if err != nil {
			t.Fatalf("Discover: %v", err)
		}
		want := []reel.SourceFile{{
			Path:           filepath.Join(root, "claude_subagent", "sess-parent-abc", "subagents", "agent-a1b2c3d4e5f6.jsonl"),
			Source:         reel.SourceClaudeCode,
			NativeID:       "agent-a1b2c3d4e5f6",
			ParentNativeID: "sess-parent-abc",
		}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Discover found %v, want %v", got, want)
		}
	})

	t.Run("OKMissingRoot", func(t *testing.T) {
		got, err := claudeDiscover(t, filepath.Join(t.TempDir(), "nope"))
		if err != nil || len(got) != 0 {
			t.Errorf("Discover = %v, %v; want no files and no error", got, err)
		}
	})

	t.Run("ErrRootIsFile", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "projects")
		claudeWriteTree(t, filepath.Dir(root), map[string]string{"projects": "x"})
		if _, err := claudeDiscover(t, root); err == nil {
			t.Error("Discover on a file: no error")
		}
	})

	t.Run("ErrCanceled", func(t *testing.T) {
		root := t.TempDir()
		claudeWriteTree(t, root, map[string]string{"p/s.jsonl": "{}\n"})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		calls := 0
		err := NewClaude().Discover(ctx, root, func(reel.SourceFile) error { calls++; return nil })
		if !errors.Is(err, context.Canceled) || calls != 0 {
			t.Errorf("Discover = %v after %d calls; want context.Canceled and none", err, calls)
		}
	})

	t.Run("ErrCallback", func(t *testing.T) {
		root := t.TempDir()
		claudeWriteTree(t, root, map[string]string{"p/s1.jsonl": "{}\n", "p/s2.jsonl": "{}\n"})
		stop := errors.New("stop")
		calls := 0
		err := NewClaude().Discover(t.Context(), root, func(reel.SourceFile) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("Discover = %v after %d calls; want the callback's error after 1", err, calls)
		}
	})
}

func TestClaude_NewParser(t *testing.T) {
	f := reel.SourceFile{Path: "/nowhere/s.jsonl", Source: reel.SourceClaudeCode, NativeID: "s"}
	tests := []struct {
		name  string
		state string
	}{
		{"ErrBrokenState", `{"v":1,"seen":`},
		{"ErrStateNotObject", `[1]`},
		{"ErrStateVersion", `{"v":99}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewClaude().NewParser(f, []byte(tt.state))
			if err == nil {
				t.Fatalf("NewParser accepted state %s: %v", tt.state, p)
			}
			if code := reel.ErrorCode(err); code != reel.ECORRUPT {
				t.Errorf("error code = %q, want %q (%v)", code, reel.ECORRUPT, err)
			}
		})
	}

	t.Run("OKEmptyState", func(t *testing.T) {
		p, err := NewClaude().NewParser(f, []byte{})
		if err != nil {
			t.Fatalf("NewParser: %v", err)
		}
		s := p.Session()
		want := reel.Session{Source: reel.SourceClaudeCode, NativeID: "s"}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("Session() = %+v, want %+v", s, want)
		}
	})
}

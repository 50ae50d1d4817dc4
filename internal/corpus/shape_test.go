package corpus_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/reel-sh/reel/internal/corpus"
	"github.com/reel-sh/reel/internal/testenv"
)

// shapes maps a record kind to the key sets seen for it, at each level
// that matters ("" for the record, "message", "usage", "block:text", ...).
type shapes map[string]map[string][]map[string]bool

func (s shapes) add(kind, level string, m map[string]any) {
	if s[kind] == nil {
		s[kind] = map[string][]map[string]bool{}
	}
	keys := map[string]bool{}
	for k := range m {
		keys[k] = true
	}
	s[kind][level] = append(s[kind][level], keys)
}

// recordShapes collects the shapes of the JSONL records in files.
func recordShapes(t *testing.T, files []string) shapes {
	t.Helper()
	s := shapes{}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			collectShape(s, rec)
		}
		f.Close()
	}
	return s
}

func collectShape(s shapes, rec map[string]any) {
	if p, ok := rec["payload"].(map[string]any); ok { // Codex
		kind := str(rec["type"]) + "/" + str(p["type"])
		s.add(kind, "", rec)
		s.add(kind, "payload", p)
		return
	}
	kind := str(rec["type"])
	msg, _ := rec["message"].(map[string]any)
	if msg == nil {
		s.add(kind, "", rec)
		return
	}
	blocks, _ := msg["content"].([]any)
	if len(blocks) > 0 {
		if b, ok := blocks[0].(map[string]any); ok && b["type"] == "tool_result" {
			kind += "/tool_result"
		}
	}
	s.add(kind, "", rec)
	s.add(kind, "message", msg)
	if u, ok := msg["usage"].(map[string]any); ok {
		s.add(kind, "usage", u)
	}
	for _, b := range blocks {
		if b, ok := b.(map[string]any); ok {
			s.add(kind, "block:"+str(b["type"]), b)
		}
	}
}

// TestGenerate_Shapes checks the generated records against real client
// files: for every kind and level that both have, each generated record
// uses only keys the clients write, and has every key the clients always
// write.
func TestGenerate_Shapes(t *testing.T) {
	fx := testenv.FixturesDir(t)
	dir, m := generate(t, corpus.Options{Events: 3000, Seed: 5})
	var ours []string
	for _, f := range m.SessionFiles {
		ours = append(ours, filepath.Join(dir, f.Path))
	}
	real := recordShapes(t, []string{
		filepath.Join(fx, "git-ai/tests/fixtures/example-claude-code.jsonl"),
		filepath.Join(fx, "git-ai/tests/fixtures/claude-code-with-thinking.jsonl"),
		filepath.Join(fx, "claude-code-log/representative_messages.jsonl"),
		filepath.Join(fx, "git-ai/tests/fixtures/codex-session-updated.jsonl"),
		filepath.Join(fx, "agentsview/internal/parser/testdata/traex/rollout_subagent.jsonl"),
	})
	gen := recordShapes(t, ours)

	compared := 0
	for kind, levels := range gen {
		for level, sets := range levels {
			realSets := real[kind][level]
			if len(realSets) == 0 {
				continue // the fixtures have no such record
			}
			compared++
			allowed, always := map[string]bool{}, map[string]bool{}
			for k := range realSets[0] {
				always[k] = true
			}
			for _, set := range realSets {
				for k := range set {
					allowed[k] = true
				}
				for k := range always {
					if !set[k] {
						delete(always, k)
					}
				}
			}
			for _, set := range sets {
				if extra := missing(set, allowed); len(extra) > 0 {
					t.Errorf("%s %s: keys %v that the client never writes", kind, level, extra)
					break
				}
				if lack := missing(always, set); len(lack) > 0 {
					t.Errorf("%s %s: lacks keys %v that the client always writes", kind, level, lack)
					break
				}
			}
		}
	}
	for _, kind := range []string{"user", "user/tool_result", "assistant", "summary", "file-history-snapshot",
		"session_meta/", "turn_context/", "response_item/message", "response_item/function_call",
		"response_item/function_call_output", "response_item/reasoning", "event_msg/token_count", "event_msg/user_message"} {
		if len(gen[kind]) == 0 {
			t.Errorf("no generated %s record", kind)
		}
	}
	if compared < 20 {
		t.Errorf("only %d kind/level pairs compared with the fixtures", compared)
	}
}

// missing returns the keys of a that b lacks, sorted.
func missing(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

package corpus_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/corpus"
)

// generate writes a small corpus into a new temporary folder.
func generate(t *testing.T, opt corpus.Options) (string, *corpus.Manifest) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "home")
	m, err := corpus.Generate(dir, opt)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir, m
}

// block is one event as a reader of the files sees it, found without the
// generator's help.
type block struct {
	file   string
	source string
	kind   string
	text   string
}

// scanned is what scanCorpus read.
type scanned struct {
	blocks  []block
	records map[string]int64 // per file
	events  map[string]int64 // per file
	bytes   map[string]int64
	raw     map[string][]byte
}

// scanCorpus reads every session file under root the way an importer
// would, checking that each line is a JSON object. A Codex event_msg that
// echoes a message is checked against it and not counted again.
func scanCorpus(t *testing.T, root string) *scanned {
	t.Helper()
	s := &scanned{records: map[string]int64{}, events: map[string]int64{}, bytes: map[string]int64{}, raw: map[string][]byte{}}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s.raw[rel] = data
		s.bytes[rel] = int64(len(data))
		source := reel.SourceClaudeCode
		if strings.HasPrefix(rel, ".codex/") {
			source = reel.SourceCodex
		}
		add := func(kind, text string) {
			s.blocks = append(s.blocks, block{file: rel, source: source, kind: kind, text: text})
			s.events[rel]++
		}
		var lastMessage string
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 16<<20)
		for n := 1; sc.Scan(); n++ {
			s.records[rel]++
			var rec map[string]any
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s:%d: not a JSON object: %v", rel, n, err)
			}
			if source == reel.SourceClaudeCode {
				scanClaude(t, rec, add)
				continue
			}
			p, _ := rec["payload"].(map[string]any)
			if rec["timestamp"] == nil || p == nil {
				t.Fatalf("%s:%d: not a Codex envelope", rel, n)
			}
			switch rec["type"].(string) + "/" + str(p["type"]) {
			case "response_item/message":
				text := str(p["content"].([]any)[0].(map[string]any)["text"])
				lastMessage = text
				if strings.HasPrefix(text, "<environment_context>") {
					add(reel.KindSystem, text)
				} else {
					add(reel.KindMessage, text)
				}
			case "response_item/reasoning":
				add(reel.KindReasoning, str(p["summary"].([]any)[0].(map[string]any)["text"]))
			case "response_item/function_call":
				add(reel.KindToolCall, str(p["arguments"]))
			case "response_item/function_call_output":
				add(reel.KindToolResult, str(p["output"]))
			case "event_msg/user_message", "event_msg/agent_message":
				if str(p["message"]) != lastMessage {
					t.Fatalf("%s:%d: event_msg does not echo the message before it", rel, n)
				}
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func scanClaude(t *testing.T, rec map[string]any, add func(kind, text string)) {
	t.Helper()
	switch rec["type"] {
	case "summary":
		add(reel.KindSummary, str(rec["summary"]))
	case "user", "assistant":
		content := rec["message"].(map[string]any)["content"]
		if s, ok := content.(string); ok {
			add(reel.KindMessage, s)
			return
		}
		for _, b := range content.([]any) {
			b := b.(map[string]any)
			switch b["type"] {
			case "text":
				add(reel.KindMessage, str(b["text"]))
			case "thinking":
				add(reel.KindReasoning, str(b["thinking"]))
			case "tool_use":
				in, _ := json.Marshal(b["input"])
				add(reel.KindToolCall, string(in))
			case "tool_result":
				add(reel.KindToolResult, str(b["content"]))
			default:
				t.Fatalf("unexpected block type %v", b["type"])
			}
		}
	case "file-history-snapshot":
	default:
		t.Fatalf("unexpected record type %v", rec["type"])
	}
}

func str(v any) string { s, _ := v.(string); return s }

func TestGenerate_OK(t *testing.T) {
	dir, m := generate(t, corpus.Options{Events: 4000, Seed: 3})
	s := scanCorpus(t, dir)

	t.Run("counts", func(t *testing.T) {
		kinds := map[string]int64{}
		bySource := map[string]int64{}
		for _, b := range s.blocks {
			kinds[b.kind]++
			bySource[b.source]++
		}
		if got := int64(len(s.blocks)); got != m.Events || got < 4000 {
			t.Errorf("events in files = %d, manifest says %d (asked 4000)", got, m.Events)
		}
		for k, n := range kinds {
			if m.EventsByKind[k] != n {
				t.Errorf("%s events = %d, manifest says %d", k, n, m.EventsByKind[k])
			}
		}
		for src, n := range bySource {
			if m.EventsBySource[src] != n {
				t.Errorf("%s events = %d, manifest says %d", src, n, m.EventsBySource[src])
			}
		}
		if kinds[reel.KindMessage] != m.MessageBlocks || m.Sessions[reel.SourceCodex] == 0 || m.Sessions[reel.SourceClaudeCode] == 0 {
			t.Errorf("messages = %d, manifest message blocks %d, sessions %v", kinds[reel.KindMessage], m.MessageBlocks, m.Sessions)
		}
		if len(m.SessionFiles) != len(s.raw) || m.Files != len(s.raw) {
			t.Fatalf("files = %d, manifest lists %d", len(s.raw), len(m.SessionFiles))
		}
		var records, size int64
		for _, f := range m.SessionFiles {
			if s.records[f.Path] != f.Records || s.events[f.Path] != f.Events || s.bytes[f.Path] != f.Bytes {
				t.Errorf("%s: records/events/bytes = %d/%d/%d, manifest %d/%d/%d", f.Path,
					s.records[f.Path], s.events[f.Path], s.bytes[f.Path], f.Records, f.Events, f.Bytes)
			}
			records += f.Records
			size += f.Bytes
		}
		if records != m.Records || size != m.Bytes {
			t.Errorf("records/bytes = %d/%d, manifest %d/%d", records, size, m.Records, m.Bytes)
		}
	})

	t.Run("needles", func(t *testing.T) {
		if len(m.Needles) < 10 {
			t.Fatalf("only %d needles", len(m.Needles))
		}
		kinds := map[string]bool{}
		for _, n := range m.Needles {
			kinds[n.Kind] = true
			got := map[string]int{}
			total, raw := 0, 0
			for _, b := range s.blocks {
				c := strings.Count(b.text, n.Term)
				if c == 0 {
					continue
				}
				if b.kind != reel.KindMessage {
					t.Errorf("%s is in a %s event", n.Term, b.kind)
				}
				if n.Kind != corpus.PrefixNeedle && c != 1 {
					t.Errorf("%s is %d times in one block", n.Term, c)
				}
				got[b.source]++
				total++
			}
			for _, data := range s.raw {
				raw += bytes.Count(data, []byte(n.Term))
			}
			// Claude Code writes a message once, Codex twice.
			if want := got[reel.SourceClaudeCode] + 2*got[reel.SourceCodex]; n.Kind != corpus.PrefixNeedle && raw != want {
				t.Errorf("%s occurs %d times in the files, want %d: it leaked outside its blocks", n.Term, raw, want)
			}
			if total != n.Count {
				t.Errorf("%s: %d blocks, manifest says %d", n.Query, total, n.Count)
			}
			for src, c := range n.BySource {
				if got[src] != c {
					t.Errorf("%s: %d %s blocks, manifest says %d", n.Query, got[src], src, c)
				}
			}
		}
		for _, k := range []string{corpus.TermNeedle, corpus.PhraseNeedle, corpus.PrefixNeedle} {
			if !kinds[k] {
				t.Errorf("no %s needle", k)
			}
		}
	})

	t.Run("vocabulary", func(t *testing.T) {
		// Word frequencies fall off steeply: the commonest term is in a
		// large share of the prose, and most words are rare.
		df := map[string]int{}
		prose := 0
		for _, b := range s.blocks {
			if b.kind != reel.KindMessage && b.kind != reel.KindReasoning {
				continue
			}
			prose++
			seen := map[string]bool{}
			for _, w := range strings.FieldsFunc(strings.ToLower(b.text), func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
			}) {
				if !seen[w] {
					seen[w] = true
					df[w]++
				}
			}
		}
		top := float64(df[m.CommonTerms[0].Text]) / float64(prose)
		if top < 0.15 || top > 0.6 {
			t.Errorf("top term %q is in %.0f%% of prose blocks, want 15-60%%", m.CommonTerms[0].Text, 100*top)
		}
		rare := 0
		for _, n := range df {
			if n <= 2 {
				rare++
			}
		}
		if float64(rare) < 0.4*float64(len(df)) {
			t.Errorf("%d of %d distinct words are in at most 2 blocks, want most", rare, len(df))
		}
		for _, p := range m.CommonPhrases {
			if !strings.Contains(p.Text, " ") || p.Events == 0 {
				t.Errorf("common phrase %+v", p)
			}
		}
		for _, p := range m.Prefixes {
			stem := strings.TrimSuffix(p, "*")
			n := 0
			for w := range df {
				if strings.HasPrefix(w, stem) {
					n++
				}
			}
			if n < 2 {
				t.Errorf("prefix %s matches %d distinct words, want several", p, n)
			}
		}
	})
}

func TestGenerate_Layout(t *testing.T) {
	end := time.Date(2025, 11, 3, 12, 0, 0, 0, time.UTC)
	dir, m := generate(t, corpus.Options{Events: 1500, Seed: 11, End: end, CodexShare: 0.5, Projects: 3})
	if !m.End.Equal(end) || !m.Start.Equal(end.Add(-corpus.DefaultSpan)) || len(m.Projects) != 3 {
		t.Fatalf("manifest start/end/projects = %v/%v/%v", m.Start, m.End, m.Projects)
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.SessionFiles {
		data, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		var first map[string]any
		for _, l := range lines {
			var rec map[string]any
			if err := json.Unmarshal(l, &rec); err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			if rec["timestamp"] != nil {
				first = rec
				break
			}
		}
		switch f.Source {
		case reel.SourceClaudeCode:
			want := ".claude/projects/" + strings.ReplaceAll(first["cwd"].(string), "/", "-") + "/" + first["sessionId"].(string) + ".jsonl"
			if f.Path != want || f.NativeID != first["sessionId"] {
				t.Errorf("claude file %s, want %s", f.Path, want)
			}
		case reel.SourceCodex:
			ts, _ := time.Parse(time.RFC3339, first["timestamp"].(string))
			meta := first["payload"].(map[string]any)
			want := ".codex/sessions/" + ts.Format("2006/01/02") + "/rollout-" + ts.Format("2006-01-02T15-04-05") + "-" + meta["id"].(string) + ".jsonl"
			if first["type"] != "session_meta" || f.Path != want || meta["cwd"] != f.Project {
				t.Errorf("codex file %s (first record %v), want %s", f.Path, first["type"], want)
			}
		}
		if f.Started.Before(m.Start) || f.Ended.After(m.End) || f.Ended.Before(f.Started) {
			t.Errorf("%s runs %v to %v, outside %v to %v", f.Path, f.Started, f.Ended, m.Start, m.End)
		}
		info, _ := os.Stat(filepath.Join(dir, f.Path))
		if !info.ModTime().Equal(f.Ended) {
			t.Errorf("%s: mtime %v, want the last record's time %v", f.Path, info.ModTime(), f.Ended)
		}
	}
	read, err := corpus.ReadManifest(dir)
	if err != nil || read.Events != m.Events || len(read.Needles) != len(m.Needles) {
		t.Fatalf("ReadManifest = %v, %v", read, err)
	}
}

func TestGenerate_Deterministic(t *testing.T) {
	opt := corpus.Options{Events: 2500, Seed: 42, Workers: 1}
	a, _ := generate(t, opt)
	opt.Workers = 4
	b, _ := generate(t, opt)
	filesA, filesB := readTree(t, a), readTree(t, b)
	if len(filesA) != len(filesB) {
		t.Fatalf("%d files vs %d", len(filesA), len(filesB))
	}
	for name, data := range filesA {
		if !bytes.Equal(data, filesB[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	opt.Seed = 43
	c, _ := generate(t, opt)
	if bytes.Equal(readTree(t, c)[corpus.ManifestName], filesA[corpus.ManifestName]) {
		t.Error("another seed gave the same corpus")
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		data, err := os.ReadFile(path)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerate_Err(t *testing.T) {
	tests := []struct {
		name string
		opt  corpus.Options
		code string
	}{
		{"ErrNoEvents", corpus.Options{}, reel.EINVALID},
		{"ErrCodexShare", corpus.Options{Events: 10, CodexShare: 1.5}, reel.EINVALID},
		{"ErrProjects", corpus.Options{Events: 10, Projects: 99}, reel.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := corpus.Generate(t.TempDir(), tt.opt)
			if reel.ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want code %s", err, tt.code)
			}
		})
	}
	t.Run("ErrNotEmpty", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "keep"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := corpus.Generate(dir, corpus.Options{Events: 10})
		if reel.ErrorCode(err) != reel.ECONFLICT {
			t.Fatalf("err = %v, want code %s", err, reel.ECONFLICT)
		}
	})
	t.Run("ErrNoManifest", func(t *testing.T) {
		_, err := corpus.ReadManifest(t.TempDir())
		if reel.ErrorCode(err) != reel.ENOTFOUND {
			t.Fatalf("err = %v, want code %s", err, reel.ENOTFOUND)
		}
	})
}

func TestGenerate_Tiny(t *testing.T) {
	// A corpus too small for needles is still valid.
	dir, m := generate(t, corpus.Options{Events: 1, Seed: 1})
	s := scanCorpus(t, dir)
	if m.Files != 1 || int64(len(s.blocks)) != m.Events || m.Events < 1 {
		t.Fatalf("files %d, events %d (scanned %d)", m.Files, m.Events, len(s.blocks))
	}
}

package evalset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// DefaultDistractors is the number of distractor sessions per story when
// Options.Distractors is 0.
const DefaultDistractors = 2

// End is the newest time in every corpus; sessions spread over the 90
// days before it, so a seed always gives the same bytes.
var End = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// Query classes.
const (
	ClassParaphrase  = "paraphrase"  // shares no content word with its target
	ClassIdentifier  = "identifier"  // a function, file, table or flag name
	ClassError       = "error"       // an exact error string from the output
	ClassCommand     = "command"     // words of a command that was run
	ClassDescription = "description" // a natural, half-remembered description
)

// Classes lists the query classes in report order.
var Classes = []string{ClassParaphrase, ClassIdentifier, ClassError, ClassCommand, ClassDescription}

// Options picks an evaluation corpus.
type Options struct {
	// Seed picks names, numbers, wording and times; the same options give
	// the same files and queries.
	Seed int64
	// Stories limits the corpus to the first Stories stories (0: all), for
	// small test corpora.
	Stories int
	// Distractors is the number of distractor sessions per story: routine
	// work on the same subject, sharing its vocabulary but not its
	// problem. 0 means DefaultDistractors; negative means none.
	Distractors int
}

// Session is one generated session file.
type Session struct {
	// ID is the session's id in a store (reel.SessionID of Source and
	// NativeID).
	ID       string `json:"id"`
	Source   string `json:"source"`
	NativeID string `json:"native_id"`
	// Story is the story the session tells; "" for a distractor.
	Story string `json:"story,omitempty"`
	// Path is the file, relative to the home folder.
	Path string `json:"path"`
	// Text holds every key and string of the session's records, one a
	// line, for checks of the queries against it.
	Text string `json:"-"`
}

// Query is one labelled search: Text as a user types it, and the sessions
// they want.
type Query struct {
	ID    string `json:"id"`
	Class string `json:"class"`
	Text  string `json:"text"`
	Story string `json:"story"`
	// Targets are the ids of the sessions that answer the query.
	Targets []string `json:"targets"`
}

// Set is a generated corpus with its labelled queries.
type Set struct {
	Seed     int64     `json:"seed"`
	Home     string    `json:"home"`
	Sessions []Session `json:"sessions"`
	Queries  []Query   `json:"queries"`
}

// Session returns the session with id, or false.
func (s *Set) Session(id string) (Session, bool) {
	for _, x := range s.Sessions {
		if x.ID == id {
			return x, true
		}
	}
	return Session{}, false
}

// StoryCount is the number of stories there are.
func StoryCount() int { return len(stories) }

// Generate writes the corpus of opts under home, laid out as the clients
// do (home/.claude/projects/... and home/.codex/sessions/...), and returns
// it with its queries. Files are 0600, folders 0700.
func Generate(home string, opts Options) (*Set, error) {
	n := len(stories)
	if opts.Stories > 0 && opts.Stories < n {
		n = opts.Stories
	}
	distract := opts.Distractors
	if distract == 0 {
		distract = DefaultDistractors
	}
	if distract < 0 {
		distract = 0
	}
	set := &Set{Seed: opts.Seed, Home: home}
	r := rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed_e7a1))
	start := End.Add(-90 * 24 * time.Hour)
	for i := range n {
		st := stories[i]
		sr := rand.New(rand.NewPCG(uint64(opts.Seed), uint64(i+1)))
		f := newSlotFiller(sr)
		sess, err := writeSession(home, sr, start.Add(time.Duration(r.Int64N(int64(89*24*time.Hour)))), storyScript(sr, f, st))
		if err != nil {
			return nil, err
		}
		sess.Story = st.key
		set.Sessions = append(set.Sessions, sess)
		for _, q := range []struct{ class, text string }{
			{ClassParaphrase, st.para}, {ClassIdentifier, f.fill(st.ident)}, {ClassError, f.fill(st.errStr)},
			{ClassCommand, f.fill(st.cmdQ)}, {ClassDescription, st.desc},
		} {
			set.Queries = append(set.Queries, Query{ID: st.key + "/" + q.class, Class: q.class, Text: q.text, Story: st.key, Targets: []string{sess.ID}})
		}
		for d := range distract {
			dr := rand.New(rand.NewPCG(uint64(opts.Seed), uint64(1_000_000+i*100+d)))
			sess, err := writeSession(home, dr, start.Add(time.Duration(r.Int64N(int64(89*24*time.Hour)))), distractorScript(dr, newSlotFiller(dr), st))
			if err != nil {
				return nil, err
			}
			set.Sessions = append(set.Sessions, sess)
		}
	}
	return set, nil
}

// turn is one exchange of a script: a prompt, then steps.
type turn struct {
	prompt string
	steps  []step
}

// step is an assistant text, optionally with one tool call and its result.
type step struct {
	text    string
	tool    string // "bash", "edit" or ""
	cmd     string // bash: the command
	file    string // edit: the file
	old     string
	new     string
	out     string
	isError bool
}

type script struct {
	project string
	turns   []turn
}

var (
	openers   = []string{"", "Hey, ", "Quick one: ", "Morning! ", "Need help: "}
	reproduce = []string{"Let me reproduce it first.", "I'll start by running the failing command.", "First I want to see the actual output.", "Running it to see what happens."}
	recheck   = []string{"Running it again to confirm.", "Checking that it passes now.", "Re-running the same command."}
	finals    = []string{"That fixed it; %s is updated and the check passes.", "Done: the change is in %s and the command now succeeds.", "All good now. I changed %s; the rerun is clean."}
	thanks    = []string{"Thanks! Please commit that.", "great, commit it", "Nice. Commit with a good message please.", "ok commit this"}
)

func storyScript(r *rand.Rand, f *slotFiller, st story) script {
	proj := f.fill("{proj}")
	file := f.fill(st.file)
	return script{project: proj, turns: []turn{
		{prompt: openers[r.IntN(len(openers))] + f.fill(pick(r, st.ask)), steps: []step{
			{text: reproduce[r.IntN(len(reproduce))], tool: "bash", cmd: f.fill(st.cmd), out: f.fill(st.out), isError: true},
			{text: f.fill(st.cause), tool: "edit", file: file, old: f.fill(st.old), new: f.fill(st.new), out: "The file " + file + " has been updated."},
			{text: recheck[r.IntN(len(recheck))], tool: "bash", cmd: f.fill(st.cmd), out: "exit status 0"},
			{text: fmt.Sprintf(finals[r.IntN(len(finals))], file)},
		}},
		{prompt: thanks[r.IntN(len(thanks))], steps: []step{
			{text: "Committing.", tool: "bash", cmd: "git add -A && git commit -m 'Fix " + strings.ReplaceAll(st.key, "-", " ") + "'", out: "[main " + f.fill("{hex}")[:7] + "] Fix " + strings.ReplaceAll(st.key, "-", " ") + "\n 1 file changed"},
		}},
	}}
}

// Distractor tasks: routine work on a story's subject.
var distractorAsks = []string{
	"Can you add unit tests around the {topic} code in {svc}? Coverage there is low.",
	"Please write a short README section explaining how the {topic} setup works for new people.",
	"Refactor the {topic} helpers in {svc} so they take a context and return wrapped errors.",
	"Rename the {svc} {topic} package to something clearer and update the imports.",
	"Review the {topic} changes on my branch before I open the pull request.",
	"Bump the dependencies used by the {topic} part of {svc} to their latest minor versions.",
	"Add structured logging to the {topic} code paths in {svc}.",
	"Write a design note comparing two options for the {topic} work planned next quarter.",
}

var distractorReplies = []string{
	"I added table tests for the {topic} code covering empty input, the happy path and a closed connection. They pass.",
	"I wrote the section: what the {topic} pieces are, how to run them locally, and where the configuration lives.",
	"The {topic} helpers now accept a context.Context first and wrap errors with the operation name.",
	"Renamed and updated every import; the build and the tests for {svc} are green.",
	"The {topic} changes look fine. Two nits: a missing doc comment and an unused variable.",
	"Bumped the minor versions; the changelogs mention nothing breaking for the {topic} code.",
	"Every {topic} path now logs the request id and duration at info level, errors at warn.",
	"The note weighs a managed option against running our own for {topic}, with cost and operational load.",
}

var distractorCmds = []string{"go test ./...", "npm test", "make lint", "go vet ./...", "git diff --stat main", "pytest -q"}

func distractorScript(r *rand.Rand, f *slotFiller, st story) script {
	f.vals["topic"] = st.topic
	i := r.IntN(len(distractorAsks))
	cmd := distractorCmds[r.IntN(len(distractorCmds))]
	file := f.fill(st.file)
	return script{project: f.fill("{proj}"), turns: []turn{
		{prompt: openers[r.IntN(len(openers))] + f.fill(distractorAsks[i]), steps: []step{
			{text: "Looking at the current code first.", tool: "bash", cmd: "ls " + filepath.Dir(file) + " && git log --oneline -5", out: filepath.Base(file) + "\n" + f.fill("{hex}")[:7] + " Update " + st.topic},
			{text: "Making the change.", tool: "edit", file: file, old: "// TODO", new: "// " + f.fill(distractorReplies[i]), out: "The file " + file + " has been updated."},
			{text: "Checking everything still passes.", tool: "bash", cmd: cmd, out: "ok\nexit status 0"},
			{text: f.fill(distractorReplies[i])},
		}},
	}}
}

// sessionWriter writes one session file as JSON lines and keeps its text.
type sessionWriter struct {
	r    *rand.Rand
	buf  bytes.Buffer
	now  time.Time
	text strings.Builder
	err  error
}

func (w *sessionWriter) emit(v any) {
	b, err := json.Marshal(v)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.buf.Write(b)
	w.buf.WriteByte('\n')
	w.keep(v)
}

// keep adds every key and string of v to the session's text: more than
// any importer indexes, so a check that a query shares no word with it is
// conservative.
func (w *sessionWriter) keep(v any) {
	switch x := v.(type) {
	case string:
		w.text.WriteString(x)
		w.text.WriteByte('\n')
	case map[string]any:
		for k, y := range x {
			w.keep(k)
			w.keep(y)
		}
	case []any:
		for _, y := range x {
			w.keep(y)
		}
	case []string:
		for _, y := range x {
			w.keep(y)
		}
	}
}

func (w *sessionWriter) tick(lo, hi time.Duration) string {
	w.now = w.now.Add(lo + time.Duration(w.r.Int64N(int64(hi-lo))))
	return w.now.UTC().Format("2006-01-02T15:04:05.000Z")
}

// writeSession writes sc as a Claude Code session (7 in 10) or a Codex
// rollout, starting at t.
func writeSession(home string, r *rand.Rand, t time.Time, sc script) (Session, error) {
	w := &sessionWriter{r: r, now: t}
	id := uuid4(r)
	cwd := "/home/dev/src/" + sc.project
	var rel, source string
	if r.IntN(10) < 7 {
		source = reel.SourceClaudeCode
		rel = filepath.Join(".claude", "projects", strings.ReplaceAll(cwd, "/", "-"), id+".jsonl")
		writeClaude(w, sc, id, cwd)
	} else {
		source = reel.SourceCodex
		rel = filepath.Join(".codex", "sessions", t.Format("2006/01/02"), "rollout-"+t.Format("2006-01-02T15-04-05")+"-"+id+".jsonl")
		writeCodex(w, sc, id, cwd)
	}
	if w.err != nil {
		return Session{}, fmt.Errorf("encode session %s: %w", id, w.err)
	}
	path := filepath.Join(home, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Session{}, fmt.Errorf("write session: %w", err)
	}
	if err := os.WriteFile(path, w.buf.Bytes(), 0o600); err != nil {
		return Session{}, fmt.Errorf("write session: %w", err)
	}
	return Session{ID: reel.SessionID(source, id), Source: source, NativeID: id, Path: filepath.ToSlash(rel), Text: w.text.String()}, nil
}

func writeClaude(w *sessionWriter, sc script, id, cwd string) {
	var parent any
	head := func(kind, uuid, ts string) map[string]any {
		m := map[string]any{"parentUuid": parent, "isSidechain": false, "userType": "external", "cwd": cwd,
			"sessionId": id, "version": "2.0.14", "gitBranch": "main", "type": kind, "uuid": uuid, "timestamp": ts}
		parent = uuid
		return m
	}
	for _, t := range sc.turns {
		m := head("user", uuid4(w.r), w.tick(20*time.Second, 6*time.Minute))
		m["message"] = map[string]any{"role": "user", "content": t.prompt}
		w.emit(m)
		for _, s := range t.steps {
			msgID := "msg_01" + uuid4(w.r)[:22]
			assistant := func(block any) {
				m := head("assistant", uuid4(w.r), w.tick(time.Second, 9*time.Second))
				m["requestId"] = "req_011C" + uuid4(w.r)[:20]
				m["message"] = map[string]any{"id": msgID, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
					"content": []any{block}, "stop_reason": nil, "stop_sequence": nil,
					"usage": map[string]any{"input_tokens": 4, "output_tokens": 120, "cache_read_input_tokens": 15000}}
				w.emit(m)
			}
			assistant(map[string]any{"type": "text", "text": s.text})
			if s.tool == "" {
				continue
			}
			callID := "toolu_01" + uuid4(w.r)[:22]
			var input map[string]any
			if s.tool == "bash" {
				input = map[string]any{"command": s.cmd, "description": "Run " + strings.Fields(s.cmd)[0]}
				assistant(map[string]any{"type": "tool_use", "id": callID, "name": "Bash", "input": input})
			} else {
				input = map[string]any{"file_path": cwd + "/" + s.file, "old_string": s.old, "new_string": s.new}
				assistant(map[string]any{"type": "tool_use", "id": callID, "name": "Edit", "input": input})
			}
			m := head("user", uuid4(w.r), w.tick(100*time.Millisecond, 20*time.Second))
			res := map[string]any{"tool_use_id": callID, "type": "tool_result", "content": s.out}
			if s.isError {
				res["is_error"] = true
			}
			m["message"] = map[string]any{"role": "user", "content": []any{res}}
			w.emit(m)
		}
	}
}

func writeCodex(w *sessionWriter, sc script, id, cwd string) {
	line := func(ts, typ string, payload any) {
		w.emit(map[string]any{"timestamp": ts, "type": typ, "payload": payload})
	}
	ts := w.tick(time.Millisecond, time.Second)
	line(ts, "session_meta", map[string]any{"id": id, "timestamp": ts, "cwd": cwd, "originator": "codex_cli_rs",
		"cli_version": "0.58.0", "source": "cli", "model_provider": "openai"})
	for n, t := range sc.turns {
		ts := w.tick(20*time.Second, 6*time.Minute)
		line(ts, "turn_context", map[string]any{"turn_id": fmt.Sprintf("turn-%d", n+1), "cwd": cwd, "approval_policy": "on-request",
			"sandbox_policy": map[string]any{"mode": "workspace-write"}, "model": "gpt-5-codex", "summary": "auto"})
		line(ts, "response_item", map[string]any{"type": "message", "role": "user", "content": []any{map[string]any{"type": "input_text", "text": t.prompt}}})
		line(ts, "event_msg", map[string]any{"type": "user_message", "message": t.prompt, "images": []string{}})
		for _, s := range t.steps {
			ts := w.tick(time.Second, 9*time.Second)
			line(ts, "response_item", map[string]any{"type": "message", "role": "assistant", "content": []any{map[string]any{"type": "output_text", "text": s.text}}})
			line(ts, "event_msg", map[string]any{"type": "agent_message", "message": s.text})
			if s.tool == "" {
				continue
			}
			callID := "call_" + uuid4(w.r)[:24]
			ts = w.tick(time.Second, 5*time.Second)
			exit := 0
			if s.isError {
				exit = 1
			}
			if s.tool == "bash" {
				args := codexJSON(struct {
					Command   []string `json:"command"`
					Workdir   string   `json:"workdir"`
					TimeoutMs int      `json:"timeout_ms"`
				}{[]string{"bash", "-lc", s.cmd}, cwd, 120000})
				line(ts, "response_item", map[string]any{"type": "function_call", "name": "shell", "arguments": args, "call_id": callID})
			} else {
				patch := "*** Begin Patch\n*** Update File: " + s.file + "\n@@\n-" + strings.ReplaceAll(s.old, "\n", "\n-") + "\n+" + strings.ReplaceAll(s.new, "\n", "\n+") + "\n*** End Patch"
				args := codexJSON(map[string]string{"input": patch})
				line(ts, "response_item", map[string]any{"type": "function_call", "name": "apply_patch", "arguments": args, "call_id": callID})
			}
			// Codex writes the output first, then the metadata.
			out := codexJSON(struct {
				Output   string `json:"output"`
				Metadata struct {
					ExitCode        int     `json:"exit_code"`
					DurationSeconds float64 `json:"duration_seconds"`
				} `json:"metadata"`
			}{Output: s.out, Metadata: struct {
				ExitCode        int     `json:"exit_code"`
				DurationSeconds float64 `json:"duration_seconds"`
			}{exit, 1.5}})
			line(w.tick(100*time.Millisecond, 20*time.Second), "response_item", map[string]any{"type": "function_call_output", "call_id": callID, "output": out})
		}
	}
}

// codexJSON encodes v as Codex does inside its records: compact, without
// escaping <, > and &.
func codexJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("evalset: " + err.Error()) // only fixed types come here
	}
	return strings.TrimSuffix(b.String(), "\n")
}

package ingest

import (
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// sessionMeta reads a session_meta line (or the bare meta line of the old
// format).
//
// Forks and replay: when Codex forks a thread (codex fork, editing an earlier
// prompt, a subagent spawned with the parent's context) the new rollout
// starts with its own session_meta (new id, forked_from_id or
// source.subagent.thread_spawn.parent_thread_id naming the parent) and then
// copies the parent's rollout into itself, beginning with the parent's own
// session_meta and, for a fork of a fork, the grandparent's. Every copied line
// is re-stamped with the fork time, so envelope timestamps cannot tell copy
// from new. Here a session_meta whose id is not the file's own starts the
// replay: it names the parent when the file's meta did not, and every line
// after it is kept as RecordDuplicate with reason "replayed from parent" and
// no events, because the parent's own file already yields them. The replay
// ends at the first sign of the fork's own activity (see replayEnds).
func (p *codexParser) sessionMeta(r *codexRecord, meta codexObj) []reel.Event {
	id := meta.str("id")
	if p.st.HasMeta {
		if id != "" && id != p.st.OwnID {
			if p.st.ParentID == "" {
				p.st.ParentID = reel.SessionID(reel.SourceCodex, id)
			}
			p.st.Replaying = true
			p.st.ReplayLast = r.time
			r.rec.Status, r.rec.Reason = reel.RecordDuplicate, "replayed from parent"
		}
		return nil
	}
	p.st.HasMeta = true
	if id != "" {
		p.st.OwnID = id
		p.st.NativeID = id
	}
	if t, ok := codexTime(meta.str("timestamp")); ok {
		// Creation may precede the line's own stamp: it widens the span
		// without moving the clock later lines fall back to.
		last := p.st.LastTime
		p.noteTime(t)
		p.st.LastTime = last
		if r.time.IsZero() { // the old format stamps no other line
			r.time, p.st.LastTime = t, t
		}
	}
	p.st.ForkAt = codexCreatedAt(id, meta.str("timestamp"), r.time)
	if cwd := meta.str("cwd"); cwd != "" {
		p.st.Project = cwd
	}
	if v := meta.str("cli_version"); v != "" {
		p.st.Client = v
	}
	if b := meta.obj("git").str("branch"); b != "" {
		p.st.GitBranch = b
	}
	if parent := codexMetaParent(meta); parent != "" {
		p.st.ParentID = reel.SessionID(reel.SourceCodex, parent)
	}
	var events []reel.Event
	for _, text := range []string{meta.str("instructions"), meta.obj("base_instructions").str("text")} {
		if strings.TrimSpace(text) != "" {
			events = append(events, r.event(reel.KindSystem, reel.RoleSystem, text))
		}
	}
	return events
}

// codexMetaParent returns the native id of the session a rollout was spawned
// or forked from: a subagent's thread_spawn parent first, then the newer
// parent_thread_id field, then forked_from_id.
func codexMetaParent(meta codexObj) string {
	if id := meta.obj("source").obj("subagent").obj("thread_spawn").str("parent_thread_id"); id != "" {
		return id
	}
	if id := meta.str("parent_thread_id"); id != "" {
		return id
	}
	return meta.str("forked_from_id")
}

// codexCreatedAt returns when a session was created, in Unix milliseconds:
// from its id when that is a UUIDv7 (Codex mints thread ids that way), else
// from the meta timestamp, else from the line's.
func codexCreatedAt(id, stamp string, line time.Time) int64 {
	if ms, ok := codexUUIDv7Millis(id); ok {
		return ms
	}
	if t, ok := codexTime(stamp); ok {
		return t.UnixMilli()
	}
	if !line.IsZero() {
		return line.UnixMilli()
	}
	return 0
}

// codexReplayGap is the pause that ends a copied history when no turn id
// tells: the copy is written in one burst, and the fork's own first turn
// comes when its user (or program) acts.
const codexReplayGap = 3 * time.Second

// replayEnds reports whether a line inside a replayed ancestor history is in
// fact the fork's own. Turn ids are UUIDv7 values minted when the turn first
// ran, so a copied turn predates the fork and the fork's own first turn does
// not: a turn_context or task_started whose turn id is at or after the fork's
// creation ends the replay. Old task_started events with other ids carry
// started_at, compared the same way. Lines too old to carry either end it
// after a pause of codexReplayGap.
func (p *codexParser) replayEnds(typ string, payload codexObj, t time.Time, hasTime bool) bool {
	if hasTime && !p.st.ReplayLast.IsZero() && t.Sub(p.st.ReplayLast) > codexReplayGap {
		return true
	}
	if hasTime {
		p.st.ReplayLast = t
	}
	var turnID string
	started := false
	switch typ {
	case "turn_context":
		turnID = payload.str("turn_id")
	case "event_msg":
		switch payload.str("type") {
		case "task_started", "turn_started":
			turnID, started = payload.str("turn_id"), true
		}
	}
	if p.st.ForkAt == 0 {
		return false
	}
	if ms, ok := codexUUIDv7Millis(turnID); ok {
		return ms >= p.st.ForkAt
	}
	if started {
		if at, ok := payload.int("started_at"); ok && at > 0 {
			if at < 1e11 { // seconds, not milliseconds
				at *= 1000
			}
			return at >= p.st.ForkAt
		}
	}
	return false
}

// codexUUIDv7Millis returns the Unix milliseconds a UUIDv7 was minted at.
func codexUUIDv7Millis(id string) (int64, bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[14] != '7' {
		return 0, false
	}
	var ms int64
	for _, c := range id[:8] + id[9:13] {
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case c >= 'a' && c <= 'f':
			d = int64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = int64(c-'A') + 10
		default:
			return 0, false
		}
		ms = ms<<4 | d
	}
	return ms, true
}

// turnContext reads the settings Codex records at each turn: the model, and
// the working directory when the session meta had none.
func (p *codexParser) turnContext(tc codexObj) {
	if m := tc.str("model"); m != "" {
		p.st.Model = m
	}
	if cwd := tc.str("cwd"); cwd != "" && p.st.Project == "" {
		p.st.Project = cwd
	}
}

// compacted reads the summary Codex writes when it compacts the context.
// Its replacement_history repeats earlier user messages and is not indexed
// again.
func (p *codexParser) compacted(r *codexRecord, c codexObj) []reel.Event {
	return []reel.Event{r.event(reel.KindSummary, reel.RoleSystem, c.str("message"))}
}

// codexUsage is a Codex token counter as Codex keeps it: input includes the
// cached input, and output includes the reasoning output.
type codexUsage struct {
	Input     int64 `json:"in"`
	Cached    int64 `json:"cached"`
	Output    int64 `json:"out"`
	Reasoning int64 `json:"reasoning"`
}

func codexUsageOf(o codexObj) (codexUsage, bool) {
	if o == nil {
		return codexUsage{}, false
	}
	var u codexUsage
	u.Input, _ = o.int("input_tokens")
	u.Cached, _ = o.int("cached_input_tokens")
	if u.Cached == 0 {
		u.Cached, _ = o.int("cache_read_input_tokens")
	}
	u.Output, _ = o.int("output_tokens")
	u.Reasoning, _ = o.int("reasoning_output_tokens")
	return u, true
}

// tokens converts u so that every token is counted once: reel's Input is
// the uncached input and its Output excludes reasoning.
func (u codexUsage) tokens() reel.Tokens {
	return reel.Tokens{
		Input:     max(0, u.Input-u.Cached),
		CacheRead: max(0, u.Cached),
		Output:    max(0, u.Output-u.Reasoning),
		Reasoning: max(0, u.Reasoning),
	}
}

// since returns what u added to prev. A counter that went down was reset
// (a fresh child after a replayed parent, for example), so all of u is new.
func (u codexUsage) since(prev *codexUsage) codexUsage {
	if prev == nil || u.Input < prev.Input || u.Cached < prev.Cached ||
		u.Output < prev.Output || u.Reasoning < prev.Reasoning {
		return u
	}
	return codexUsage{
		Input:     u.Input - prev.Input,
		Cached:    u.Cached - prev.Cached,
		Output:    u.Output - prev.Output,
		Reasoning: u.Reasoning - prev.Reasoning,
	}
}

// tokenCount reads a token_count event. info.total_token_usage is
// cumulative over the session (and, in a fork, continues from the parent's
// total), and Codex repeats it unchanged when only rate limits changed. So
// each turn's tokens are the growth of that total since the previous
// token_count, replayed ones included: a session's Tokens and the sum of its
// events' Tokens both count each model response once, and a fork does not
// count its parent's. Each growth is put on one system event with no text.
// Before info existed the event carried one turn's usage at its top level;
// that is counted as it is.
func (p *codexParser) tokenCount(r *codexRecord, tc codexObj, replayed bool) []reel.Event {
	var delta codexUsage
	if info := tc.obj("info"); info != nil {
		total, ok := codexUsageOf(info.obj("total_token_usage"))
		if !ok {
			return nil
		}
		delta = total.since(p.st.Usage)
		p.st.Usage = &total
	} else if _, flat := tc["input_tokens"]; flat {
		delta, _ = codexUsageOf(tc)
	} else {
		return nil
	}
	tokens := delta.tokens()
	if replayed || tokens.IsZero() {
		return nil
	}
	p.st.Tokens = p.st.Tokens.Add(tokens)
	ev := r.event(reel.KindSystem, reel.RoleSystem, "")
	ev.Tokens = tokens
	ev.Model = p.st.Model
	return []reel.Event{ev}
}

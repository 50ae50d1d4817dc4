package ingest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// geminiMsg is the context one message's events are built in.
type geminiMsg struct {
	r    *geminiRecord
	seen *geminiSeen
	id   string
	time time.Time
}

func (c *geminiMsg) event(kind, role, text string) reel.Event {
	return reel.Event{Time: c.time, Kind: kind, Role: role, Text: text, NativeID: c.id, RawIndex: c.r.rec.Index}
}

// message reads one message and appends the events of what is new in it.
// The CLI appends a message again, whole, each time it changes it (tool
// calls added, their results in, token counts known); its own loader keeps
// the last copy in the first one's place. reel's events only grow, so a
// copy emits what its earlier copies did not, and one that adds nothing is
// a duplicate.
func (p *geminiParser) message(r *geminiRecord, m codexObj, raw []byte) (status, reason string) {
	id := m.str("id")
	typ := m.str("type")
	ts, hasTime := codexTime(m.str("timestamp"))
	s := p.seen(id)
	repeat := s != nil
	if s == nil {
		if p.markIndex(id) >= 0 || (p.st.Evicted && hasTime && !ts.After(p.st.LastMsg)) {
			// An old message written again, past the window of what
			// reel remembers having emitted for it.
			return reel.RecordDuplicate, "re-writes message " + claudeClip(id, claudeTypeRunes)
		}
		at := p.at(r)
		p.addMark(geminiMark{ID: id, User: typ == "user", At: at, Tokens: geminiPackTokens(p.st.Tokens)})
		s = p.addSeen(geminiSeen{ID: id, At: at})
	}
	if hasTime {
		p.noteTime(ts)
		if ts.After(p.st.LastMsg) {
			p.st.LastMsg = ts.UTC()
		}
	} else {
		ts = p.st.LastMsg
	}
	c := &geminiMsg{r: r, seen: s, id: id, time: ts}
	before := len(r.out)
	switch typ {
	case "user":
		p.userMessage(c, m)
	case "gemini":
		p.modelMessage(c, m)
	case "info", "warning", "error":
		if text := geminiContentText(m["content"]); !s.Text && strings.TrimSpace(text) != "" {
			s.Text = true
			ev := c.event(reel.KindSystem, reel.RoleSystem, text)
			ev.IsError = typ == "error"
			r.out = append(r.out, ev)
		}
	default:
		status, reason = reel.RecordUnknown, fmt.Sprintf("unknown message type %q", claudeClip(typ, claudeTypeRunes))
		if typ == "" {
			reason = "message has no type"
		}
		if text := geminiOtherText(raw); !s.Text && text != "" {
			s.Text = true
			r.out = append(r.out, c.event(reel.KindOther, "", text))
		}
		return status, reason
	}
	if repeat && len(r.out) == before {
		return reel.RecordDuplicate, "repeats message " + claudeClip(id, claudeTypeRunes)
	}
	return reel.RecordOK, ""
}

// userMessage emits what the user sent. The title is taken from what the
// user typed (displayContent), before the CLI expanded @file references.
func (p *geminiParser) userMessage(c *geminiMsg, m codexObj) {
	text := geminiContentText(m["content"])
	if c.seen.Text || strings.TrimSpace(text) == "" {
		return
	}
	c.seen.Text = true
	if p.st.Title == "" {
		typed := geminiContentText(m["displayContent"])
		if strings.TrimSpace(typed) == "" {
			typed = text
		}
		p.st.Title, p.st.TitleAt = claudeTitle(typed), p.at(c.r)
	}
	c.r.out = append(c.r.out, c.event(reel.KindMessage, reel.RoleUser, text))
}

// modelMessage emits what a model response added since its last copy:
// thoughts, text, tool calls and their results, and its token counts.
func (p *geminiParser) modelMessage(c *geminiMsg, m codexObj) {
	r, s := c.r, c.seen
	if model := m.str("model"); model != "" {
		p.st.Model = model
	}
	first := len(r.out)
	assistant := func(kind, text string) {
		ev := c.event(kind, reel.RoleAssistant, text)
		ev.MessageID, ev.Model = c.id, p.st.Model
		r.out = append(r.out, ev)
	}
	if thoughts := m.list("thoughts"); len(thoughts) > s.Thoughts {
		var parts []string
		for _, t := range thoughts[s.Thoughts:] {
			if text := geminiThoughtText(codexDecode(t)); text != "" {
				parts = append(parts, text)
			}
		}
		s.Thoughts = len(thoughts)
		if len(parts) > 0 {
			assistant(reel.KindReasoning, strings.Join(parts, "\n\n"))
		}
	}
	text := -1
	if t := geminiContentText(m["content"]); !s.Text && strings.TrimSpace(t) != "" {
		s.Text, text = true, len(r.out)
		assistant(reel.KindMessage, t)
	}
	for i, raw := range m.list("toolCalls") {
		call := codexDecode(raw)
		if call == nil {
			continue
		}
		key := call.str("id")
		if key == "" {
			key = "#" + strconv.Itoa(i)
		}
		if !slices.Contains(s.Calls, key) {
			s.Calls = append(s.Calls, key)
			r.out = append(r.out, p.toolCall(c, call))
		}
		if !slices.Contains(s.Results, key) {
			if ev, ok := p.toolResult(c, call); ok {
				s.Results = append(s.Results, key)
				r.out = append(r.out, ev)
			}
		}
	}
	if s.Counted {
		return
	}
	tok, ok := geminiTokens(m.obj("tokens"))
	if !ok {
		return
	}
	s.Counted = true
	p.st.Tokens = p.st.Tokens.Add(tok)
	// The counts belong on the response's text; a copy that adds only
	// them has no event of its own, and they count for the session alone.
	if text < 0 && len(r.out) > first {
		text = first
	}
	if text >= 0 {
		r.out[text].Tokens = tok
	}
}

// toolCall makes the event of one tool call.
func (p *geminiParser) toolCall(c *geminiMsg, call codexObj) reel.Event {
	name := call.str("name")
	ev := c.event(reel.KindToolCall, reel.RoleAssistant, geminiCallText(call["args"], call.str("description")))
	ev.Tool, ev.CallID, ev.MessageID, ev.Model = name, call.str("id"), c.id, p.st.Model
	if args := call["args"]; len(args) > 0 && string(args) != "null" {
		ev.Input = claudeCleanJSON(args)
	}
	if t, ok := codexTime(call.str("timestamp")); ok {
		ev.Time = t
	}
	return ev
}

// toolResult makes the event of a tool call's result, once the call has
// one: its result parts, what the CLI displayed, or a final status.
func (p *geminiParser) toolResult(c *geminiMsg, call codexObj) (reel.Event, bool) {
	status := call.str("status")
	text, isErr := geminiResultText(call["result"])
	if strings.TrimSpace(text) == "" {
		text = geminiDisplayText(call["resultDisplay"])
	}
	hasResult := len(call["result"]) > 0 && string(call["result"]) != "null"
	switch {
	case status == "error" || status == "cancelled":
		if strings.TrimSpace(text) == "" {
			text = status
		}
	case !hasResult && strings.TrimSpace(text) == "":
		return reel.Event{}, false
	}
	ev := c.event(reel.KindToolResult, reel.RoleTool, text)
	ev.Tool, ev.CallID, ev.MessageID = call.str("name"), call.str("id"), c.id
	ev.IsError = isErr || status == "error"
	if t, ok := codexTime(call.str("timestamp")); ok {
		ev.Time = t
	}
	return ev, true
}

// geminiTokens reads a message's token counts. The prompt count includes
// the cached part, which reel counts apart; the tool-use prompt is input
// too, and thoughts are reasoning.
func geminiTokens(t codexObj) (reel.Tokens, bool) {
	if t == nil {
		return reel.Tokens{}, false
	}
	input, _ := t.int("input")
	output, _ := t.int("output")
	cached, _ := t.int("cached")
	thoughts, _ := t.int("thoughts")
	tool, _ := t.int("tool")
	tok := reel.Tokens{
		Input:     max(0, input-max(0, cached)) + max(0, tool),
		Output:    max(0, output),
		CacheRead: max(0, cached),
		Reasoning: max(0, thoughts),
	}
	return tok, !tok.IsZero()
}

// geminiDisplayText renders what the CLI displayed for a tool's result: a
// string, or a file diff.
func geminiDisplayText(raw json.RawMessage) string {
	if s := codexStr(raw); s != "" {
		return s
	}
	d := codexDecode(raw)
	if d == nil {
		return ""
	}
	if diff := d.str("fileDiff"); diff != "" {
		return diff
	}
	return codexCollectText(raw)
}

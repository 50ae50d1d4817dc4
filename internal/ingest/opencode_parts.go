package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// A message's content is its parts (message-v2.ts), each of one type:
//
//	text        text, synthetic, ignored, time{start, end}
//	reasoning   text, time
//	tool        callID, tool, state{status, input, output | error,
//	            title, metadata, time{start, end}}; status is pending,
//	            running, completed or error
//	step-start  snapshot: one model call begins
//	step-finish reason, cost, tokens: one model call ends
//	file        mime, filename, url, source
//	patch       hash, files
//	snapshot    snapshot
//	agent       name
//	subtask     prompt, description, agent
//	retry       attempt, error
//	compaction  auto

// opencodePartCtx is what a part's events share.
type opencodePartCtx struct {
	r     *opencodeRecord
	role  string
	model string
	time  time.Time
}

func (c *opencodePartCtx) event(kind, role, text string) reel.Event {
	ev := c.r.event(kind, role, text, c.time)
	ev.MessageID, ev.NativeID, ev.Model = c.r.msgID, c.r.id, c.model
	return ev
}

// part reads one part of the current message.
func (p *opencodeParser) part(r *opencodeRecord) []reel.Event {
	o := r.obj
	typ := o.str("type")
	r.rec.Type = "part"
	if typ != "" {
		r.rec.Type = "part/" + typ
	}
	c := &opencodePartCtx{r: r, time: p.st.Msg.Last}
	if r.msgID != "" && r.msgID == p.st.Msg.ID {
		c.role, c.model = p.st.Msg.Role, p.st.Msg.Model
		if c.role == "user" {
			c.model = "" // the model the user asked for; it wrote nothing
		}
	}
	if t := opencodeMillis(o.obj("time"), "start"); !t.IsZero() {
		c.time = t
	}
	events := p.partEvents(c, typ)
	for _, e := range events {
		p.noteTime(e.Time)
		if e.Time.After(p.st.Msg.Last) {
			p.st.Msg.Last = e.Time
		}
	}
	return events
}

// partEvents returns the events of a part of type typ.
func (p *opencodeParser) partEvents(c *opencodePartCtx, typ string) []reel.Event {
	o, r := c.r.obj, c.r
	switch typ {
	case "text":
		return p.textPart(c)
	case "reasoning":
		if text := o.str("text"); strings.TrimSpace(text) != "" {
			return []reel.Event{c.event(reel.KindReasoning, reel.RoleAssistant, text)}
		}
		return nil
	case "tool":
		return opencodeToolPart(c)
	case "step-finish":
		return p.stepFinish(c)
	case "step-start", "snapshot":
		return nil
	case "file":
		return opencodeNotice(c, opencodeFileText(o))
	case "patch":
		files := codexStrings(o["files"])
		return opencodeNotice(c, strings.TrimSpace("patch "+o.str("hash")+"\n"+strings.Join(files, "\n")))
	case "agent":
		return opencodeNotice(c, "@"+o.str("name"))
	case "subtask":
		return opencodeNotice(c, strings.TrimSpace(o.str("description")+"\n"+o.str("prompt")))
	case "retry":
		e := o.obj("error")
		text := e.obj("data").str("message")
		if text == "" {
			text = e.str("name")
		}
		attempt, _ := o.int("attempt")
		ev := c.event(reel.KindSystem, reel.RoleSystem, fmt.Sprintf("retry %d: %s", attempt, text))
		ev.IsError = true
		return []reel.Event{ev}
	case "compaction":
		text := "conversation compacted"
		if string(o["auto"]) == "true" {
			text += " automatically"
		}
		return []reel.Event{c.event(reel.KindSummary, reel.RoleSystem, text)}
	}
	return p.unknown(r, r.rec.Type, r.raw, fmt.Sprintf("unknown part type %q", typ))
}

// textPart reads a text part: the words of a message. Text opencode made
// itself (synthetic: a file's contents, a tool's output it inlined) or
// left out of the model's context (ignored) is a system notice; the text
// of a summary message is the summary.
func (p *opencodeParser) textPart(c *opencodePartCtx) []reel.Event {
	o := c.r.obj
	text := o.str("text")
	if strings.TrimSpace(text) == "" {
		return nil
	}
	kind := reel.KindMessage
	switch {
	case string(o["synthetic"]) == "true" || string(o["ignored"]) == "true":
		kind = reel.KindSystem
	case c.role == "assistant" && p.st.Msg.Summary:
		kind = reel.KindSummary
	case c.role == "user" && p.st.Prompt == "":
		p.st.Prompt = claudeTitle(text)
	}
	return []reel.Event{c.event(kind, c.role, text)}
}

// stepFinish counts one model call's tokens, on an event of their own:
// the call's text and tools were read before the step's end was.
func (p *opencodeParser) stepFinish(c *opencodePartCtx) []reel.Event {
	tokens := opencodeTokens(c.r.obj.obj("tokens"))
	if tokens.IsZero() || c.r.msgID == p.st.Msg.ID && p.st.Msg.Counted {
		return nil
	}
	p.st.Tokens = p.st.Tokens.Add(tokens)
	ev := c.event(reel.KindSystem, reel.RoleSystem, "")
	ev.Tokens = tokens
	return []reel.Event{ev}
}

// opencodeToolPart reads a tool part: the call, and its result once the
// tool completed or failed.
func opencodeToolPart(c *opencodePartCtx) []reel.Event {
	o := c.r.obj
	tool, callID := o.str("tool"), o.str("callID")
	if callID == "" {
		callID = c.r.id
	}
	state := o.obj("state")
	status := state.str("status")
	c.r.rec.Type = "part/tool"
	times := state.obj("time")
	start, end := opencodeMillis(times, "start"), opencodeMillis(times, "end")
	call := c.event(reel.KindToolCall, reel.RoleAssistant, "")
	call.Tool, call.CallID = tool, callID
	if !start.IsZero() {
		call.Time = start
	}
	if raw := state["input"]; len(raw) > 0 && raw[0] == '{' {
		call.Input = opencodeCompact(raw)
		call.Text = claudeRenderInput(raw)
	}
	if call.Text == "" {
		call.Text = tool
	}
	events := []reel.Event{call}
	var text string
	switch status {
	case "completed":
		text = state.str("output")
	case "error":
		text = state.str("error")
	default:
		return events // pending or running: no result yet
	}
	res := c.event(reel.KindToolResult, reel.RoleTool, text)
	res.Tool, res.CallID, res.Model = tool, callID, ""
	res.IsError = status == "error"
	if !end.IsZero() {
		res.Time = end
		if !start.IsZero() && end.After(start) {
			res.Duration = end.Sub(start)
		}
	}
	if exit, ok := state.obj("metadata").int("exit"); ok && exit >= -1<<31 && exit < 1<<31 {
		code := int(exit)
		res.ExitCode = &code
	}
	return append(events, res)
}

// opencodeCompact returns JSON from a pretty-printed file as valid UTF-8
// JSON on one line.
func opencodeCompact(raw []byte) json.RawMessage {
	clean := claudeCleanJSON(raw)
	var b bytes.Buffer
	if json.Compact(&b, clean) != nil {
		return clean
	}
	return b.Bytes()
}

// opencodeNotice returns a system notice of the message's role.
func opencodeNotice(c *opencodePartCtx, text string) []reel.Event {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return []reel.Event{c.event(reel.KindSystem, c.role, text)}
}

// opencodeFileText names an attached file: its path or name, and its type;
// an inline data: URL is not text to keep.
func opencodeFileText(o codexObj) string {
	name := o.obj("source").str("path")
	if name == "" {
		name = o.str("filename")
	}
	if url := o.str("url"); name == "" && !strings.HasPrefix(url, "data:") {
		name = url
	}
	if mime := o.str("mime"); mime != "" {
		return strings.TrimSpace(name + " (" + mime + ")")
	}
	return name
}

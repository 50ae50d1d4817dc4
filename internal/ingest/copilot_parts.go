package ingest

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/reel-sh/reel"
)

// copilotSilentParts are response part kinds with nothing to read: editor
// bookkeeping around edits, tools and MCP servers.
var copilotSilentParts = map[string]bool{
	"codeblockUri":                  true,
	"undoStop":                      true,
	"mcpServersStarting":            true,
	"prepareToolInvocation":         true,
	"clearToPreviousToolInvocation": true,
}

// copilotNoticeParts are response part kinds the editor shows around the
// answer: progress, warnings, confirmations, buttons.
var copilotNoticeParts = map[string]bool{
	"progressMessage":        true,
	"progressTaskSerialized": true,
	"warning":                true,
	"info":                   true,
	"confirmation":           true,
	"elicitationSerialized":  true,
	"command":                true,
	"extensions":             true,
	"pullRequest":            true,
	"hook":                   true,
	"treeData":               true,
	"multiDiffData":          true,
	"workspaceEdit":          true,
	"questionCarousel":       true,
	"disabledClaudeHooks":    true,
}

// copilotSkipKeys hold ids, kinds and display flags that Copilot's records
// and VS Code's response parts carry beside their text.
var copilotSkipKeys = func() map[string]bool {
	m := map[string]bool{
		"kind": true, "$mid": true, "scheme": true, "external": true, "uris": true,
		"supportThemeIcons": true, "supportHtml": true, "supportAlertSyntax": true, "isTrusted": true,
		"toolCallId": true, "toolId": true, "turnId": true, "interactionId": true, "reasoningId": true,
		"hookInvocationId": true, "parentToolCallId": true, "apiCallId": true, "producer": true,
		"parentId": true,
	}
	for k := range claudeSkipKeys {
		m[k] = true
	}
	return m
}()

// copilotGatherText returns the human text of a JSON value, as
// claudeGatherText does, leaving out copilotSkipKeys.
func copilotGatherText(raw []byte) string {
	var b strings.Builder
	w := claudeWalker{skip: copilotSkipKeys}
	w.walk(raw, func(v string, isString bool) bool {
		if !isString || w.under() || !claudeIsText(v) {
			return true
		}
		v = strings.TrimSpace(v)
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		if room := claudeGatherLimit - b.Len(); len(v) > room {
			b.WriteString(claudeCutBytes(v, room))
			b.WriteString("…")
			return false
		}
		b.WriteString(v)
		return true
	})
	return b.String()
}

// copilotParts maps a response from its parts, in the order the editor
// shows them: consecutive markdown (with the names of the files it links
// inline) makes one assistant message, and thinking, tool invocations and
// edits come between.
func copilotParts(c *copilotChatCtx, parts []json.RawMessage) {
	var text, thinking strings.Builder
	flushText := func() {
		// A code fence alone opens or closes the block an edit is shown in.
		if s := text.String(); strings.Trim(s, "` \t\r\n") != "" {
			c.add(reel.KindMessage, reel.RoleAssistant, s)
		}
		text.Reset()
	}
	flushThinking := func() {
		if s := strings.TrimSpace(thinking.String()); s != "" {
			c.add(reel.KindReasoning, reel.RoleAssistant, s)
		}
		thinking.Reset()
	}
	for _, raw := range parts {
		o := codexDecode(raw)
		if o == nil {
			continue
		}
		kind := o.str("kind")
		switch {
		case kind == "" || kind == "markdownContent" || kind == "markdownVuln":
			flushThinking()
			if kind == "" {
				text.WriteString(o.str("value"))
			} else {
				text.WriteString(copilotText(o["content"]))
			}
			continue
		case kind == "inlineReference":
			flushThinking()
			text.WriteString(copilotReferenceName(o))
			continue
		case kind == "thinking":
			flushText()
			if t := copilotThinking(o["value"]); t != "" {
				if thinking.Len() > 0 {
					thinking.WriteByte('\n')
				}
				thinking.WriteString(t)
			}
			continue
		case copilotSilentParts[kind]:
			continue
		}
		flushText()
		flushThinking()
		switch {
		case kind == "toolInvocationSerialized" || kind == "toolInvocation":
			copilotInvocation(c, o)
		case kind == "textEditGroup" || kind == "notebookEditGroup":
			if s := copilotEditText(o); s != "" {
				c.add(reel.KindSystem, reel.RoleAssistant, s)
			}
		case copilotNoticeParts[kind]:
			if s := copilotGatherText(raw); s != "" {
				c.add(reel.KindSystem, reel.RoleAssistant, s)
			}
		default:
			// A part kind from a newer editor: keep what it says.
			if s := copilotGatherText(raw); s != "" {
				c.add(reel.KindOther, reel.RoleAssistant, s)
			}
		}
	}
	flushText()
	flushThinking()
}

// copilotReferenceName returns how an inline file reference reads in the
// answer: its name, or its file's base name.
func copilotReferenceName(o codexObj) string {
	if n := o.str("name"); n != "" {
		return n
	}
	ref := o.obj("inlineReference")
	if n := ref.str("name"); n != "" {
		return n
	}
	for _, u := range []codexObj{ref, ref.obj("uri"), ref.obj("location").obj("uri")} {
		for _, k := range []string{"fsPath", "path"} {
			if p := u.str(k); p != "" {
				return path.Base(strings.ReplaceAll(p, "\\", "/"))
			}
		}
	}
	return ""
}

// copilotInvocation maps a tool invocation part to a tool call and, once
// the tool is done, its result. What the tool was given and what it gave
// back sit in toolSpecificData (a terminal command and its output, raw
// input) or resultDetails (input and output of MCP tools).
func copilotInvocation(c *copilotChatCtx, o codexObj) {
	call := c.add(reel.KindToolCall, reel.RoleAssistant, "")
	call.Tool, call.CallID = o.str("toolId"), o.str("toolCallId")
	data := o.obj("toolSpecificData")
	details := o.obj("resultDetails")
	var out string
	var exit *int
	switch data.str("kind") {
	case "terminal":
		cmd := data.obj("commandLine").str("toolEdited")
		if cmd == "" {
			cmd = data.obj("commandLine").str("original")
		}
		if cmd == "" {
			cmd = data.str("command") // before VS Code 1.104
		}
		if cmd != "" {
			call.Text = cmd
			call.Input, _ = json.Marshal(map[string]string{"command": cmd})
		}
		out = data.obj("terminalCommandOutput").str("text")
		if n, ok := data.obj("terminalCommandState").int("exitCode"); ok {
			code := int(n)
			exit = &code
		}
	case "input":
		copilotSetInput(call, data["rawInput"])
	case "subagent":
		call.Text = strings.TrimSpace(data.str("description") + "\n" + data.str("prompt"))
		out = data.str("result")
	case "todoList":
		call.Text = copilotGatherText(data["todoList"])
	}
	if call.Input == nil {
		copilotSetInput(call, details["input"])
	}
	if call.Text == "" {
		call.Text = copilotText(o["invocationMessage"])
	}
	if out == "" {
		var outs []string
		for _, it := range details.list("output") {
			if v := copilotText(it); v != "" {
				outs = append(outs, v)
			}
		}
		out = strings.Join(outs, "\n")
	}
	complete, _ := codexBool(o["isComplete"])
	failed, _ := codexBool(details["isError"])
	if !complete && out == "" && exit == nil {
		return
	}
	if out == "" {
		out = copilotText(o["pastTenseMessage"])
	}
	res := c.add(reel.KindToolResult, reel.RoleTool, out)
	res.Tool, res.CallID, res.ExitCode = call.Tool, call.CallID, exit
	res.IsError = failed || (exit != nil && *exit != 0)
}

// copilotEditText describes an edit the response applied to a file: the
// file, then the text it put in.
func copilotEditText(o codexObj) string {
	uri := o.obj("uri")
	file := uri.str("fsPath")
	if file == "" {
		file = uri.str("path")
	}
	var b strings.Builder
	b.WriteString("Edited " + file)
	for _, batch := range o.list("edits") {
		items := codexList(batch)
		if items == nil {
			items = []json.RawMessage{batch} // a notebook's edits are not batched
		}
		for _, e := range items {
			if t := codexDecode(e).str("text"); t != "" && b.Len() < claudeGatherLimit {
				b.WriteString("\n" + claudeCutBytes(t, claudeGatherLimit-b.Len()))
			}
		}
	}
	if file == "" && b.Len() == len("Edited ") {
		return ""
	}
	return b.String()
}

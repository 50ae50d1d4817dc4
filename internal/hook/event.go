package hook

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/reel-sh/reel"
)

// Canonical event names: Claude Code's spelling, which Codex's lifecycle
// hooks share. Canonical maps Gemini CLI's and Codex notify's names onto
// them.
const (
	SessionStart       = "SessionStart"
	SessionEnd         = "SessionEnd"
	UserPromptSubmit   = "UserPromptSubmit"
	PreToolUse         = "PreToolUse"
	PermissionRequest  = "PermissionRequest"
	PostToolUse        = "PostToolUse"
	PostToolUseFailure = "PostToolUseFailure"
	Notification       = "Notification"
	Stop               = "Stop"
	SubagentStart      = "SubagentStart"
	SubagentStop       = "SubagentStop"
	PreCompact         = "PreCompact"
	PostCompact        = "PostCompact"
)

// geminiNames maps Gemini CLI's event names to the canonical ones.
var geminiNames = map[string]string{
	"BeforeAgent": UserPromptSubmit,
	"AfterAgent":  Stop,
	"BeforeTool":  PreToolUse,
	"AfterTool":   PostToolUse,
	"PreCompress": PreCompact,
}

// Canonical returns e's event name in Claude Code's spelling when it has
// one (Gemini's BeforeTool is PreToolUse, Codex notify's
// agent-turn-complete is Stop), else the name as the client spelt it.
func Canonical(e reel.HookEvent) string {
	if e.Client == ClientGemini {
		if n, ok := geminiNames[e.Name]; ok {
			return n
		}
	}
	if e.Name == CodexTurnComplete {
		return Stop
	}
	return e.Name
}

// payload holds the per-event fields the mapping reads, from every client.
type payload struct {
	Prompt         string          `json:"prompt"`
	ToolName       string          `json:"tool_name"`
	ToolInput      json.RawMessage `json:"tool_input"`
	ToolResponse   json.RawMessage `json:"tool_response"`
	ToolUseID      string          `json:"tool_use_id"`
	CallID         string          `json:"call_id"`
	Error          json.RawMessage `json:"error"`
	IsInterrupt    bool            `json:"is_interrupt"`
	Message        string          `json:"message"`
	Title          string          `json:"title"`
	Type           string          `json:"notification_type"`
	Trigger        string          `json:"trigger"`
	Source         string          `json:"source"`
	Reason         string          `json:"reason"`
	Summary        string          `json:"summary"`
	Model          string          `json:"model"`
	AgentType      string          `json:"agent_type"`
	LastAssistant  string          `json:"last_assistant_message"`
	PromptResponse string          `json:"prompt_response"`        // Gemini AfterAgent
	CodexLast      string          `json:"last-assistant-message"` // Codex notify
	CodexInput     []string        `json:"input-messages"`         // Codex notify
}

func decode(e reel.HookEvent) payload {
	var p payload
	// A field of an unexpected type is skipped and the others read (as
	// encoding/json does); the payload itself stays whole in the event.
	_ = json.Unmarshal(e.Payload, &p)
	return p
}

// Events maps a hook event to the reel events a live session appends:
// UserPromptSubmit (Gemini BeforeAgent) is a user message; PreToolUse
// (BeforeTool) a tool_call with the tool's name, its tool_use_id as CallID
// and tool_input as Input; PostToolUse (AfterTool) and PostToolUseFailure
// a tool_result, IsError when the response says so; a Stop that carries
// the agent's last message (Gemini AfterAgent, Codex notify) an assistant
// message; PreCompact a summary when the payload has one, else system;
// Notification, PermissionRequest, Stop, SubagentStop, SessionStart and
// SessionEnd system events; any other name one event of kind other.
//
// Each event has the hook's Time, its ID as NativeID and, when the hook
// names its session, SessionID (see SessionID); Seq is left for the live
// session to fill.
func Events(e reel.HookEvent) []reel.Event {
	p := decode(e)
	ev := reel.Event{Time: e.Time, NativeID: e.ID, Model: p.Model, SessionID: SessionID(e)}
	name := Canonical(e)
	switch name {
	case UserPromptSubmit:
		ev.Kind, ev.Role, ev.Text = reel.KindMessage, reel.RoleUser, p.Prompt
	case PreToolUse:
		ev.Kind, ev.Role, ev.Tool = reel.KindToolCall, reel.RoleAssistant, p.ToolName
		ev.CallID = first(p.ToolUseID, p.CallID)
		if isValue(p.ToolInput) {
			ev.Input = bytes.Clone(p.ToolInput)
			ev.Text = renderInput(p.ToolInput)
		}
	case PostToolUse, PostToolUseFailure:
		ev.Kind, ev.Role, ev.Tool = reel.KindToolResult, reel.RoleTool, p.ToolName
		ev.CallID = first(p.ToolUseID, p.CallID)
		r := readResponse(p.ToolResponse)
		ev.Text, ev.IsError, ev.ExitCode = r.text, r.isError, r.exitCode
		if errText := jsonText(p.Error); errText != "" {
			ev.IsError = true
			ev.Text = joinLines(errText, ev.Text)
		}
		if name == PostToolUseFailure {
			ev.IsError = true
			if p.IsInterrupt {
				ev.Text = joinLines("interrupted", ev.Text)
			}
		}
	case Stop:
		if last := first(p.LastAssistant, p.PromptResponse, p.CodexLast); last != "" {
			ev.Kind, ev.Role, ev.Text = reel.KindMessage, reel.RoleAssistant, last
		} else {
			ev.Kind, ev.Role, ev.Text = reel.KindSystem, reel.RoleSystem, "stop"
		}
	case PreCompact, PostCompact:
		if p.Summary != "" {
			ev.Kind, ev.Role, ev.Text = reel.KindSummary, reel.RoleSystem, p.Summary
		} else {
			ev.Kind, ev.Role, ev.Text = reel.KindSystem, reel.RoleSystem, describe(name, p.Trigger)
		}
	case Notification:
		ev.Kind, ev.Role = reel.KindSystem, reel.RoleSystem
		ev.Text = first(joinLines(p.Title, p.Message), describe(name, p.Type))
	case PermissionRequest:
		ev.Kind, ev.Role, ev.Tool = reel.KindSystem, reel.RoleSystem, p.ToolName
		ev.Text = describe("permission requested", p.ToolName)
	case SubagentStart, SubagentStop:
		ev.Kind, ev.Role, ev.Text = reel.KindSystem, reel.RoleSystem, describe(name, p.AgentType)
	case SessionStart:
		ev.Kind, ev.Role, ev.Text = reel.KindSystem, reel.RoleSystem, describe(name, first(p.Source, p.Trigger))
	case SessionEnd:
		ev.Kind, ev.Role, ev.Text = reel.KindSystem, reel.RoleSystem, describe(name, first(p.Reason, p.Trigger))
	default:
		ev.Kind, ev.Text = reel.KindOther, e.Name
	}
	return []reel.Event{ev}
}

// NativeID returns the native id of the hooks session e belongs to,
// "<client>:<the client's session id>", or "" when e names no session.
func NativeID(e reel.HookEvent) string {
	if e.SessionID == "" {
		return ""
	}
	return e.Client + ":" + e.SessionID
}

// SessionID returns the reel session id of the hooks session e belongs
// to (source reel.SourceHooks, native id NativeID(e)), or "".
func SessionID(e reel.HookEvent) string {
	if n := NativeID(e); n != "" {
		return reel.SessionID(reel.SourceHooks, n)
	}
	return ""
}

// Validate checks what every receiver needs of e: an id, a client, a name
// and a session id. EINVALID names what is missing.
func Validate(e reel.HookEvent) error {
	var missing []string
	for _, f := range []struct{ name, v string }{{"id", e.ID}, {"client", e.Client}, {"name", e.Name}, {"session id", e.SessionID}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return reel.Errorf(reel.EINVALID, "hook event %s from %q has no %s", e.ID, e.Client, strings.Join(missing, ", "))
	}
	return nil
}

// Status returns the supervised-session status e implies: AgentWaiting
// when the agent stopped its turn (Stop, Gemini AfterAgent, Codex
// agent-turn-complete), asks for a permission (PermissionRequest) or
// notifies that it waits for input or permission; AgentRunning on a
// prompt or a tool's use; "" when e says nothing about the status
// (SessionStart, SessionEnd, SubagentStop, PreCompact, other notices).
func Status(e reel.HookEvent) string {
	switch Canonical(e) {
	case UserPromptSubmit, PreToolUse, PostToolUse, PostToolUseFailure:
		return reel.AgentRunning
	case Stop, PermissionRequest:
		return reel.AgentWaiting
	case Notification:
		if asksUser(decode(e)) {
			return reel.AgentWaiting
		}
	}
	return ""
}

// IsPrompt reports whether e is the user submitting a prompt, the moment
// a checkpoint-per-prompt marks.
func IsPrompt(e reel.HookEvent) bool { return Canonical(e) == UserPromptSubmit }

// asksUser reports whether a notification says the agent waits for the
// user: Claude Code's permission_prompt, idle_prompt and
// elicitation_dialog, Gemini's ToolPermission, or, from a client that
// gives no type, a message that says so.
func asksUser(p payload) bool {
	switch p.Type {
	case "permission_prompt", "idle_prompt", "elicitation_dialog", "ToolPermission":
		return true
	case "":
		m := strings.ToLower(p.Message)
		return strings.Contains(m, "permission") || strings.Contains(m, "waiting for your input")
	}
	return false
}

func describe(what, detail string) string {
	if detail == "" {
		return what
	}
	return what + ": " + detail
}

func joinLines(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

// isValue reports whether raw holds a JSON value other than null.
func isValue(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// jsonText returns a JSON string's text, or the compact JSON of any other
// value but null and false.
func jsonText(raw json.RawMessage) string {
	if !isValue(raw) || bytes.Equal(bytes.TrimSpace(raw), []byte("false")) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// primaryKeys are the tool input fields that say most about a call; the
// first one present leads the rendered text.
var primaryKeys = []string{"command", "cmd", "file_path", "path", "absolute_path", "pattern", "query", "url", "prompt", "description"}

// renderInput renders a tool's input for search and show: its leading
// field's value, then "key: value" for its other top-level fields.
func renderInput(raw json.RawMessage) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return jsonText(raw)
	}
	var lines []string
	lead := ""
	for _, k := range primaryKeys {
		if v := jsonText(obj[k]); v != "" {
			lead, lines = k, append(lines, v)
			break
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if k != lead {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := jsonText(obj[k]); v != "" {
			lines = append(lines, k+": "+v)
		}
	}
	return strings.Join(lines, "\n")
}

// response is what a tool's response says.
type response struct {
	text     string
	isError  bool
	exitCode *int
}

// readResponse reads a tool_response: a string is its text; an object's
// text is its output fields (Gemini's llmContent, a shell's stdout and
// stderr, content, output, result, a read file's content), else its
// compact JSON. It is an error
// when it says is_error/isError, success false, a non-empty error, or a
// non-zero exit code.
func readResponse(raw json.RawMessage) response {
	var r response
	if !isValue(raw) {
		return r
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		r.text = s
		return r
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		r.text = jsonText(raw)
		return r
	}
	var parts []string
	for _, k := range []string{"llmContent", "stdout", "stderr", "content", "output", "result", "text"} {
		if v := jsonText(obj[k]); v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		// Claude Code's Read answers {"type":"text","file":{"content":…}}.
		var file struct {
			Content string `json:"content"`
		}
		if json.Unmarshal(obj["file"], &file) == nil && file.Content != "" {
			parts = append(parts, file.Content)
		}
	}
	r.text = strings.Join(parts, "\n")
	if r.text == "" {
		r.text = jsonText(raw)
	}
	for _, k := range []string{"is_error", "isError"} {
		if string(bytes.TrimSpace(obj[k])) == "true" {
			r.isError = true
		}
	}
	if string(bytes.TrimSpace(obj["success"])) == "false" {
		r.isError = true
	}
	if errText := jsonText(obj["error"]); errText != "" {
		r.isError = true
		if !strings.Contains(r.text, errText) {
			r.text = joinLines(errText, r.text)
		}
	}
	for _, k := range []string{"exit_code", "exitCode", "returncode"} {
		if n, err := strconv.Atoi(string(bytes.TrimSpace(obj[k]))); err == nil {
			r.exitCode = &n
			if n != 0 {
				r.isError = true
			}
			break
		}
	}
	return r
}

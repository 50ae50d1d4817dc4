package hook

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// hookEvent parses a real-shaped payload as reel hook does.
func hookEvent(t *testing.T, client, payload string) reel.HookEvent {
	t.Helper()
	e, err := Parse(client, []byte(payload), "")
	if err != nil {
		t.Fatalf("Parse(%s): %v", payload, err)
	}
	e.ID = "0190b9a4-7c3e-7000-8000-000000000001"
	e.Time = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return e
}

func TestEvents(t *testing.T) {
	exit1 := 1
	tests := []struct {
		name, client, payload string
		want                  reel.Event
		status                string
		prompt                bool
	}{
		{"ClaudeUserPromptSubmit", ClientClaude,
			`{"session_id":"s1","transcript_path":"/t.jsonl","cwd":"/src","permission_mode":"default","hook_event_name":"UserPromptSubmit","prompt":"Fix the flaky migration test"}`,
			reel.Event{Kind: reel.KindMessage, Role: reel.RoleUser, Text: "Fix the flaky migration test"}, reel.AgentRunning, true},
		{"ClaudePreToolUse", ClientClaude,
			`{"session_id":"s1","transcript_path":"/t.jsonl","cwd":"/src","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"go test ./...","description":"Run tests","timeout":120000},"tool_use_id":"toolu_01ABC123"}`,
			reel.Event{Kind: reel.KindToolCall, Role: reel.RoleAssistant, Tool: "Bash", CallID: "toolu_01ABC123",
				Text:  "go test ./...\ndescription: Run tests\ntimeout: 120000",
				Input: json.RawMessage(`{"command":"go test ./...","description":"Run tests","timeout":120000}`)}, reel.AgentRunning, false},
		{"ClaudePostToolUseBash", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"go test ./..."},"tool_response":{"stdout":"ok  \tpkg\t0.1s","stderr":"","interrupted":false,"isImage":false},"tool_use_id":"toolu_01ABC123"}`,
			reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "Bash", CallID: "toolu_01ABC123", Text: "ok  \tpkg\t0.1s"}, reel.AgentRunning, false},
		{"ClaudePostToolUseString", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PostToolUse","tool_name":"Write","tool_input":{"file_path":"/a.js","content":"x"},"tool_response":"File created successfully at: /a.js"}`,
			reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "Write", Text: "File created successfully at: /a.js"}, reel.AgentRunning, false},
		{"ClaudePostToolUseRead", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PostToolUse","tool_name":"Read","tool_input":{"file_path":"/src/go.mod"},"tool_response":{"type":"text","file":{"filePath":"/src/go.mod","content":"module x\n","numLines":1,"startLine":1,"totalLines":1}},"tool_use_id":"toolu_2"}`,
			reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "Read", CallID: "toolu_2", Text: "module x\n"}, reel.AgentRunning, false},
		{"ClaudePostToolUseEdit", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PostToolUse","tool_name":"Edit","tool_response":{"filePath":"/a.go","oldString":"a","newString":"b"}}`,
			reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "Edit", Text: `{"filePath":"/a.go","oldString":"a","newString":"b"}`}, reel.AgentRunning, false},
		{"ClaudePostToolUseError", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PostToolUse","tool_name":"mcp__db__query","tool_response":{"content":"relation does not exist","is_error":true}}`,
			reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "mcp__db__query", Text: "relation does not exist", IsError: true}, reel.AgentRunning, false},
		{"ClaudePostToolUseFailure", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PostToolUseFailure","tool_name":"Bash","tool_input":{"command":"npm test"},"tool_use_id":"toolu_9","error":"Command exited with non-zero status code 1","is_interrupt":false}`,
			reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "Bash", CallID: "toolu_9", Text: "Command exited with non-zero status code 1", IsError: true}, reel.AgentRunning, false},
		{"ClaudeNotificationPermission", ClientClaude,
			`{"session_id":"s1","hook_event_name":"Notification","message":"Claude needs your permission to use Bash","notification_type":"permission_prompt"}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "Claude needs your permission to use Bash"}, reel.AgentWaiting, false},
		{"ClaudeNotificationIdleUntyped", ClientClaude,
			`{"session_id":"s1","hook_event_name":"Notification","message":"Claude is waiting for your input"}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "Claude is waiting for your input"}, reel.AgentWaiting, false},
		{"ClaudeNotificationAuth", ClientClaude,
			`{"session_id":"s1","hook_event_name":"Notification","message":"Signed in","notification_type":"auth_success"}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "Signed in"}, "", false},
		{"ClaudePermissionRequest", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Tool: "Bash", Text: "permission requested: Bash"}, reel.AgentWaiting, false},
		{"ClaudeStop", ClientClaude,
			`{"session_id":"s1","transcript_path":"/t.jsonl","hook_event_name":"Stop","stop_hook_active":false}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "stop"}, reel.AgentWaiting, false},
		{"ClaudeSubagentStop", ClientClaude,
			`{"session_id":"s1","hook_event_name":"SubagentStop","stop_hook_active":false,"agent_type":"Explore"}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "SubagentStop: Explore"}, "", false},
		{"ClaudePreCompact", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PreCompact","trigger":"auto","custom_instructions":""}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "PreCompact: auto"}, "", false},
		{"ClaudeSessionStart", ClientClaude,
			`{"session_id":"s1","hook_event_name":"SessionStart","source":"startup","model":"claude-sonnet-4-6"}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "SessionStart: startup", Model: "claude-sonnet-4-6"}, "", false},
		{"ClaudeSessionEnd", ClientClaude,
			`{"session_id":"s1","hook_event_name":"SessionEnd","reason":"prompt_input_exit"}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "SessionEnd: prompt_input_exit"}, "", false},
		{"UnknownEvent", ClientClaude,
			`{"session_id":"s1","hook_event_name":"TeleportStart","warp":9}`,
			reel.Event{Kind: reel.KindOther, Text: "TeleportStart"}, "", false},
		{"CodexNotify", ClientCodex,
			`{"type":"agent-turn-complete","thread-id":"t1","turn-id":"7","cwd":"/src","input-messages":["Rename foo"],"last-assistant-message":"Rename complete and verified."}`,
			reel.Event{Kind: reel.KindMessage, Role: reel.RoleAssistant, Text: "Rename complete and verified."}, reel.AgentWaiting, false},
		{"CodexPreToolUse", ClientCodex,
			`{"session_id":"t1","transcript_path":null,"cwd":"/src","hook_event_name":"PreToolUse","model":"gpt-5-codex","tool_name":"Bash","tool_input":{"command":"cargo test"},"tool_use_id":"call_abc"}`,
			reel.Event{Kind: reel.KindToolCall, Role: reel.RoleAssistant, Tool: "Bash", CallID: "call_abc", Text: "cargo test", Model: "gpt-5-codex",
				Input: json.RawMessage(`{"command":"cargo test"}`)}, reel.AgentRunning, false},
		{"GeminiBeforeAgent", ClientGemini,
			`{"session_id":"g1","transcript_path":"/t.json","cwd":"/w","hook_event_name":"BeforeAgent","timestamp":"2026-01-02T03:04:05Z","prompt":"add a README"}`,
			reel.Event{Kind: reel.KindMessage, Role: reel.RoleUser, Text: "add a README"}, reel.AgentRunning, true},
		{"GeminiBeforeTool", ClientGemini,
			`{"session_id":"g1","hook_event_name":"BeforeTool","tool_name":"read_file","tool_input":{"absolute_path":"/w/go.mod"}}`,
			reel.Event{Kind: reel.KindToolCall, Role: reel.RoleAssistant, Tool: "read_file", Text: "/w/go.mod",
				Input: json.RawMessage(`{"absolute_path":"/w/go.mod"}`)}, reel.AgentRunning, false},
		{"GeminiAfterToolError", ClientGemini,
			`{"session_id":"g1","hook_event_name":"AfterTool","tool_name":"run_shell_command","tool_input":{"command":"false"},"tool_response":{"llmContent":"Exit Code: 1","returnDisplay":"Exit Code: 1","error":"Command failed"}}`,
			reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "run_shell_command", Text: "Command failed\nExit Code: 1", IsError: true}, reel.AgentRunning, false},
		{"GeminiAfterAgent", ClientGemini,
			`{"session_id":"g1","hook_event_name":"AfterAgent","prompt":"add a README","prompt_response":"I added README.md.","stop_hook_active":false}`,
			reel.Event{Kind: reel.KindMessage, Role: reel.RoleAssistant, Text: "I added README.md."}, reel.AgentWaiting, false},
		{"GeminiNotification", ClientGemini,
			`{"session_id":"g1","hook_event_name":"Notification","notification_type":"ToolPermission","message":"Allow run_shell_command?","details":{"tool":"run_shell_command"}}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "Allow run_shell_command?"}, reel.AgentWaiting, false},
		{"GeminiPreCompress", ClientGemini,
			`{"session_id":"g1","hook_event_name":"PreCompress","trigger":"manual"}`,
			reel.Event{Kind: reel.KindSystem, Role: reel.RoleSystem, Text: "PreCompact: manual"}, "", false},
		{"GeminiBeforeModel", ClientGemini,
			`{"session_id":"g1","hook_event_name":"BeforeModel","llm_request":{"model":"gemini-2.5-pro","messages":[]}}`,
			reel.Event{Kind: reel.KindOther, Text: "BeforeModel"}, "", false},
		{"ShellExitCode", ClientClaude,
			`{"session_id":"s1","hook_event_name":"PostToolUse","tool_name":"shell","tool_response":{"output":"boom","exit_code":1}}`,
			reel.Event{Kind: reel.KindToolResult, Role: reel.RoleTool, Tool: "shell", Text: "boom", IsError: true, ExitCode: &exit1}, reel.AgentRunning, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := hookEvent(t, tt.client, tt.payload)
			got := Events(e)
			if len(got) != 1 {
				t.Fatalf("got %d events, want 1", len(got))
			}
			want := tt.want
			want.Time, want.NativeID = e.Time, e.ID
			want.SessionID = reel.SessionID(reel.SourceHooks, tt.client+":"+e.SessionID)
			if g, w := mustJSON(t, got[0]), mustJSON(t, want); g != w {
				t.Errorf("event:\n got %s\nwant %s", g, w)
			}
			if s := Status(e); s != tt.status {
				t.Errorf("Status = %q, want %q", s, tt.status)
			}
			if p := IsPrompt(e); p != tt.prompt {
				t.Errorf("IsPrompt = %v, want %v", p, tt.prompt)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEvents_OddFieldTypes(t *testing.T) {
	// A newer client sends tool_name as an object: the other fields are
	// still read, nothing panics.
	e := hookEvent(t, ClientClaude, `{"session_id":"s","hook_event_name":"PreToolUse","tool_name":{"v":2},"tool_input":"raw","tool_use_id":"toolu_1"}`)
	got := Events(e)
	if got[0].Kind != reel.KindToolCall || got[0].CallID != "toolu_1" || got[0].Tool != "" || got[0].Text != "raw" {
		t.Errorf("event = %+v", got[0])
	}
}

func TestValidate(t *testing.T) {
	e := hookEvent(t, ClientClaude, `{"session_id":"s1","hook_event_name":"Stop"}`)
	if err := Validate(e); err != nil {
		t.Errorf("Validate(%+v) = %v", e, err)
	}
	e.SessionID, e.Name = "", ""
	if err := Validate(e); reel.ErrorCode(err) != reel.EINVALID || !strings.Contains(err.Error(), "no name, session id") {
		t.Errorf("Validate = %v, want EINVALID naming name and session id", err)
	}
	if got := SessionID(e); got != "" {
		t.Errorf("SessionID of an event without one = %q", got)
	}
}

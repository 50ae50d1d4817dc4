package hook

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, client, flag, payload    string
		wantName, wantSession, wantCwd string
	}{
		{"ClaudePreToolUse", ClientClaude, "", `{"session_id":"abc123","transcript_path":"/home/u/.claude/projects/p/abc123.jsonl","cwd":"/src/app","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"go test ./...","description":"Run tests"},"tool_use_id":"toolu_01ABC"}`,
			"PreToolUse", "abc123", "/src/app"},
		{"CodexNotify", ClientCodex, "", `{"type":"agent-turn-complete","thread-id":"0199a213-81c0-7800-8aa1-bbab2a035a53","turn-id":"12345","cwd":"/src/app","input-messages":["Rename foo to bar"],"last-assistant-message":"Rename complete."}`,
			CodexTurnComplete, "0199a213-81c0-7800-8aa1-bbab2a035a53", "/src/app"},
		{"CodexHook", ClientCodex, "", `{"session_id":"0199a213","transcript_path":null,"cwd":"/src","hook_event_name":"SessionStart","model":"gpt-5-codex","permission_mode":"default","source":"startup"}`,
			"SessionStart", "0199a213", "/src"},
		{"GeminiBeforeTool", ClientGemini, "", `{"session_id":"g-1","transcript_path":"/t.json","cwd":"/w","hook_event_name":"BeforeTool","timestamp":"2026-01-02T03:04:05Z","tool_name":"run_shell_command","tool_input":{"command":"ls"}}`,
			"BeforeTool", "g-1", "/w"},
		{"FlagNamesAnUnnamedEvent", ClientClaude, "Stop", `{"session_id":"s"}`, "Stop", "s", ""},
		{"PayloadNameWinsOverFlag", ClientClaude, "Stop", `{"session_id":"s","hook_event_name":"SubagentStop"}`, "SubagentStop", "s", ""},
		{"UnknownEventAndFields", ClientClaude, "", `{"session_id":"s","hook_event_name":"TeleportStart","warp":{"factor":9}}`, "TeleportStart", "s", ""},
		{"FieldOfOddType", ClientClaude, "", `{"session_id":"s","cwd":42,"hook_event_name":"Stop"}`, "Stop", "s", ""},
		{"NoSessionID", ClientGemini, "", `{"hook_event_name":"Notification"}`, "Notification", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.payload)
			e, err := Parse(tt.client, data, tt.flag)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if e.Client != tt.client || e.Name != tt.wantName || e.SessionID != tt.wantSession || e.Cwd != tt.wantCwd {
				t.Errorf("got client %q name %q session %q cwd %q, want %q %q %q %q",
					e.Client, e.Name, e.SessionID, e.Cwd, tt.client, tt.wantName, tt.wantSession, tt.wantCwd)
			}
			if !bytes.Equal(e.Payload, data) {
				t.Errorf("payload = %s, want the bytes as read", e.Payload)
			}
			data[0] = 'X' // the event keeps its own copy
			if e.Payload[0] != '{' {
				t.Error("payload shares the caller's buffer")
			}
		})
	}
}

func TestParse_KeepsBytes(t *testing.T) {
	// White space, key order and escapes are the client's: kept as read.
	data := []byte("{ \"session_id\" : \"s\",\n  \"hook_event_name\":\"UserPromptSubmit\", \"prompt\":\"caf\\u00e9 <b>\" }\n")
	e, err := Parse(ClientClaude, data, "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Payload, data) {
		t.Errorf("payload = %q, want %q", e.Payload, data)
	}
}

func TestParse_ErrInvalid(t *testing.T) {
	tests := []struct {
		name, client, payload, want string
	}{
		{"NotJSON", ClientClaude, "hello", "claude-code hook payload: not a JSON object at byte 0"},
		{"Empty", ClientGemini, "  \n", "gemini hook payload: empty"},
		{"Array", ClientCodex, ` [1]`, "codex hook payload: not a JSON object at byte 1"},
		{"Truncated", ClientClaude, `{"session_id":"abc","tool_input":{"command":"ls"`, "not JSON at byte 48"},
		{"BadByte", ClientClaude, `{"session_id":"abc",}`, "not JSON at byte 21"},
		{"Trailing", ClientClaude, `{"a":1} {"b":2}`, "more after the object"},
		{"UnknownClient", "vim", `{}`, `hook client "vim"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.client, []byte(tt.payload), "Stop")
			if reel.ErrorCode(err) != reel.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to say %q", err, tt.want)
			}
			if e.Client != tt.client || e.Name != "Stop" || e.Payload != nil {
				t.Errorf("event = %+v, want client and name kept, no payload", e)
			}
		})
	}
}

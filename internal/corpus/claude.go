package corpus

import (
	"strconv"
	"strings"
	"time"
)

// Claude Code record shapes, field for field in the order the client
// writes them.

type ccHead struct {
	ParentUUID  *string `json:"parentUuid"`
	IsSidechain bool    `json:"isSidechain"`
	UserType    string  `json:"userType"`
	CWD         string  `json:"cwd"`
	SessionID   string  `json:"sessionId"`
	Version     string  `json:"version"`
	GitBranch   string  `json:"gitBranch"`
}

type ccUser struct {
	ccHead
	Type          string    `json:"type"`
	Message       ccUserMsg `json:"message"`
	UUID          string    `json:"uuid"`
	Timestamp     string    `json:"timestamp"`
	ToolUseResult any       `json:"toolUseResult,omitempty"`
}

type ccUserMsg struct {
	Role    string `json:"role"`
	Content any    `json:"content"` // a string, or a list of blocks
}

type ccAssistant struct {
	ccHead
	Message   ccAssistantMsg `json:"message"`
	RequestID string         `json:"requestId"`
	Type      string         `json:"type"`
	UUID      string         `json:"uuid"`
	Timestamp string         `json:"timestamp"`
}

type ccAssistantMsg struct {
	ID           string  `json:"id"`
	Type         string  `json:"type"`
	Role         string  `json:"role"`
	Model        string  `json:"model"`
	Content      []any   `json:"content"`
	StopReason   *string `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
	Usage        ccUsage `json:"usage"`
}

type ccUsage struct {
	InputTokens              int64           `json:"input_tokens"`
	CacheCreationInputTokens int64           `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64           `json:"cache_read_input_tokens"`
	CacheCreation            ccCacheCreation `json:"cache_creation"`
	OutputTokens             int64           `json:"output_tokens"`
	ServiceTier              string          `json:"service_tier"`
}

type ccCacheCreation struct {
	Ephemeral5m int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1h int64 `json:"ephemeral_1h_input_tokens"`
}

type ccText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type ccThinking struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
}

type ccToolUse struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	Input any    `json:"input"`
}

type ccToolResult struct {
	ToolUseID string `json:"tool_use_id"`
	Type      string `json:"type"`
	Content   string `json:"content"`
	IsError   bool   `json:"is_error,omitempty"`
}

type ccSummary struct {
	Type     string `json:"type"`
	Summary  string `json:"summary"`
	LeafUUID string `json:"leafUuid"`
}

type ccSnapshot struct {
	Type             string         `json:"type"`
	MessageID        string         `json:"messageId"`
	Snapshot         ccSnapshotBody `json:"snapshot"`
	IsSnapshotUpdate bool           `json:"isSnapshotUpdate"`
}

type ccSnapshotBody struct {
	MessageID          string              `json:"messageId"`
	TrackedFileBackups map[string]ccBackup `json:"trackedFileBackups"`
	Timestamp          string              `json:"timestamp"`
}

type ccBackup struct {
	BackupFileName string `json:"backupFileName"`
	Version        int    `json:"version"`
	BackupTime     string `json:"backupTime"`
}

var (
	claudeVersions = []string{"1.0.111", "1.0.128", "2.0.14", "2.0.69", "2.1.9"}
	claudeModels   = []string{"claude-sonnet-4-5-20250929", "claude-sonnet-4-20250514", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001"}
	gitBranches    = []string{"main", "main", "main", "develop"}
)

// writeClaude writes a Claude Code session: each response's blocks on
// lines of their own that share the message id, each tool result in a
// user record with the client's toolUseResult beside it.
func writeClaude(o *sessionOut, sc *script, sessionID, cwd string) {
	g, r := o.g, o.r
	version := claudeVersions[r.IntN(len(claudeVersions))]
	model := claudeModels[r.IntN(len(claudeModels))]
	branch := gitBranches[r.IntN(len(gitBranches))]
	if r.IntN(3) == 0 {
		branch = "fix/" + g.innerNoun() + "-" + g.innerNoun()
	}
	snapshots := !strings.HasPrefix(version, "1.")
	head := ccHead{UserType: "external", CWD: cwd, SessionID: sessionID, Version: version, GitBranch: branch}
	var parent *string
	link := func(uuid string) ccHead {
		h := head
		h.ParentUUID = parent
		parent = &uuid
		return h
	}
	tracked := map[string]ccBackup{}

	if sc.summary {
		// The client writes the title of an earlier conversation first,
		// pointing at its last message.
		o.emit(ccSummary{Type: "summary", Summary: g.summary(), LeafUUID: uuid4(r)})
		g.endBlock()
		o.kinds[kSummary]++
	}
	context := int64(12000 + r.IntN(9000))
	for _, t := range sc.turns {
		promptID := uuid4(r)
		o.tick(20*time.Second, 8*time.Minute)
		if snapshots {
			o.emit(ccSnapshot{Type: "file-history-snapshot", MessageID: promptID, IsSnapshotUpdate: false,
				Snapshot: ccSnapshotBody{MessageID: promptID, TrackedFileBackups: tracked, Timestamp: o.ts()}})
		}
		text := o.eligible(g.prompt())
		g.endBlock()
		var content any = text
		if r.IntN(10) == 0 {
			content = []any{ccText{Type: "text", Text: text}}
		}
		o.emit(ccUser{ccHead: link(promptID), Type: "user", Message: ccUserMsg{Role: "user", Content: content}, UUID: promptID, Timestamp: o.ts()})
		o.kinds[kMessage]++

		for _, s := range t.steps {
			msgID := "msg_01" + randString(r, 22)
			reqID := "req_011C" + randString(r, 20)
			usage := ccUsage{InputTokens: int64(3 + r.IntN(8)), CacheReadInputTokens: context,
				CacheCreationInputTokens: int64(r.IntN(4000)), ServiceTier: "standard"}
			usage.CacheCreation.Ephemeral5m = usage.CacheCreationInputTokens
			o.tick(time.Second, 9*time.Second)
			var blocks []any
			if s.thinking {
				blocks = append(blocks, ccThinking{Type: "thinking", Thinking: g.thinking(), Signature: randBase64(r, 96+r.IntN(160))})
				g.endBlock()
				o.kinds[kReasoning]++
			}
			if s.text {
				blocks = append(blocks, ccText{Type: "text", Text: o.eligible(g.reply())})
				g.endBlock()
				o.kinds[kMessage]++
			}
			type call struct {
				id   string
				kind tool
				in   claudeCall
			}
			var calls []call
			for _, k := range s.tools {
				c := call{id: "toolu_01" + randString(r, 22), kind: k, in: claudeInput(g, k)}
				g.endBlock()
				o.kinds[kToolCall]++
				calls = append(calls, c)
				blocks = append(blocks, ccToolUse{Type: "tool_use", ID: c.id, Name: c.in.name, Input: c.in.input})
			}
			// A streamed response: one line per block, the same message id
			// and usage, output tokens as counted so far.
			for i, b := range blocks {
				usage.OutputTokens = int64((i + 1) * (20 + r.IntN(200)))
				id := uuid4(r)
				o.emit(ccAssistant{ccHead: link(id), Type: "assistant", RequestID: reqID, UUID: id, Timestamp: o.ts(),
					Message: ccAssistantMsg{ID: msgID, Type: "message", Role: "assistant", Model: model, Content: []any{b}, Usage: usage}})
				o.tick(10*time.Millisecond, 900*time.Millisecond)
			}
			context += usage.CacheCreationInputTokens + usage.OutputTokens
			for _, c := range calls {
				o.tick(50*time.Millisecond, 20*time.Second)
				res := claudeResult(g, c.kind, &c.in)
				g.endBlock()
				o.kinds[kToolResult]++
				id := uuid4(r)
				o.emit(ccUser{ccHead: link(id), Type: "user", UUID: id, Timestamp: o.ts(), ToolUseResult: res.use,
					Message: ccUserMsg{Role: "user", Content: []any{ccToolResult{ToolUseID: c.id, Type: "tool_result", Content: res.text, IsError: res.isError}}}})
				if snapshots && (c.kind == toolEdit || c.kind == toolWrite) && !res.isError {
					b := tracked[c.in.file]
					b.Version++
					b.BackupFileName = g.hex(16) + "@v" + strconv.Itoa(b.Version)
					b.BackupTime = o.ts()
					tracked[c.in.file] = b
					o.emit(ccSnapshot{Type: "file-history-snapshot", MessageID: id, IsSnapshotUpdate: true,
						Snapshot: ccSnapshotBody{MessageID: promptID, TrackedFileBackups: tracked, Timestamp: o.ts()}})
				}
				context += int64(len(res.text) / 4)
			}
		}
	}
}

package corpus

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Codex rollout shapes: every line is {"timestamp","type","payload"}.

type cxLine struct {
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Payload   any    `json:"payload"`
}

type cxMeta struct {
	ID            string `json:"id"`
	Timestamp     string `json:"timestamp"`
	CWD           string `json:"cwd"`
	Originator    string `json:"originator"`
	CLIVersion    string `json:"cli_version"`
	Source        string `json:"source"`
	ModelProvider string `json:"model_provider"`
	Git           cxGit  `json:"git"`
}

type cxGit struct {
	CommitHash    string `json:"commit_hash"`
	Branch        string `json:"branch"`
	RepositoryURL string `json:"repository_url"`
}

type cxTurnContext struct {
	TurnID         string    `json:"turn_id"`
	CWD            string    `json:"cwd"`
	ApprovalPolicy string    `json:"approval_policy"`
	SandboxPolicy  cxSandbox `json:"sandbox_policy"`
	Model          string    `json:"model"`
	Summary        string    `json:"summary"`
}

type cxSandbox struct {
	Mode                string `json:"mode"`
	NetworkAccess       bool   `json:"network_access"`
	ExcludeTmpdirEnvVar bool   `json:"exclude_tmpdir_env_var"`
	ExcludeSlashTmp     bool   `json:"exclude_slash_tmp"`
}

type cxMessage struct {
	Type    string      `json:"type"`
	Role    string      `json:"role"`
	Content []cxContent `json:"content"`
}

type cxContent struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type cxReasoning struct {
	Type             string      `json:"type"`
	Summary          []cxContent `json:"summary"`
	Content          *string     `json:"content"`
	EncryptedContent string      `json:"encrypted_content"`
}

type cxCall struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON in a string, as the model sent it
	CallID    string `json:"call_id"`
}

type cxCallOutput struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	Output string `json:"output"`
}

type cxUserMessage struct {
	Type         string   `json:"type"`
	Message      string   `json:"message"`
	Images       []string `json:"images"`
	LocalImages  []string `json:"local_images"`
	TextElements []string `json:"text_elements"`
}

type cxAgentMessage struct {
	Type           string  `json:"type"`
	Message        string  `json:"message"`
	Phase          *string `json:"phase"`
	MemoryCitation *string `json:"memory_citation"`
}

type cxAgentReasoning struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type cxTokenCount struct {
	Type       string       `json:"type"`
	Info       cxTokenInfo  `json:"info"`
	RateLimits cxRateLimits `json:"rate_limits"`
	Context    cxContext    `json:"context"`
}

type cxContext struct {
	UsedTokens int64 `json:"used_tokens"`
}

type cxTokenInfo struct {
	TotalTokenUsage    cxUsage `json:"total_token_usage"`
	LastTokenUsage     cxUsage `json:"last_token_usage"`
	ModelContextWindow int64   `json:"model_context_window"`
}

type cxUsage struct {
	InputTokens           int64 `json:"input_tokens"`
	CachedInputTokens     int64 `json:"cached_input_tokens"`
	OutputTokens          int64 `json:"output_tokens"`
	ReasoningOutputTokens int64 `json:"reasoning_output_tokens"`
	TotalTokens           int64 `json:"total_tokens"`
}

type cxRateLimits struct {
	Primary   cxWindow `json:"primary"`
	Secondary cxWindow `json:"secondary"`
}

type cxWindow struct {
	UsedPercent     float64 `json:"used_percent"`
	WindowMinutes   int     `json:"window_minutes"`
	ResetsInSeconds int     `json:"resets_in_seconds"`
}

// Arguments of the shell tools: the older "shell" takes an argv, the newer
// "shell_command" a command line.
type cxShellArgs struct {
	Command   []string `json:"command"`
	Workdir   string   `json:"workdir"`
	TimeoutMs int      `json:"timeout_ms"`
}

type cxShellCommandArgs struct {
	Command string `json:"command"`
	Workdir string `json:"workdir"`
}

type cxPatchArgs struct {
	Input string `json:"input"`
}

type cxExecOutput struct {
	Output   string       `json:"output"`
	Metadata cxExecResult `json:"metadata"`
}

type cxExecResult struct {
	ExitCode        int     `json:"exit_code"`
	DurationSeconds float64 `json:"duration_seconds"`
}

var (
	codexVersions = []string{"0.46.0", "0.58.0", "0.99.0-alpha.24"}
	codexModels   = []string{"gpt-5-codex", "gpt-5.1-codex", "gpt-5"}
)

// compactJSON encodes v the way Codex does, without escaping <, > and &.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("corpus: " + err.Error()) // only fixed struct types come here
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// writeCodex writes a Codex rollout. Codex records each user and agent
// message twice, as a response_item and as an event_msg; both carry the
// same text and stand for one message.
func writeCodex(o *sessionOut, sc *script, sessionID, cwd string) {
	g, r := o.g, o.r
	version := codexVersions[r.IntN(len(codexVersions))]
	model := codexModels[r.IntN(len(codexModels))]
	shellCommand := strings.HasPrefix(version, "0.99")
	line := func(typ string, payload any) { o.emit(cxLine{Timestamp: o.ts(), Type: typ, Payload: payload}) }

	line("session_meta", cxMeta{ID: sessionID, Timestamp: o.ts(), CWD: cwd, Originator: "codex_cli_rs", CLIVersion: version,
		Source: "cli", ModelProvider: "openai",
		Git: cxGit{CommitHash: g.hex(40), Branch: "main", RepositoryURL: "git@github.com:acme/" + g.proj.name + ".git"}})
	o.tick(time.Millisecond, 50*time.Millisecond)
	line("response_item", cxMessage{Type: "message", Role: "user", Content: []cxContent{{Type: "input_text",
		Text: "<environment_context>\n  <cwd>" + cwd + "</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n  <network_access>restricted</network_access>\n  <shell>zsh</shell>\n</environment_context>"}}})
	o.kinds[kSystem]++
	g.endBlock()

	var total cxUsage
	context := int64(9000 + r.IntN(6000))
	for n, t := range sc.turns {
		o.tick(20*time.Second, 8*time.Minute)
		line("turn_context", cxTurnContext{TurnID: "turn-" + strconv.Itoa(n+1), CWD: cwd, ApprovalPolicy: "on-request", Model: model, Summary: "auto",
			SandboxPolicy: cxSandbox{Mode: "workspace-write"}})
		text := o.eligible(g.prompt())
		g.endBlock()
		line("response_item", cxMessage{Type: "message", Role: "user", Content: []cxContent{{Type: "input_text", Text: text}}})
		line("event_msg", cxUserMessage{Type: "user_message", Message: text, TextElements: []string{}})
		o.kinds[kMessage]++

		for _, s := range t.steps {
			o.tick(time.Second, 12*time.Second)
			var reasoning int64
			if s.thinking {
				th := g.thinking()
				g.endBlock()
				summary := "**" + title(g.verb()) + "ing the " + g.innerNoun() + "**\n\n" + th
				line("event_msg", cxAgentReasoning{Type: "agent_reasoning", Text: summary})
				line("response_item", cxReasoning{Type: "reasoning", Summary: []cxContent{{Type: "summary_text", Text: summary}},
					EncryptedContent: "gAAAAA" + randBase64(r, 120+r.IntN(240))})
				o.kinds[kReasoning]++
				reasoning = int64(len(th) / 3)
			}
			if s.text {
				msg := o.eligible(g.reply())
				g.endBlock()
				line("response_item", cxMessage{Type: "message", Role: "assistant", Content: []cxContent{{Type: "output_text", Text: msg}}})
				line("event_msg", cxAgentMessage{Type: "agent_message", Message: msg})
				o.kinds[kMessage]++
			}
			for _, k := range s.tools {
				callID := "call_" + randString(r, 24)
				name, args, out := codexCall(g, k, cwd, shellCommand)
				g.endBlock()
				line("response_item", cxCall{Type: "function_call", Name: name, Arguments: args, CallID: callID})
				o.kinds[kToolCall]++
				o.tick(50*time.Millisecond, 20*time.Second)
				output := out()
				g.endBlock()
				line("response_item", cxCallOutput{Type: "function_call_output", CallID: callID, Output: output})
				o.kinds[kToolResult]++
				context += int64(len(output) / 4)
			}
			last := cxUsage{InputTokens: context, CachedInputTokens: context * 9 / 10, OutputTokens: int64(40 + r.IntN(600)), ReasoningOutputTokens: reasoning}
			last.TotalTokens = last.InputTokens + last.OutputTokens
			total.InputTokens += last.InputTokens
			total.CachedInputTokens += last.CachedInputTokens
			total.OutputTokens += last.OutputTokens
			total.ReasoningOutputTokens += last.ReasoningOutputTokens
			total.TotalTokens += last.TotalTokens
			context += last.OutputTokens
			line("event_msg", cxTokenCount{Type: "token_count", Info: cxTokenInfo{TotalTokenUsage: total, LastTokenUsage: last, ModelContextWindow: 272000},
				RateLimits: cxRateLimits{Primary: cxWindow{UsedPercent: float64(r.IntN(1000)) / 10, WindowMinutes: 300, ResetsInSeconds: r.IntN(18000)},
					Secondary: cxWindow{UsedPercent: float64(r.IntN(1000)) / 10, WindowMinutes: 10080, ResetsInSeconds: r.IntN(604800)}},
				Context: cxContext{UsedTokens: context}})
		}
	}
}

// codexCall draws a function call: its name, its arguments, and a func
// that draws its output (called after the clock moves on).
func codexCall(g *textGen, k tool, cwd string, shellCommand bool) (string, string, func() string) {
	if k == toolPatch {
		f := g.path()
		var b strings.Builder
		b.WriteString("*** Begin Patch\n*** Update File: " + f + "\n@@\n")
		for _, l := range g.code(1 + g.r.IntN(3)) {
			b.WriteString("-" + l + "\n")
		}
		for _, l := range g.code(1 + g.r.IntN(4)) {
			b.WriteString("+" + l + "\n")
		}
		b.WriteString("*** End Patch")
		return "apply_patch", compactJSON(cxPatchArgs{Input: b.String()}), func() string {
			return compactJSON(cxExecOutput{Output: "Success. Updated the following files:\nM " + f + "\n", Metadata: cxExecResult{DurationSeconds: 0.0}})
		}
	}
	cmd := g.command()
	secs := float64(g.r.IntN(30000)) / 1000
	if shellCommand {
		return "shell_command", compactJSON(cxShellCommandArgs{Command: cmd, Workdir: cwd}), func() string {
			out, exit := g.output(cmd)
			return "Exit code: " + strconv.Itoa(exit) + "\nWall time: " + strconv.FormatFloat(secs, 'f', 1, 64) + " seconds\nOutput:\n" + out
		}
	}
	return "shell", compactJSON(cxShellArgs{Command: []string{"bash", "-lc", cmd}, Workdir: cwd, TimeoutMs: 120000}), func() string {
		out, exit := g.output(cmd)
		return compactJSON(cxExecOutput{Output: out, Metadata: cxExecResult{ExitCode: exit, DurationSeconds: secs}})
	}
}

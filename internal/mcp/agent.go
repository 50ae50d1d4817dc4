package mcp

import (
	"context"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
)

// maxSend is the most text send_to_session types at once, in bytes.
const maxSend = 16 * 1024

// StatusInput is the input of session_status.
type StatusInput struct {
	Key string `json:"key,omitempty" jsonschema:"one supervised session: its name, id or a unique id prefix; empty for all"`
}

// StatusOutput is the output of session_status.
type StatusOutput struct {
	Sessions []reel.AgentSession `json:"sessions" jsonschema:"supervised sessions, newest first; status is starting, running, waiting (for the user's input), idle, paused or stopped"`
}

// PauseInput is the input of pause_session.
type PauseInput struct {
	Key  string `json:"key" jsonschema:"the supervised session: its name, id or a unique id prefix"`
	Note string `json:"note,omitempty" jsonschema:"why it is paused and what is left to do; empty to have one made from the pane's last lines"`
}

// KeyInput is the input of resume_session.
type KeyInput struct {
	Key string `json:"key" jsonschema:"the supervised session: its name, id or a unique id prefix"`
}

// SendInput is the input of send_to_session.
type SendInput struct {
	Key   string `json:"key" jsonschema:"the supervised session: its name, id or a unique id prefix"`
	Text  string `json:"text" jsonschema:"the text to type into the session's terminal, at most 16 KiB"`
	Enter *bool  `json:"enter,omitempty" jsonschema:"press Enter after the text; default true"`
}

// AgentOutput is the output of the control tools: the session after the
// change.
type AgentOutput struct {
	Session reel.AgentSession `json:"session"`
}

func (t *tools) addStatusTools(s *mcpsdk.Server) {
	addTool(s, &mcpsdk.Tool{Name: "session_status", Annotations: readOnly("Supervised sessions"),
		Description: `Lists the agent sessions reel supervises in tmux (started with reel run), or one of them: name, status (running, waiting for input, idle, paused, stopped), command, folder, last activity, the latest pause and its note, and the reel session id of its events (read those with get_session).`},
		t.status)
}

func (t *tools) addControlTools(s *mcpsdk.Server) {
	addTool(s, &mcpsdk.Tool{Name: "pause_session",
		Annotations: &mcpsdk.ToolAnnotations{Title: "Pause a supervised session", DestructiveHint: new(false), OpenWorldHint: new(false)},
		Description: `Marks a supervised session paused, with a note saying why and what is left (or a summary of its last output). The agent's process keeps running; the pause tells people and other agents to leave it be until resume_session. Fails with conflict unless the session is starting, running, waiting or idle.`},
		t.pause)
	addTool(s, &mcpsdk.Tool{Name: "resume_session",
		Annotations: &mcpsdk.ToolAnnotations{Title: "Resume a supervised session", DestructiveHint: new(false), OpenWorldHint: new(false)},
		Description: `Ends the pause of a supervised session. Fails with conflict, naming the status, unless the session is paused.`},
		t.resume)
	addTool(s, &mcpsdk.Tool{Name: "send_to_session",
		Annotations: &mcpsdk.ToolAnnotations{Title: "Type into a supervised session", DestructiveHint: new(true), OpenWorldHint: new(true)},
		Description: `Types text into a supervised session's terminal, as a person at its keyboard would, then presses Enter (unless enter is false): use it to answer an agent that waits for input or to give it its next instruction. The agent acts on it with its own permissions. Fails with conflict for a stopped session.`},
		t.send)
}

func (t *tools) status(ctx context.Context, in StatusInput) (StatusOutput, error) {
	if in.Key != "" {
		a, err := t.deps.Supervisor.Agent(ctx, in.Key)
		if err != nil {
			return StatusOutput{}, err
		}
		return StatusOutput{Sessions: []reel.AgentSession{a}}, nil
	}
	list, err := t.deps.Supervisor.Agents(ctx)
	if err != nil {
		return StatusOutput{}, err
	}
	if list == nil {
		list = []reel.AgentSession{}
	}
	return StatusOutput{Sessions: list}, nil
}

func (t *tools) pause(ctx context.Context, in PauseInput) (AgentOutput, error) {
	if err := needKey(in.Key); err != nil {
		return AgentOutput{}, err
	}
	a, err := t.deps.Supervisor.Pause(ctx, in.Key, in.Note)
	return AgentOutput{Session: a}, err
}

func (t *tools) resume(ctx context.Context, in KeyInput) (AgentOutput, error) {
	if err := needKey(in.Key); err != nil {
		return AgentOutput{}, err
	}
	a, err := t.deps.Supervisor.Resume(ctx, in.Key)
	return AgentOutput{Session: a}, err
}

func (t *tools) send(ctx context.Context, in SendInput) (AgentOutput, error) {
	if err := needKey(in.Key); err != nil {
		return AgentOutput{}, err
	}
	if len(in.Text) > maxSend {
		return AgentOutput{}, reel.Errorf(reel.EINVALID, "text is %d bytes, more than %d", len(in.Text), maxSend).
			WithHint("send it in parts, or write it to a file and send its path")
	}
	enter := in.Enter == nil || *in.Enter
	if in.Text == "" && !enter {
		return AgentOutput{}, reel.Errorf(reel.EINVALID, "nothing to send").WithHint("give text, or leave enter true to press Enter")
	}
	if err := t.deps.Supervisor.Send(ctx, in.Key, in.Text, enter); err != nil {
		return AgentOutput{}, err
	}
	a, err := t.deps.Supervisor.Agent(ctx, in.Key)
	return AgentOutput{Session: a}, err
}

// needKey returns EINVALID for an empty key.
func needKey(key string) error {
	if key == "" {
		return reel.Errorf(reel.EINVALID, "no session key").
			WithHint("name a supervised session by name or id; session_status lists them")
	}
	return nil
}

package mcp_test

import (
	"context"

	"github.com/reel-sh/reel"
)

// FakeTimeline is a func-field fake of reel.Timeline, so that these tests
// pin each tool's mapping; the real one (internal/timeline) serves reel
// mcp in internal/cli's TestMCP_Stdio.
type FakeTimeline struct {
	EventsFn func(ctx context.Context, q reel.EventQuery) ([]reel.Event, error)
	ReplayFn func(ctx context.Context, q reel.EventQuery) ([]reel.Step, error)
	DiffFn   func(ctx context.Context, session, a, b string) (reel.Diff, error)
}

var _ reel.Timeline = (*FakeTimeline)(nil)

func (f *FakeTimeline) Events(ctx context.Context, q reel.EventQuery) ([]reel.Event, error) {
	return f.EventsFn(ctx, q)
}

func (f *FakeTimeline) Replay(ctx context.Context, q reel.EventQuery) ([]reel.Step, error) {
	return f.ReplayFn(ctx, q)
}

func (f *FakeTimeline) Diff(ctx context.Context, session, a, b string) (reel.Diff, error) {
	return f.DiffFn(ctx, session, a, b)
}

// FakeSupervisor is a func-field fake of reel.Supervisor, so that these
// tests can make it fail at will; the real one drives tmux
// (internal/tmux, tested there and end to end in the daemon's script).
type FakeSupervisor struct {
	StartFn  func(ctx context.Context, req reel.StartRequest) (reel.AgentSession, error)
	AgentsFn func(ctx context.Context) ([]reel.AgentSession, error)
	AgentFn  func(ctx context.Context, key string) (reel.AgentSession, error)
	PauseFn  func(ctx context.Context, key, note string) (reel.AgentSession, error)
	ResumeFn func(ctx context.Context, key string) (reel.AgentSession, error)
	StopFn   func(ctx context.Context, key string) (reel.AgentSession, error)
	SendFn   func(ctx context.Context, key, text string, enter bool) error
	OutputFn func(ctx context.Context, key string, lines int) (string, error)
	ReapFn   func(ctx context.Context) (reel.ReapReport, error)
	AdoptFn  func(ctx context.Context, tmuxSession, name string) (reel.AgentSession, error)
}

var _ reel.Supervisor = (*FakeSupervisor)(nil)

func (f *FakeSupervisor) Start(ctx context.Context, req reel.StartRequest) (reel.AgentSession, error) {
	return f.StartFn(ctx, req)
}
func (f *FakeSupervisor) Agents(ctx context.Context) ([]reel.AgentSession, error) {
	return f.AgentsFn(ctx)
}
func (f *FakeSupervisor) Agent(ctx context.Context, key string) (reel.AgentSession, error) {
	return f.AgentFn(ctx, key)
}
func (f *FakeSupervisor) Pause(ctx context.Context, key, note string) (reel.AgentSession, error) {
	return f.PauseFn(ctx, key, note)
}
func (f *FakeSupervisor) Resume(ctx context.Context, key string) (reel.AgentSession, error) {
	return f.ResumeFn(ctx, key)
}
func (f *FakeSupervisor) Stop(ctx context.Context, key string) (reel.AgentSession, error) {
	return f.StopFn(ctx, key)
}
func (f *FakeSupervisor) Send(ctx context.Context, key, text string, enter bool) error {
	return f.SendFn(ctx, key, text, enter)
}
func (f *FakeSupervisor) Output(ctx context.Context, key string, lines int) (string, error) {
	return f.OutputFn(ctx, key, lines)
}
func (f *FakeSupervisor) Reap(ctx context.Context) (reel.ReapReport, error) { return f.ReapFn(ctx) }
func (f *FakeSupervisor) Adopt(ctx context.Context, tmuxSession, name string) (reel.AgentSession, error) {
	return f.AdoptFn(ctx, tmuxSession, name)
}

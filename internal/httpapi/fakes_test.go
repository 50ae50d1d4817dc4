package httpapi

import (
	"context"

	"github.com/reel-sh/reel"
)

// The supervisor, the timeline and the hook sink are boundaries here:
// their real implementations live in other packages, whose own tests use
// them. These fakes let a test say what each call returns and see what
// the server passed on.

// notSet is what a fake returns for a function the test did not set.
func notSet(name string) error { return reel.Errorf(reel.EINTERNAL, "fake: %s not set", name) }

type fakeSupervisor struct {
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

var _ reel.Supervisor = (*fakeSupervisor)(nil)

func (f *fakeSupervisor) Start(ctx context.Context, req reel.StartRequest) (reel.AgentSession, error) {
	if f.StartFn == nil {
		return reel.AgentSession{}, notSet("Start")
	}
	return f.StartFn(ctx, req)
}

func (f *fakeSupervisor) Agents(ctx context.Context) ([]reel.AgentSession, error) {
	if f.AgentsFn == nil {
		return nil, notSet("Agents")
	}
	return f.AgentsFn(ctx)
}

func (f *fakeSupervisor) Agent(ctx context.Context, key string) (reel.AgentSession, error) {
	if f.AgentFn == nil {
		return reel.AgentSession{}, notSet("Agent")
	}
	return f.AgentFn(ctx, key)
}

func (f *fakeSupervisor) Pause(ctx context.Context, key, note string) (reel.AgentSession, error) {
	if f.PauseFn == nil {
		return reel.AgentSession{}, notSet("Pause")
	}
	return f.PauseFn(ctx, key, note)
}

func (f *fakeSupervisor) Resume(ctx context.Context, key string) (reel.AgentSession, error) {
	if f.ResumeFn == nil {
		return reel.AgentSession{}, notSet("Resume")
	}
	return f.ResumeFn(ctx, key)
}

func (f *fakeSupervisor) Stop(ctx context.Context, key string) (reel.AgentSession, error) {
	if f.StopFn == nil {
		return reel.AgentSession{}, notSet("Stop")
	}
	return f.StopFn(ctx, key)
}

func (f *fakeSupervisor) Send(ctx context.Context, key, text string, enter bool) error {
	if f.SendFn == nil {
		return notSet("Send")
	}
	return f.SendFn(ctx, key, text, enter)
}

func (f *fakeSupervisor) Output(ctx context.Context, key string, lines int) (string, error) {
	if f.OutputFn == nil {
		return "", notSet("Output")
	}
	return f.OutputFn(ctx, key, lines)
}

func (f *fakeSupervisor) Reap(ctx context.Context) (reel.ReapReport, error) {
	if f.ReapFn == nil {
		return reel.ReapReport{}, notSet("Reap")
	}
	return f.ReapFn(ctx)
}

func (f *fakeSupervisor) Adopt(ctx context.Context, tmuxSession, name string) (reel.AgentSession, error) {
	if f.AdoptFn == nil {
		return reel.AgentSession{}, notSet("Adopt")
	}
	return f.AdoptFn(ctx, tmuxSession, name)
}

type fakeTimeline struct {
	EventsFn func(ctx context.Context, q reel.EventQuery) ([]reel.Event, error)
	ReplayFn func(ctx context.Context, q reel.EventQuery) ([]reel.Step, error)
	DiffFn   func(ctx context.Context, session, a, b string) (reel.Diff, error)
}

var _ reel.Timeline = (*fakeTimeline)(nil)

func (f *fakeTimeline) Events(ctx context.Context, q reel.EventQuery) ([]reel.Event, error) {
	if f.EventsFn == nil {
		return nil, notSet("Events")
	}
	return f.EventsFn(ctx, q)
}

func (f *fakeTimeline) Replay(ctx context.Context, q reel.EventQuery) ([]reel.Step, error) {
	if f.ReplayFn == nil {
		return nil, notSet("Replay")
	}
	return f.ReplayFn(ctx, q)
}

func (f *fakeTimeline) Diff(ctx context.Context, session, a, b string) (reel.Diff, error) {
	if f.DiffFn == nil {
		return reel.Diff{}, notSet("Diff")
	}
	return f.DiffFn(ctx, session, a, b)
}

type fakeHookSink struct {
	HookFn func(ctx context.Context, e reel.HookEvent) error
}

var _ reel.HookSink = (*fakeHookSink)(nil)

func (f *fakeHookSink) Hook(ctx context.Context, e reel.HookEvent) error {
	if f.HookFn == nil {
		return notSet("Hook")
	}
	return f.HookFn(ctx, e)
}

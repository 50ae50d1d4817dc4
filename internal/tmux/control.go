package tmux

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
)

// summaryLines is how many of the pane's last lines an automatic pause
// summary is made from.
const summaryLines = 50

// Pause marks a session paused with note, or, when note is empty, with a
// summary of the pane's last 50 lines. ECONFLICT unless it is starting,
// running, waiting or idle.
func (s *Supervisor) Pause(ctx context.Context, key, note string) (reel.AgentSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.find(ctx, key)
	if err != nil {
		return a, err
	}
	switch a.Status {
	case reel.AgentStarting, reel.AgentRunning, reel.AgentWaiting, reel.AgentIdle:
	default:
		return a, reel.Errorf(reel.ECONFLICT, "pause %s: it is %s", a.Name, a.Status).WithHint(statusHint(a))
	}
	p := &reel.Pause{At: s.now().UTC(), Summary: strings.TrimSpace(note)}
	if p.Summary == "" {
		if err := s.foreign("pause", a); err != nil {
			return a, err
		}
		text, err := s.capture(ctx, a, summaryLines)
		if err != nil {
			return a, fmt.Errorf("pause %s: %w", a.Name, err)
		}
		p.Summary, p.Auto = Summarize(text), true
	}
	a.Pause, a.Status = p, reel.AgentPaused
	return a, s.put(ctx, a)
}

// Resume ends a pause. ECONFLICT, naming the current status, unless the
// session is paused.
func (s *Supervisor) Resume(ctx context.Context, key string) (reel.AgentSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.find(ctx, key)
	if err != nil {
		return a, err
	}
	if a.Status != reel.AgentPaused {
		return a, reel.Errorf(reel.ECONFLICT, "resume %s: it is %s, not paused", a.Name, a.Status).WithHint(statusHint(a))
	}
	now := s.now().UTC()
	a.Pause.ResumedAt = now
	a.LastActivity = now
	a.Status = reel.AgentRunning
	if a.PID == 0 {
		a.Status = reel.AgentStarting
	}
	return a, s.put(ctx, a)
}

// statusHint tells what can be done with a session in its status.
func statusHint(a reel.AgentSession) string {
	switch a.Status {
	case reel.AgentPaused:
		return "resume it first: reel resume " + a.Name
	case reel.AgentStopped:
		return "it has ended; start a new one with: reel run -- " + strings.Join(a.Command, " ")
	}
	return "pause it first: reel pause " + a.Name
}

// Stop kills the session's tmux session and keeps its record, stopped.
// Stopping a stopped session, or one whose tmux session is already gone,
// is not an error.
func (s *Supervisor) Stop(ctx context.Context, key string) (reel.AgentSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.find(ctx, key)
	if err != nil || a.Status == reel.AgentStopped {
		return a, err
	}
	if err := s.foreign("stop", a); err != nil {
		return a, err
	}
	_, err = s.run.Run(ctx, "kill-session", "-t", sessionTarget(a))
	if err != nil && reel.ErrorCode(err) != reel.ENOTFOUND && !errors.Is(err, ErrNoServer) {
		return a, fmt.Errorf("stop %s: %w", a.Name, err)
	}
	a.Status, a.StoppedAt = reel.AgentStopped, s.now().UTC()
	return a, s.put(ctx, a)
}

// Send types text into the session's pane (literally: tmux send-keys -l),
// then presses Enter if enter. ECONFLICT for a stopped session.
func (s *Supervisor) Send(ctx context.Context, key, text string, enter bool) error {
	a, err := s.Agent(ctx, key)
	if err != nil {
		return err
	}
	if a.Status == reel.AgentStopped {
		return reel.Errorf(reel.ECONFLICT, "send to %s: it is stopped", a.Name).WithHint(statusHint(a))
	}
	if err := s.foreign("send to", a); err != nil {
		return err
	}
	if text != "" {
		if _, err := s.run.Run(ctx, "send-keys", "-t", paneTarget(a), "-l", "--", text); err != nil {
			return paneGone("send to", a, err)
		}
	}
	if enter {
		if _, err := s.run.Run(ctx, "send-keys", "-t", paneTarget(a), "Enter"); err != nil {
			return paneGone("send to", a, err)
		}
	}
	return nil
}

// Output returns the pane's last lines, all of its history if lines is 0
// or less. ECONFLICT if the pane is gone.
func (s *Supervisor) Output(ctx context.Context, key string, lines int) (string, error) {
	a, err := s.Agent(ctx, key)
	if err != nil {
		return "", err
	}
	if err := s.foreign("read the pane of", a); err != nil {
		return "", err
	}
	return s.capture(ctx, a, lines)
}

// capture returns the last lines of a's pane (all if lines <= 0),
// wrapped lines joined, trailing blanks trimmed.
func (s *Supervisor) capture(ctx context.Context, a reel.AgentSession, lines int) (string, error) {
	out, err := s.run.Run(ctx, "capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", paneTarget(a))
	if err != nil {
		return "", paneGone("read the pane of", a, err)
	}
	ls := strings.Split(out, "\n")
	for i := range ls {
		ls[i] = strings.TrimRight(ls[i], " \t")
	}
	for len(ls) > 0 && ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	if lines > 0 && len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	if len(ls) == 0 {
		return "", nil
	}
	return strings.Join(ls, "\n") + "\n", nil
}

// paneGone turns tmux's "can't find" into an ECONFLICT that says the
// session's tmux session is gone.
func paneGone(op string, a reel.AgentSession, err error) error {
	if reel.ErrorCode(err) == reel.ENOTFOUND || errors.Is(err, ErrNoServer) {
		return &reel.Error{Code: reel.ECONFLICT, Message: fmt.Sprintf("%s %s: its tmux session %s is gone", op, a.Name, a.Tmux),
			Hint: "reel reap removes it from the list", Err: err}
	}
	return fmt.Errorf("%s %s: %w", op, a.Name, err)
}

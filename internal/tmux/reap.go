package tmux

import (
	"context"
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
)

// Reap removes the sessions whose tmux session is gone and marks stopped
// those whose agent exited (its pane is dead, or its process is gone).
// Stopped sessions, and those of another tmux server, are left as they
// are. No running tmux server means every session of this one is gone. When tmux cannot be asked (not installed: the
// EUNSUPPORT; any other failure: the error), it changes nothing.
func (s *Supervisor) Reap(ctx context.Context) (reel.ReapReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reap(ctx)
}

func (s *Supervisor) reap(ctx context.Context) (reel.ReapReport, error) {
	rep := reel.ReapReport{Removed: []reel.AgentSession{}, Stopped: []reel.AgentSession{}}
	list, err := s.reg.Agents(ctx)
	if err != nil {
		return rep, err
	}
	// Asked after the registry is read, so a session started in between
	// is in the listing, never taken for gone.
	panes, err := s.panes(ctx)
	if err != nil {
		return rep, fmt.Errorf("reap: %w", err)
	}
	now := s.now().UTC()
	for _, a := range list {
		if a.Status == reel.AgentStopped || !s.mine(a) {
			continue
		}
		p, ok := panes[a.Tmux]
		switch {
		case !ok:
			if err := s.reg.DeleteAgent(ctx, a.ID); err != nil {
				return rep, err
			}
			rep.Removed = append(rep.Removed, a)
		case p.Dead || a.PID > 0 && !alive(a.PID):
			a.Status, a.StoppedAt = reel.AgentStopped, now
			if err := s.put(ctx, a); err != nil {
				return rep, err
			}
			rep.Stopped = append(rep.Stopped, a)
		}
	}
	return rep, nil
}

// Reconcile brings the registry in line with tmux, for a daemon that
// starts: it reaps, then fills missing PIDs and refreshes every
// session's activity and status. It returns what the reap changed.
func (s *Supervisor) Reconcile(ctx context.Context) (reel.ReapReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep, err := s.reap(ctx)
	if err != nil {
		return rep, err
	}
	_, _, err = s.load(ctx)
	return rep, err
}

// CapturePIDs looks for the agent's process of every session that lacks
// one, under its pane's shell, and saves what it finds (a starting
// session becomes running). It returns how many live sessions still lack
// a PID, so that a caller retries while that is more than 0. It only
// reads tmux's listing and the process table, never waits.
func (s *Supervisor) CapturePIDs(ctx context.Context) (missing int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, panes, err := s.load(ctx)
	if err != nil {
		return 0, err
	}
	for _, a := range list {
		if p, ok := panes[a.Tmux]; ok && s.mine(a) && a.PID == 0 && !p.Dead && a.Status != reel.AgentStopped {
			missing++
		}
	}
	return missing, nil
}

// ObserveHook records that a hook event came from the agent in tmux pane
// pane (its $TMUX_PANE): status (waiting or running) becomes the
// session's, unless it is paused, and the event's time its last
// activity; sessionID, when not empty, is the reel session of its
// events. EINVALID for another status; ENOTFOUND if no live session has
// that pane.
func (s *Supervisor) ObserveHook(ctx context.Context, pane, status, sessionID string) error {
	if status != reel.AgentWaiting && status != reel.AgentRunning {
		return reel.Errorf(reel.EINVALID, "hook status %q: want %s or %s", status, reel.AgentWaiting, reel.AgentRunning)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.reg.Agents(ctx)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a.Pane != pane || pane == "" || a.Status == reel.AgentStopped || !s.mine(a) {
			continue
		}
		a.LastActivity = s.now().UTC()
		if sessionID != "" {
			a.SessionID = sessionID
		}
		if a.Status != reel.AgentPaused {
			a.Status = status
		}
		return s.put(ctx, a)
	}
	return reel.Errorf(reel.ENOTFOUND, "no supervised session runs in tmux pane %q", pane)
}

// Adopt registers the existing tmux session tmuxSession under name (its
// tmux name if empty, made a valid name). Its agent is the pane's
// foreground process under the pane's shell, or the pane's process
// itself. ENOTFOUND if tmux has no such session; ECONFLICT if it or the
// name is registered; EINVALID for a bad name.
func (s *Supervisor) Adopt(ctx context.Context, tmuxSession, name string) (reel.AgentSession, error) {
	if name != "" && !validName.MatchString(name) {
		return reel.AgentSession{}, reel.Errorf(reel.EINVALID, "adopt: bad name %q", name).
			WithHint("a name is letters, digits, '-' and '_', at most 64, starting with a letter or digit")
	}
	if name == "" {
		name = tmuxSession
		if !validName.MatchString(name) {
			name = slug(name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, panes, err := s.load(ctx)
	if err != nil {
		return reel.AgentSession{}, fmt.Errorf("adopt: %w", err)
	}
	p, ok := panes[tmuxSession]
	if !ok {
		var names []string
		for n := range panes {
			names = append(names, n)
		}
		e := reel.Errorf(reel.ENOTFOUND, "adopt: tmux has no session %q", tmuxSession)
		if len(names) > 0 {
			return reel.AgentSession{}, e.WithHint("tmux sessions: " + strings.Join(names, ", "))
		}
		return reel.AgentSession{}, e.WithHint("tmux has no sessions")
	}
	for _, a := range list {
		if a.Tmux == tmuxSession && s.mine(a) && a.Status != reel.AgentStopped {
			return reel.AgentSession{}, reel.Errorf(reel.ECONFLICT, "adopt: tmux session %s is already supervised as %s", tmuxSession, a.Name)
		}
		if a.Name == name {
			return reel.AgentSession{}, reel.Errorf(reel.ECONFLICT, "adopt: the name %q is taken", name).
				WithHint("give another with -n NAME")
		}
	}
	id, err := newID()
	if err != nil {
		return reel.AgentSession{}, err
	}
	now := s.now().UTC()
	a := reel.AgentSession{
		ID: id, Name: name, Status: reel.AgentRunning, Dir: p.Path, Tmux: tmuxSession, Pane: p.ID, Socket: s.socket,
		CreatedAt: now, LastActivity: now, Adopted: true,
	}
	if p.Activity.After(now) {
		a.LastActivity = p.Activity
	}
	if a.PID = agentPID(p.PID); a.PID == 0 {
		a.PID = p.PID
	}
	a.Command = strings.Fields(p.StartCommand)
	if len(a.Command) == 0 {
		a.Command = []string{p.Command}
	}
	a.Agent = agentOf([]string{p.Command})
	if p.Dead {
		a.Status, a.StoppedAt = reel.AgentStopped, now
	}
	return a, s.put(ctx, a)
}

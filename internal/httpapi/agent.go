package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/reel-sh/reel"
)

// supervisor returns the supervisor, EUNSUPPORT if there is none.
func (s *Server) supervisor() (reel.Supervisor, error) {
	if s.svc.Supervisor == nil {
		return nil, unsupported("supervisor of agent sessions")
	}
	return s.svc.Supervisor, nil
}

func (s *Server) listAgents(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	if s.opts.AgentsTTL > 0 {
		return s.cachedAgents(r.Context(), sup)
	}
	as, err := sup.Agents(r.Context())
	if as == nil && err == nil {
		as = []reel.AgentSession{}
	}
	return as, err
}

func (s *Server) startAgent(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	var req reel.StartRequest
	if err := decodeBody(r, &req, false); err != nil {
		return nil, err
	}
	return sup.Start(r.Context(), req)
}

func (s *Server) getAgent(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	return sup.Agent(r.Context(), r.PathValue("key"))
}

func (s *Server) pauseAgent(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	var req pauseRequest
	if err := decodeBody(r, &req, true); err != nil {
		return nil, err
	}
	return sup.Pause(r.Context(), r.PathValue("key"), req.Note)
}

func (s *Server) resumeAgent(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		return nil, err
	}
	return sup.Resume(r.Context(), r.PathValue("key"))
}

func (s *Server) stopAgent(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		return nil, err
	}
	return sup.Stop(r.Context(), r.PathValue("key"))
}

func (s *Server) sendAgent(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	var req sendRequest
	if err := decodeBody(r, &req, false); err != nil {
		return nil, err
	}
	if err := sup.Send(r.Context(), r.PathValue("key"), req.Text, req.Enter); err != nil {
		return nil, err
	}
	return okResponse{OK: true}, nil
}

func (s *Server) agentOutput(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	lines, err := queryInt(r, "lines", 0)
	if err != nil {
		return nil, err
	}
	out, err := sup.Output(r.Context(), r.PathValue("key"), lines)
	if err != nil {
		return nil, err
	}
	return outputResponse{Output: out}, nil
}

func (s *Server) adoptAgent(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	var req adoptRequest
	if err := decodeBody(r, &req, false); err != nil {
		return nil, err
	}
	if req.Tmux == "" {
		return nil, reel.Errorf(reel.EINVALID, "adopt: no tmux session named").WithHint(`send {"tmux": "SESSION"}`)
	}
	return sup.Adopt(r.Context(), req.Tmux, req.Name)
}

func (s *Server) reap(r *http.Request) (any, error) {
	sup, err := s.supervisor()
	if err != nil {
		return nil, err
	}
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		return nil, err
	}
	rep, err := sup.Reap(r.Context())
	if rep.Removed == nil {
		rep.Removed = []reel.AgentSession{}
	}
	if rep.Stopped == nil {
		rep.Stopped = []reel.AgentSession{}
	}
	return rep, err
}

// agentPath is the path of a supervised session, or of one of its
// actions.
func agentPath(key, action string) string {
	p := "/v1/agents/" + url.PathEscape(key)
	if action != "" {
		p += "/" + action
	}
	return p
}

// Start starts req.Command in a new supervised session.
func (c *Client) Start(ctx context.Context, req reel.StartRequest) (reel.AgentSession, error) {
	var a reel.AgentSession
	return a, c.do(ctx, "POST", "/v1/agents", nil, req, &a, true)
}

// Agents lists the supervised sessions, newest first.
func (c *Client) Agents(ctx context.Context) ([]reel.AgentSession, error) {
	var as []reel.AgentSession
	return as, c.do(ctx, "GET", "/v1/agents", nil, nil, &as, true)
}

// Agent returns the supervised session key names.
func (c *Client) Agent(ctx context.Context, key string) (reel.AgentSession, error) {
	var a reel.AgentSession
	return a, c.do(ctx, "GET", agentPath(key, ""), nil, nil, &a, true)
}

// Pause pauses a supervised session with note.
func (c *Client) Pause(ctx context.Context, key, note string) (reel.AgentSession, error) {
	var a reel.AgentSession
	return a, c.do(ctx, "POST", agentPath(key, "pause"), nil, pauseRequest{Note: note}, &a, true)
}

// Resume ends a supervised session's pause.
func (c *Client) Resume(ctx context.Context, key string) (reel.AgentSession, error) {
	var a reel.AgentSession
	return a, c.do(ctx, "POST", agentPath(key, "resume"), nil, nil, &a, true)
}

// Stop stops a supervised session.
func (c *Client) Stop(ctx context.Context, key string) (reel.AgentSession, error) {
	var a reel.AgentSession
	return a, c.do(ctx, "POST", agentPath(key, "stop"), nil, nil, &a, true)
}

// Send types text into a supervised session's pane, then Enter if enter.
func (c *Client) Send(ctx context.Context, key, text string, enter bool) error {
	return c.do(ctx, "POST", agentPath(key, "send"), nil, sendRequest{Text: text, Enter: enter}, &okResponse{}, true)
}

// Output returns a supervised session's last lines of output (all of
// them when lines is 0 or less).
func (c *Client) Output(ctx context.Context, key string, lines int) (string, error) {
	var q url.Values
	if lines > 0 {
		q = url.Values{"lines": {strconv.Itoa(lines)}}
	}
	var out outputResponse
	return out.Output, c.do(ctx, "GET", agentPath(key, "output"), q, nil, &out, true)
}

// Reap removes and stops the supervised sessions that have ended.
func (c *Client) Reap(ctx context.Context) (reel.ReapReport, error) {
	var rep reel.ReapReport
	return rep, c.do(ctx, "POST", "/v1/reap", nil, nil, &rep, true)
}

// Adopt registers the existing tmux session tmuxSession under name.
func (c *Client) Adopt(ctx context.Context, tmuxSession, name string) (reel.AgentSession, error) {
	var a reel.AgentSession
	return a, c.do(ctx, "POST", "/v1/agents/adopt", nil, adoptRequest{Tmux: tmuxSession, Name: name}, &a, true)
}

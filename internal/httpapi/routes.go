package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/reel-sh/reel"
)

// maxBody caps a request body; maxHookBody a hook event's, which carries
// a client's tool input and output (a file read whole, a long command
// output) and must not be lost for being large.
const (
	maxBody     = 1 << 20
	maxHookBody = 16 << 20
)

// route is one API endpoint. The mux and the OpenAPI document are both
// made from the routes table, so every route is documented.
type route struct {
	Method, Path string
	// ID is the OpenAPI operationId; Summary its one line, Doc its
	// description.
	ID, Summary, Doc string
	Params           []param
	// Body and Resp are zero values of the request and response types,
	// for the document's schemas; Resp nil with RawType set for a body
	// that is not JSON.
	Body, Resp any
	RawType    string
	// Status is the status of success, 200 if 0.
	Status int
	// MaxBody caps the request body, maxBody if 0.
	MaxBody int64
	// Needs names the service the route needs, for the document.
	Needs string

	h   func(s *Server, r *http.Request) (any, error)
	raw func(s *Server, w http.ResponseWriter, r *http.Request) error
}

// param is one query parameter of a route.
type param struct {
	Name string
	// Type is string, integer, boolean, time (RFC 3339) or list (a
	// string that may be repeated and comma-separated).
	Type string
	Doc  string
	// Required parameters must be present and not empty.
	Required bool
}

// Request and response bodies that are not domain types.
type (
	pauseRequest struct {
		// Note is the pause's summary; one is made from the pane's last
		// lines when empty.
		Note string `json:"note"`
	}
	sendRequest struct {
		Text  string `json:"text"`
		Enter bool   `json:"enter"`
	}
	adoptRequest struct {
		// Tmux names the existing tmux session.
		Tmux string `json:"tmux"`
		// Name is the name to register it under; its tmux name if empty.
		Name string `json:"name,omitempty"`
	}
	checkpointRequest struct {
		Label string          `json:"label"`
		State json.RawMessage `json:"state,omitempty"`
	}
	syncRequest struct {
		// Sources names the sources to sync; every enabled one when empty.
		Sources []string `json:"sources"`
	}
	outputResponse struct {
		Output string `json:"output"`
	}
	okResponse struct {
		OK bool `json:"ok"`
	}
	// statusResponse is the status when the server has a store and no
	// Status function.
	statusResponse struct {
		Store reel.StoreStats `json:"store"`
	}
)

var (
	sessionFilterParams = []param{
		{Name: "source", Type: "list", Doc: "only these sources"},
		{Name: "project", Type: "string", Doc: "project path contains this text (case-insensitive)"},
		{Name: "since", Type: "time", Doc: "active (for search: events) at or after this time"},
		{Name: "until", Type: "time", Doc: "active (for search: events) before this time"},
	}
	spanParams = []param{
		{Name: "since_seq", Type: "integer", Doc: "events with seq at or above this"},
		{Name: "from", Type: "time", Doc: "events at or after this time"},
		{Name: "to", Type: "time", Doc: "events at or before this time"},
		{Name: "from_checkpoint", Type: "string", Doc: "from this checkpoint (id or label), inclusive"},
		{Name: "to_checkpoint", Type: "string", Doc: "to this checkpoint (id or label), exclusive"},
		{Name: "role", Type: "list", Doc: "only events of these roles"},
		{Name: "limit", Type: "integer", Doc: "at most this many, the first ones; 0 for all"},
	}
	kindParam  = param{Name: "kind", Type: "list", Doc: "only events of these kinds"}
	limitParam = param{Name: "limit", Type: "integer", Doc: "at most this many; 0 for all"}
)

// apiRoutes returns every route of the API. (A function, not a
// variable: the document route's handler describes the routes.)
func apiRoutes() []*route {
	return []*route{
		{Method: "GET", Path: "/v1/agents", ID: "listAgents", Summary: "List supervised sessions, newest first",
			Doc: "Each session is reconciled with tmux (activity, status, PID) as it is listed. A server started " +
				"with a cache time (the daemon's) may answer a list reconciled up to that long before: a change made " +
				"through the API is listed by the next request, any other write to the registry within 100 ms; what only tmux knows " +
				"(output activity, idle after the quiet period, a pane that ended) shows within the cache time. " +
				"GET /v1/agents/{key} always asks tmux.",
			Resp: []reel.AgentSession{}, Needs: "supervisor", h: (*Server).listAgents},
		{Method: "POST", Path: "/v1/agents", ID: "startAgent", Summary: "Start a command in a supervised tmux session",
			Body: reel.StartRequest{}, Resp: reel.AgentSession{}, Status: http.StatusCreated, Needs: "supervisor",
			h: (*Server).startAgent},
		{Method: "POST", Path: "/v1/agents/adopt", ID: "adoptAgent", Summary: "Register an existing tmux session",
			Body: adoptRequest{}, Resp: reel.AgentSession{}, Status: http.StatusCreated, Needs: "supervisor",
			h: (*Server).adoptAgent},
		{Method: "GET", Path: "/v1/agents/{key}", ID: "getAgent", Summary: "One supervised session, by id, id prefix or name",
			Resp: reel.AgentSession{}, Needs: "supervisor", h: (*Server).getAgent},
		{Method: "POST", Path: "/v1/agents/{key}/pause", ID: "pauseAgent", Summary: "Pause a supervised session with a note",
			Doc:  "The body may be empty: the summary is then made from the pane's last lines.",
			Body: pauseRequest{}, Resp: reel.AgentSession{}, Needs: "supervisor", h: (*Server).pauseAgent},
		{Method: "POST", Path: "/v1/agents/{key}/resume", ID: "resumeAgent", Summary: "End a pause",
			Doc: "The body is empty or {}.", Resp: reel.AgentSession{}, Needs: "supervisor", h: (*Server).resumeAgent},
		{Method: "POST", Path: "/v1/agents/{key}/stop", ID: "stopAgent", Summary: "Kill a supervised session's tmux session and keep its record",
			Doc: "The body is empty or {}.", Resp: reel.AgentSession{}, Needs: "supervisor", h: (*Server).stopAgent},
		{Method: "POST", Path: "/v1/agents/{key}/send", ID: "sendAgent", Summary: "Type text into a supervised session's pane",
			Body: sendRequest{}, Resp: okResponse{}, Needs: "supervisor", h: (*Server).sendAgent},
		{Method: "GET", Path: "/v1/agents/{key}/output", ID: "agentOutput", Summary: "A supervised session's last pane lines",
			Params: []param{{Name: "lines", Type: "integer", Doc: "this many last lines; all of the history if 0 or absent"}},
			Resp:   outputResponse{}, Needs: "supervisor", h: (*Server).agentOutput},
		{Method: "POST", Path: "/v1/reap", ID: "reap", Summary: "Remove sessions whose tmux session is gone, mark stopped those whose agent exited",
			Resp: reel.ReapReport{}, Needs: "supervisor", h: (*Server).reap},

		{Method: "GET", Path: "/v1/sessions", ID: "listSessions", Summary: "Stored sessions, most recently active first",
			Doc: "Never older than the store: a server whose store can tell its version (SQLite) answers a list " +
				"encoded before only while no write was committed since, by any process.",
			Params: append(append([]param{}, sessionFilterParams...), limitParam),
			Resp:   []reel.Session{}, Needs: "store", h: (*Server).listSessions},
		{Method: "GET", Path: "/v1/sessions/{id}", ID: "getSession", Summary: "One stored session, by id or unique prefix",
			Resp: reel.Session{}, Needs: "store", h: (*Server).getSession},
		{Method: "GET", Path: "/v1/sessions/{id}/events", ID: "sessionEvents", Summary: "A span of a session's events, in seq order",
			Doc:    "The parameters combine; each narrows the span (see reel.EventQuery).",
			Params: append(append([]param{}, spanParams...), kindParam),
			Resp:   []reel.Event{}, Needs: "timeline, or a store for queries without since_seq and checkpoints",
			h: (*Server).sessionEvents},
		{Method: "GET", Path: "/v1/sessions/{id}/replay", ID: "sessionReplay", Summary: "The tool calls and commands of a span, each with its result",
			Params: spanParams, Resp: []reel.Step{}, Needs: "timeline", h: (*Server).sessionReplay},
		{Method: "GET", Path: "/v1/sessions/{id}/diff", ID: "sessionDiff", Summary: "What happened between two checkpoints",
			Params: []param{{Name: "a", Type: "string", Required: true, Doc: "one checkpoint, id or label"},
				{Name: "b", Type: "string", Required: true, Doc: "the other checkpoint, id or label"}},
			Resp: reel.Diff{}, Needs: "timeline", h: (*Server).sessionDiff},
		{Method: "GET", Path: "/v1/sessions/{id}/checkpoints", ID: "listCheckpoints", Summary: "A session's checkpoints, by seq",
			Resp: []reel.Checkpoint{}, Needs: "checkpoint list", h: (*Server).listCheckpoints},
		{Method: "POST", Path: "/v1/sessions/{id}/checkpoints", ID: "createCheckpoint", Summary: "Checkpoint a session at its current end",
			Body: checkpointRequest{}, Resp: reel.Checkpoint{}, Status: http.StatusCreated, Needs: "checkpoint maker",
			h: (*Server).createCheckpoint},
		{Method: "GET", Path: "/v1/sessions/{id}/export", ID: "exportSession", Summary: "A session written out, as reel export writes it",
			Params:  []param{{Name: "format", Type: "string", Doc: "native (default), markdown, json, reel, or a runbook format"}},
			RawType: "application/octet-stream", Needs: "export", raw: (*Server).exportSession},

		{Method: "GET", Path: "/v1/search", ID: "search", Summary: "Full-text search over every session's events, best first",
			Doc: "q is parsed as reel search parses it: words, \"phrases\", prefix*, AND, OR, NOT, -word, parentheses.",
			Params: append([]param{{Name: "q", Type: "string", Doc: "the query"}}, append(append([]param{}, sessionFilterParams...),
				kindParam, param{Name: "role", Type: "list", Doc: "only events of these roles"},
				param{Name: "session", Type: "string", Doc: "only this session (id or unique prefix)"},
				param{Name: "limit", Type: "integer", Doc: "at most this many hits, at least 1; 20 if absent"})...),
			Resp: []reel.Hit{}, Needs: "store", h: (*Server).search},
		{Method: "POST", Path: "/v1/sync", ID: "sync", Summary: "Sync sources into the store",
			Doc:  "The body may be empty: every enabled source is synced. The response is the daemon's sync report.",
			Body: syncRequest{}, Resp: new(any), Needs: "sync", h: (*Server).sync},
		{Method: "GET", Path: "/v1/status", ID: "status", Summary: "The daemon's status; its store field is the store's statistics",
			Resp: statusResponse{}, Needs: "status, or a store", h: (*Server).status},
		{Method: "POST", Path: "/v1/hooks", ID: "hook", Summary: "Record one agent hook event",
			Body: reel.HookEvent{}, Resp: okResponse{}, Status: http.StatusAccepted, MaxBody: maxHookBody,
			Needs: "hooks", h: (*Server).hook},
		{Method: "GET", Path: "/healthz", ID: "health", Summary: "Whether the server answers",
			Resp: okResponse{}, h: func(*Server, *http.Request) (any, error) { return okResponse{OK: true}, nil }},
		{Method: "GET", Path: "/openapi.json", ID: "openapi", Summary: "This document",
			RawType: "application/json", raw: (*Server).openAPI},
	}
}

// checkParams refuses query parameters the route does not take, a
// parameter given twice that is not a list, and a missing required one.
func (rt *route) checkParams(r *http.Request) error {
	q := r.URL.Query()
	for name, vals := range q {
		p := rt.param(name)
		switch {
		case p == nil:
			err := reel.Errorf(reel.EINVALID, "unknown query parameter %q", name)
			if len(rt.Params) == 0 {
				return err.WithHint(rt.Method + " " + rt.Path + " takes no query parameters")
			}
			return err.WithHint(rt.Method + " " + rt.Path + " takes " + rt.paramNames())
		case len(vals) > 1 && p.Type != "list":
			return reel.Errorf(reel.EINVALID, "query parameter %q given %d times", name, len(vals))
		}
	}
	for _, p := range rt.Params {
		if p.Required && q.Get(p.Name) == "" {
			return reel.Errorf(reel.EINVALID, "query parameter %q is required", p.Name)
		}
	}
	return nil
}

func (rt *route) param(name string) *param {
	for i := range rt.Params {
		if rt.Params[i].Name == name {
			return &rt.Params[i]
		}
	}
	return nil
}

func (rt *route) paramNames() string {
	s := ""
	for i, p := range rt.Params {
		if i > 0 {
			s += ", "
		}
		s += p.Name
	}
	return s
}

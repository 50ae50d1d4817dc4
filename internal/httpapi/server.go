package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/reel-sh/reel"
)

// CheckpointLister lists a session's checkpoints; both stores implement
// it (reel.Store will, on its own).
type CheckpointLister interface {
	// Checkpoints returns the checkpoints of the session with the full id
	// sessionID, ordered by seq. ENOTFOUND for an unknown session.
	Checkpoints(ctx context.Context, sessionID string) ([]reel.Checkpoint, error)
}

// Services are what the server serves. Any of them may be nil: its
// routes then answer EUNSUPPORT (501), naming what is missing.
type Services struct {
	// Store serves the stored sessions, their events (when Timeline is
	// nil), search and, when Status is nil, the status.
	Store reel.Store
	// Checkpoints lists checkpoints (GET /v1/sessions/{id}/checkpoints).
	Checkpoints CheckpointLister
	// Checkpoint creates a checkpoint labelled label, with state (nil for
	// none), at the current end of session (an id or a prefix; a live
	// session's next event), as POST /v1/sessions/{id}/checkpoints asks.
	// The daemon provides it, since live sessions checkpoint through the
	// live manager. It returns the checkpoint made.
	Checkpoint func(ctx context.Context, session, label string, state json.RawMessage) (reel.Checkpoint, error)
	// Timeline serves events, replays and diffs.
	Timeline reel.Timeline
	// Supervisor serves the supervised agent sessions.
	Supervisor reel.Supervisor
	// Hooks takes agent hook events (POST /v1/hooks).
	Hooks reel.HookSink
	// Sync syncs the named sources (every enabled one when empty) and
	// returns a JSON-encodable report.
	Sync func(ctx context.Context, sources []string) (any, error)
	// Status returns the daemon's status, JSON-encodable. It should be an
	// object whose "store" field is the reel.StoreStats, which the
	// client's Stats reads.
	Status func(ctx context.Context) (any, error)
	// Export writes session (an id or a prefix) to w in format, as reel
	// export does. An error before the first byte is answered as an
	// error; one after it cuts the response off, which the client reports.
	Export func(ctx context.Context, w io.Writer, session, format string) error
}

// Options guard a server. The zero Options guard nothing, which is right
// for the unix socket only: its mode 0600 is the guard. A TCP server
// needs Token, CheckHost and RateLimit.
type Options struct {
	// Token, when set, is the bearer token every request must send
	// (Authorization: Bearer TOKEN); it is compared in constant time and
	// never logged. 401 without it.
	Token string
	// CheckHost refuses (421) requests whose Host header is not
	// localhost, 127.0.0.1, [::1], Addr or one of AllowedHosts, with or
	// without a port, so that a web page cannot reach the API through a
	// DNS name rebound to 127.0.0.1.
	CheckHost    bool
	AllowedHosts []string
	// Addr is the TCP listen address (host:port), accepted as a Host.
	Addr string
	// RateLimit, when above 0, is the requests per second each client
	// (remote IP) may make, in bursts of twice as many; 429 with
	// Retry-After beyond it.
	RateLimit float64
	// Logger receives internal errors; slog.Default() if nil.
	Logger *slog.Logger
	// Mount serves more handlers beside the API's routes, by ServeMux
	// pattern, behind the same guards: the daemon mounts MCP at /mcp.
	Mount map[string]http.Handler

	// NoCache turns off the session list's cache. Without it, when
	// Services.Store implements Versioned (the SQLite store does), GET
	// /v1/sessions answers from lists encoded before, by normalised
	// query, for as long as the store's DataVersion stays the same, which
	// it asks on every request: a list is never older than the store.
	NoCache bool
	// AgentsTTL, when above 0, lets GET /v1/agents answer a list read
	// (and reconciled with tmux) up to AgentsTTL before, instead of
	// asking tmux on every request. The list is read again at once after
	// any change this server makes (any successful POST) and, when the
	// store is Versioned, within 100 ms of any commit to the store, which
	// holds the daemon's registry; what only tmux knows (output activity, idle
	// after the quiet period, a pane's end) shows within AgentsTTL. 0
	// reconciles on every request, as reel.Supervisor.Agents does.
	AgentsTTL time.Duration
}

// Server serves the API over Services.
type Server struct {
	svc     Services
	opts    Options
	log     *slog.Logger
	handler http.Handler

	sessions listCache
	agents   agentCache
	// now is the agent cache's clock.
	now func() time.Time
}

// NewServer returns a server of svc guarded by opts.
func NewServer(svc Services, opts Options) *Server {
	s := &Server{svc: svc, opts: opts, log: opts.Logger, now: time.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	mux := http.NewServeMux()
	for _, rt := range apiRoutes() {
		mux.Handle(rt.Method+" "+rt.Path, s.serve(rt))
	}
	for pattern, h := range opts.Mount {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.log, reel.Errorf(reel.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path).
			WithHint("GET /openapi.json lists every route"))
	})
	s.handler = s.guard(mux)
	return s
}

// Handler returns the server's handler: the routes behind the guards
// Options asked for.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer returns an http.Server of Handler with timeouts fit for
// either listener: headers must arrive within 10 s and an idle connection
// is closed after 2 minutes. There is no write timeout, since a sync or
// an export may run for minutes.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// serve runs one route: it checks the query parameters, caps the body,
// calls the handler and answers its value or error.
func (s *Server) serve(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.checkParams(r); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		max := int64(maxBody)
		if rt.MaxBody > 0 {
			max = rt.MaxBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		if rt.raw != nil {
			if err := rt.raw(s, w, r); err != nil {
				writeError(w, r, s.log, err)
			}
			return
		}
		v, err := s.call(rt, r)
		if rt.Method != http.MethodGet && s.opts.AgentsTTL > 0 {
			// It may have changed a supervised session, even if it
			// failed half way.
			s.agents.invalidate()
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		writeJSON(w, status, v)
	})
}

// call runs a JSON route's handler. A panic in a service is answered as
// an internal error, its value and stack logged: nothing of the
// response is written before the handler returns.
func (s *Server) call(rt *route, r *http.Request) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s %s panicked: %v\n%s", rt.Method, rt.Path, p, debug.Stack())
		}
	}()
	return rt.h(s, r)
}

// unsupported is the error of a route whose service is missing.
func unsupported(what string) error {
	return reel.Errorf(reel.EUNSUPPORT, "this server has no %s", what).
		WithHint("the daemon serves it; run the command without the daemon, or upgrade it")
}

// ValidateTCP returns EINVALID unless o is fit for a TCP listener: a
// token of at least 16 bytes and the Host check on. The daemon calls it
// before it listens on TCP.
func (o Options) ValidateTCP() error {
	switch {
	case len(o.Token) < 16:
		return reel.Errorf(reel.EINVALID, "serve the API on TCP: the token is %d bytes, fewer than 16", len(o.Token)).
			WithHint("put a long random token in the token file, or leave [daemon] listen empty")
	case !o.CheckHost:
		return reel.Errorf(reel.EINVALID, "serve the API on TCP: the Host check is off")
	}
	return nil
}

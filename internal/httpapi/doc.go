// Package httpapi is reel's HTTP API: a server over the domain services
// (the store, the supervisor, the timeline, the hook sink and the
// daemon's own functions) and a client that implements the same domain
// interfaces, so that the CLI can work through a running daemon.
//
// # Transport
//
// The daemon serves the API on a unix socket (internal/unixsock: mode
// 0600 in a folder of mode 0700, which is the only guard it needs) and, when
// configured, on TCP. A TCP server is built with Options that require a
// bearer token, check the Host header against DNS rebinding and limit
// each client's request rate.
//
// # Wiring
//
// The daemon builds one server per listener over the same Services, and
// mounts its MCP handler at /mcp with Options.Mount:
//
//	unix := httpapi.NewServer(svc, httpapi.Options{Logger: log})
//	l, err := unixsock.Listen(paths.Socket()) // EBUSY if a daemon answers there
//	go unix.HTTPServer().Serve(l)
//
//	tcp := httpapi.NewServer(svc, httpapi.Options{Token: token, CheckHost: true,
//		Addr: cfg.Daemon.Listen, AllowedHosts: cfg.Daemon.AllowedHosts,
//		RateLimit: cfg.Daemon.RateLimit, Logger: log})
//
// and the CLI tries the daemon first:
//
//	c, err := httpapi.Dial(paths.Socket())
//	if httpapi.IsUnavailable(err) { /* open the store directly */ }
//
// # Routes
//
// Every route is one entry of one table (routes.go), from which both the
// ServeMux and the OpenAPI 3.1 document at GET /openapi.json are made, so
// the two cannot drift. Requests and responses are JSON, except the body
// of an export. Request bodies are capped at 1 MiB (413 beyond; hook
// events, which carry a client's tool output, at 16 MiB), unknown JSON
// fields and unknown query parameters are refused with EINVALID naming
// them, and times in query parameters are RFC 3339.
//
// # Caches
//
// The two lists clients poll are served from memory. GET /v1/sessions
// keeps each normalised query's encoded list while the store's
// DataVersion (Versioned; the SQLite store has it) stays the same, and
// asks it on every request, so no list is ever older than the store,
// whichever process wrote it; Options.NoCache turns this off. GET
// /v1/agents reconciles with tmux on every request unless
// Options.AgentsTTL is set: then it answers a list up to that old,
// read again at once after any POST through the server, and within
// 100 ms of any commit to the store (which holds the daemon's registry:
// a status a hook reported, the reaper's work). The daemon sets it to
// 1 s; reel ps without a daemon asks tmux itself.
//
// # Errors
//
// An error is answered as {"error":{"code","message","hint"}}, with the
// status that statusOf maps its reel code to, once:
//
//	not_found    404
//	ambiguous    409 (a prefix names several things: the request conflicts with what exists)
//	invalid      400 (413 for a body over the cap)
//	conflict     409
//	busy         423 (a lock is held by someone else; 429 for the rate limit)
//	unsupported  501
//	corrupt      500
//	internal     500, with the message "internal error": the detail is logged, never sent
//
// A missing or wrong token is 401 and a refused Host 421, both with the
// code invalid. The client turns an error body back into a *reel.Error
// with the same code, message and hint.
package httpapi

package mcp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
)

// CheckpointLister lists a session's checkpoints. The SQLite store
// implements it.
type CheckpointLister interface {
	// Checkpoints returns the checkpoints of the session with that full
	// id, ordered by seq. ENOTFOUND if there is no such session.
	Checkpoints(ctx context.Context, sessionID string) ([]reel.Checkpoint, error)
}

// Deps are the services the tools use. Any may be nil: the tools that
// need it are then not registered, so a client never sees a tool that
// cannot work.
type Deps struct {
	// Store serves search, list_sessions, get_session and
	// recent_activity.
	Store reel.Store
	// Timeline serves events_between_checkpoints.
	Timeline reel.Timeline
	// Supervisor serves session_status and, with Options.Control, the
	// control tools.
	Supervisor reel.Supervisor
	// Checkpoints, with Store, serves list_checkpoints.
	Checkpoints CheckpointLister
}

// Options configure the server.
type Options struct {
	// Control registers the tools that change supervised sessions
	// (pause_session, resume_session, send_to_session); from
	// config.MCPConfig.Control, off by default.
	Control bool
	// Version is reel's version, told to clients; "dev" if empty.
	Version string
	// Logger receives internal errors that tool results do not show; nil
	// discards them.
	Logger *slog.Logger
}

// instructions tell a client what the server is for.
const instructions = `reel keeps every terminal and AI-coding-agent session (Claude Code, Codex, Gemini CLI, opencode, Cursor, aider, shell recordings, …) in one searchable store.
Use search to find past work by its text, list_sessions or recent_activity to see what happened lately, and get_session to read one session page by page (pass next_offset back as offset).
Sessions are named by id; a unique prefix of at least a few characters works too. Times (since, until) are durations back from now (90m, 36h, 7d, 2w), dates (2026-01-02) or RFC 3339.
Errors come back as results with isError set and {"error": {"code", "message", "hint"}}; the hint says what to do next.`

// NewServer returns an MCP server with the tools that deps allow. Its
// tools are safe to call from several sessions at once, as the services
// are.
func NewServer(deps Deps, opts Options) *mcpsdk.Server {
	if opts.Version == "" {
		opts.Version = "dev"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := mcpsdk.NewServer(&mcpsdk.Implementation{Name: "reel", Title: "reel", Version: opts.Version},
		&mcpsdk.ServerOptions{
			Instructions: instructions,
			Logger:       logger,
			// No logging capability: the server sends no log messages.
			Capabilities: &mcpsdk.ServerCapabilities{},
		})
	t := &tools{deps: deps, log: logger}
	if deps.Store != nil {
		t.addStoreTools(s)
		if deps.Checkpoints != nil {
			t.addCheckpointTools(s)
		}
	}
	if deps.Timeline != nil {
		t.addTimelineTools(s)
	}
	if deps.Supervisor != nil {
		t.addStatusTools(s)
		if opts.Control {
			t.addControlTools(s)
		}
	}
	s.AddReceivingMiddleware(t.errorMiddleware)
	return s
}

// tools holds what every tool handler needs.
type tools struct {
	deps Deps
	log  *slog.Logger
}

// addTool registers a typed tool whose handler returns its output or an
// error, which becomes an error result (see errorMiddleware). The input
// schema is inferred from In; the output schema is Out's or that of an
// error result, so that clients that check every structured result against
// the schema (the TypeScript SDK's does) accept error results too.
// Descriptions come from jsonschema tags.
func addTool[In, Out any](s *mcpsdk.Server, tool *mcpsdk.Tool, h func(context.Context, In) (Out, error)) {
	tool.OutputSchema = outputSchema[Out]()
	mcpsdk.AddTool(s, tool, func(ctx context.Context, _ *mcpsdk.CallToolRequest, in In) (*mcpsdk.CallToolResult, Out, error) {
		out, err := h(ctx, in)
		if err != nil {
			var zero Out
			return nil, zero, &toolError{err: err}
		}
		return nil, out, nil
	})
}

// ErrorResult is the structured content of every error result.
type ErrorResult struct {
	Error ToolError `json:"error"`
}

// outputSchema returns the schema of Out's results or ErrorResult. Both
// are inferred from types reel defines, so inference cannot fail.
func outputSchema[Out any]() *jsonschema.Schema {
	ok, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("infer output schema: %v", err))
	}
	bad, err := jsonschema.For[ErrorResult](nil)
	if err != nil {
		panic(fmt.Sprintf("infer error schema: %v", err))
	}
	bad.Description = "an error result (isError is set)"
	return &jsonschema.Schema{Type: "object", AnyOf: []*jsonschema.Schema{ok, bad}}
}

// readOnly annotates a tool that changes nothing.
func readOnly(title string) *mcpsdk.ToolAnnotations {
	return &mcpsdk.ToolAnnotations{Title: title, ReadOnlyHint: true, OpenWorldHint: new(false)}
}

// ServeStdio serves one client over in and out (newline-delimited
// JSON-RPC, as MCP's stdio transport is) until the client closes in or ctx
// is done. It never writes anything else to out.
func ServeStdio(ctx context.Context, s *mcpsdk.Server, in io.Reader, out io.Writer) error {
	err := s.Run(ctx, &mcpsdk.IOTransport{Reader: io.NopCloser(in), Writer: nopWriteCloser{out}})
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// idleSession is how long the HTTP handler keeps a client's session with
// no request before it closes it, so that clients that vanish without
// ending their session do not pile up in a long-running daemon.
const idleSession = 30 * time.Minute

// Handler returns the streamable HTTP handler that serves s (the MCP
// transport for a server at a URL), for the daemon to mount at /mcp behind
// its own authentication. Each client gets a session of its own, closed
// after 30 minutes without a request; requests through a localhost
// address with another Host header are refused (DNS rebinding).
func Handler(s *mcpsdk.Server) http.Handler {
	return mcpsdk.NewStreamableHTTPHandler(func(*http.Request) *mcpsdk.Server { return s },
		&mcpsdk.StreamableHTTPOptions{SessionTimeout: idleSession})
}

package mcp

import (
	"context"
	"errors"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
)

// ToolError is what an error result says, in ErrorResult.
type ToolError struct {
	// Code is one of reel's error codes (not_found, ambiguous, invalid,
	// conflict, busy, corrupt, unsupported, internal).
	Code    string `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// toolError marks an error that a tool handler returned, as opposed to
// one the SDK made while checking the arguments.
type toolError struct{ err error }

func (e *toolError) Error() string { return e.err.Error() }
func (e *toolError) Unwrap() error { return e.err }

// errorOf maps err to what a client sees, once for every tool: the code
// and message of the first *reel.Error in the chain, with its hint. An
// internal error, or any error that is not a *reel.Error, shows only
// "internal error"; its details go to the log.
func (t *tools) errorOf(ctx context.Context, tool string, err error) ToolError {
	var te *toolError
	if !errors.As(err, &te) {
		// The SDK refused the arguments (schema validation or decoding):
		// its message names the field, and holds no internals.
		return ToolError{Code: reel.EINVALID, Message: err.Error(),
			Hint: "check the arguments against the tool's input schema"}
	}
	var re *reel.Error
	if errors.As(te.err, &re) && re.Code != reel.EINTERNAL {
		msg := re.Message
		if msg == "" {
			msg = re.Code
		}
		return ToolError{Code: re.Code, Message: msg, Hint: re.Hint}
	}
	if errors.Is(te.err, context.Canceled) || errors.Is(te.err, context.DeadlineExceeded) {
		return ToolError{Code: reel.EBUSY, Message: "the call was cancelled or timed out", Hint: "try again"}
	}
	t.log.ErrorContext(ctx, "mcp tool failed", "tool", tool, "err", te.err)
	return ToolError{Code: reel.EINTERNAL, Message: "internal error",
		Hint: "the reel server logged the details; try again, or run the same query with the reel CLI"}
}

// errorMiddleware rewrites every error result of tools/call: its text
// becomes "code: message" (and the hint), its structured content
// ErrorResult, whoever made the error.
func (t *tools) errorMiddleware(next mcpsdk.MethodHandler) mcpsdk.MethodHandler {
	return func(ctx context.Context, method string, req mcpsdk.Request) (mcpsdk.Result, error) {
		res, err := next(ctx, method, req)
		if method != "tools/call" || err != nil {
			return res, err
		}
		r, ok := res.(*mcpsdk.CallToolResult)
		if !ok || !r.IsError {
			return res, err
		}
		cause := r.GetError()
		if cause == nil {
			return res, err
		}
		name := ""
		if p, ok := req.GetParams().(*mcpsdk.CallToolParamsRaw); ok {
			name = p.Name
		}
		e := t.errorOf(ctx, name, cause)
		text := e.Code + ": " + e.Message
		if e.Hint != "" {
			text += "\nhint: " + e.Hint
		}
		r.Content = []mcpsdk.Content{&mcpsdk.TextContent{Text: text}}
		r.StructuredContent = ErrorResult{Error: e}
		return r, nil
	}
}

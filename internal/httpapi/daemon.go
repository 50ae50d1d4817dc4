package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/reel-sh/reel"
)

func (s *Server) sync(r *http.Request) (any, error) {
	if s.svc.Sync == nil {
		return nil, unsupported("sync")
	}
	var req syncRequest
	if err := decodeBody(r, &req, true); err != nil {
		return nil, err
	}
	return s.svc.Sync(r.Context(), req.Sources)
}

func (s *Server) status(r *http.Request) (any, error) {
	if s.svc.Status != nil {
		return s.svc.Status(r.Context())
	}
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	stats, err := st.Stats(r.Context())
	return statusResponse{Store: stats}, err
}

func (s *Server) hook(r *http.Request) (any, error) {
	if s.svc.Hooks == nil {
		return nil, unsupported("hook sink")
	}
	var e reel.HookEvent
	if err := decodeBody(r, &e, false); err != nil {
		return nil, err
	}
	if err := s.svc.Hooks.Hook(r.Context(), e); err != nil {
		return nil, err
	}
	return okResponse{OK: true}, nil
}

// exportSession streams an export. An error before the first byte is
// answered as an error; after it the connection is cut, so the client
// sees a truncated body, never a complete-looking one.
func (s *Server) exportSession(w http.ResponseWriter, r *http.Request) error {
	if s.svc.Export == nil {
		return unsupported("export")
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "native"
	}
	lw := &lazyWriter{w: w}
	if err := s.svc.Export(r.Context(), lw, r.PathValue("id"), format); err != nil {
		if !lw.started {
			return err
		}
		s.log.Error("export failed after its first byte", "session", r.PathValue("id"), "format", format, "err", err)
		panic(http.ErrAbortHandler)
	}
	if !lw.started {
		lw.start()
	}
	return nil
}

// lazyWriter sends the success status with the first byte.
type lazyWriter struct {
	w       http.ResponseWriter
	started bool
}

func (l *lazyWriter) start() {
	l.started = true
	l.w.Header().Set("Content-Type", "application/octet-stream")
	l.w.Header().Set("X-Content-Type-Options", "nosniff")
	l.w.WriteHeader(http.StatusOK)
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.start()
	}
	return l.w.Write(p)
}

// Sync asks the daemon to sync sources (every enabled one when empty)
// and returns its report, as JSON. Only ctx bounds it.
func (c *Client) Sync(ctx context.Context, sources []string) (json.RawMessage, error) {
	var rep json.RawMessage
	return rep, c.do(ctx, "POST", "/v1/sync", nil, syncRequest{Sources: sources}, &rep, false)
}

// Status returns the daemon's status, as JSON.
func (c *Client) Status(ctx context.Context) (json.RawMessage, error) {
	var st json.RawMessage
	return st, c.do(ctx, "GET", "/v1/status", nil, nil, &st, true)
}

// Stats returns the store's statistics: the status's store field.
// ECORRUPT if the status has none.
func (c *Client) Stats(ctx context.Context) (reel.StoreStats, error) {
	var st struct {
		Store *reel.StoreStats `json:"store"`
	}
	if err := c.do(ctx, "GET", "/v1/status", nil, nil, &st, true); err != nil {
		return reel.StoreStats{}, err
	}
	if st.Store == nil {
		return reel.StoreStats{}, reel.Errorf(reel.ECORRUPT, "daemon status at %s has no store statistics", c.where)
	}
	return *st.Store, nil
}

// Hook hands e to the daemon.
func (c *Client) Hook(ctx context.Context, e reel.HookEvent) error {
	return c.do(ctx, "POST", "/v1/hooks", nil, e, &okResponse{}, true)
}

// Export writes session (an id or a prefix) to w in format, as the
// daemon exports it. Only ctx bounds it. An export the daemon cut off is
// an error, after w got what arrived.
func (c *Client) Export(ctx context.Context, w io.Writer, session, format string) error {
	var q url.Values
	if format != "" {
		q = url.Values{"format": {format}}
	}
	resp, err := c.send(ctx, "GET", sessionPath(session, "export"), q, nil, false)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("export %s: %w", session, err)
	}
	return nil
}

// openAPI serves the OpenAPI document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	doc, err := openAPIDocument()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(doc) // an error here is a client that went away
	return nil
}

package mcp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/mcp"
)

func TestHandler_StreamableHTTP(t *testing.T) {
	st := openStore(t)
	srv := httptest.NewServer(mcp.Handler(mcp.NewServer(mcp.Deps{Store: st}, mcp.Options{Version: "v9"})))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	// Two clients at once, each with a session of its own.
	var sessions []*mcpsdk.ClientSession
	for range 2 {
		client := mcpsdk.NewClient(&mcpsdk.Implementation{Name: "test", Version: "1"}, nil)
		cs, err := client.Connect(ctx, &mcpsdk.StreamableClientTransport{Endpoint: srv.URL, MaxRetries: -1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close() })
		sessions = append(sessions, cs)
	}
	if sessions[0].ID() == "" || sessions[0].ID() == sessions[1].ID() {
		t.Errorf("session ids %q and %q", sessions[0].ID(), sessions[1].ID())
	}
	if v := sessions[0].InitializeResult().ServerInfo.Version; v != "v9" {
		t.Errorf("server version %q", v)
	}
	for _, cs := range sessions {
		var out mcp.SearchOutput
		call(t, cs, "search", map[string]any{"query": "ENOSPC"}, &out)
		if len(out.Hits) != 1 || out.Hits[0].SessionID != apiID || out.Hits[0].Seq != 42 {
			t.Errorf("hits over HTTP = %+v", out.Hits)
		}
		if e := callErr(t, cs, "get_session", map[string]any{"session": "fffff"}); e.Code != reel.ENOTFOUND {
			t.Errorf("error over HTTP = %+v", e)
		}
	}
	if got := len(toolNames(t, sessions[1])); got != 4 {
		t.Errorf("%d tools over HTTP, want 4", got)
	}
}

func TestHandler_ErrRebinding(t *testing.T) {
	srv := httptest.NewServer(mcp.Handler(mcp.NewServer(mcp.Deps{Store: openStore(t)}, mcp.Options{})))
	t.Cleanup(srv.Close)
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "attacker.example"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a request through localhost naming another host got %s, want 403", resp.Status)
	}
}

func TestServeStdio(t *testing.T) {
	st := openStore(t)
	server := mcp.NewServer(mcp.Deps{Store: st}, mcp.Options{})
	// The server reads what the client writes and the other way round.
	clientR, serverW := io.Pipe()
	serverR, clientW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mcp.ServeStdio(ctx, server, serverR, serverW) }()

	client := mcpsdk.NewClient(&mcpsdk.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcpsdk.IOTransport{Reader: clientR, Writer: clientW}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out mcp.SessionsOutput
	call(t, cs, "list_sessions", map[string]any{"limit": 1}, &out)
	if len(out.Sessions) != 1 || out.Sessions[0].ID != apiID {
		t.Errorf("sessions over stdio = %+v", out.Sessions)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ServeStdio after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeStdio did not return after its context was cancelled")
	}
	cs.Close()
}

package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/unixsock"
)

// base is the start time of the test sessions.
var base = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// testSessions is how many sessions testStore writes: over 16, so two
// ids share their first hex digit, and a one-digit prefix is ambiguous.
const testSessions = 17

// testStore returns a real SQLite store holding testSessions sessions:
// session i has source claude-code (even i) or codex (odd i), project
// /home/u/proj<i%3>, and 6 events one second apart from base + i hours:
// user and assistant messages, a Bash tool call and its result, and
// words to search for ("deploy" in every session, "zebra<i>" in one).
func testStore(t testing.TB) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "reel.db"))
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	var bs []*reel.Batch
	for i := range testSessions {
		bs = append(bs, sessionBatch(i))
	}
	if err := st.Apply(ctx, bs...); err != nil {
		t.Fatalf("Apply = %v", err)
	}
	return st
}

// sessionBatch is the batch of test session i.
func sessionBatch(i int) *reel.Batch {
	src := reel.SourceClaudeCode
	if i%2 == 1 {
		src = reel.SourceCodex
	}
	native := fmt.Sprintf("native-%02d", i)
	start := base.Add(time.Duration(i) * time.Hour)
	ss := reel.Session{ID: reel.SessionID(src, native), Source: src, NativeID: native,
		Title: fmt.Sprintf("session %d", i), Project: fmt.Sprintf("/home/u/proj%d", i%3),
		StartedAt: start, EndedAt: start.Add(5 * time.Second), Status: reel.StatusCompleted, EventCount: 6}
	b := &reel.Batch{Session: ss, Cursor: reel.Cursor{Path: "/src/" + native + ".jsonl", Source: src, SessionID: ss.ID}}
	texts := []struct{ kind, role, tool, text string }{
		{reel.KindMessage, reel.RoleUser, "", fmt.Sprintf("please deploy the api zebra%d", i)},
		{reel.KindMessage, reel.RoleAssistant, "", "I will run the deploy script"},
		{reel.KindToolCall, reel.RoleAssistant, "Bash", "./deploy.sh --prod"},
		{reel.KindToolResult, reel.RoleTool, "Bash", "deployed in 3s"},
		{reel.KindMessage, reel.RoleAssistant, "", "done"},
		{reel.KindMessage, reel.RoleUser, "", "thanks"},
	}
	for seq, x := range texts {
		line := fmt.Sprintf(`{"seq":%d,"text":%q}`+"\n", seq, x.text)
		b.Raw = append(b.Raw, reel.RawRecord{Index: int64(seq), Data: []byte(line), Status: reel.RecordOK})
		b.Events = append(b.Events, reel.Event{SessionID: ss.ID, Seq: int64(seq), Kind: x.kind, Role: x.role,
			Tool: x.tool, Text: x.text, RawIndex: int64(seq), Time: start.Add(time.Duration(seq) * time.Second)})
	}
	b.Cursor.NextRaw, b.Cursor.NextSeq = 6, 6
	return b
}

// shortDir returns a new private folder with a short path: a unix
// socket's path must fit in about 100 bytes, which t.TempDir's may not.
func shortDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "reelapi")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// logBuffer collects a server's log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// serve serves h on l until the test ends.
func serve(t testing.TB, srv *Server, l net.Listener) {
	t.Helper()
	hs := srv.HTTPServer()
	done := make(chan error, 1)
	go func() { done <- hs.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		if err := <-done; err != http.ErrServerClosed {
			t.Errorf("Serve = %v", err)
		}
	})
}

// unixServer serves svc on a unix socket and returns a client of it, the
// socket's path and the server's log.
func unixServer(t testing.TB, svc Services) (*Client, string, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	srv := NewServer(svc, Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	path := filepath.Join(shortDir(t), "run", "reel.sock")
	l, err := unixsock.Listen(path)
	if err != nil {
		t.Fatalf("Listen = %v", err)
	}
	serve(t, srv, l)
	c, err := Dial(path)
	if err != nil {
		t.Fatalf("Dial = %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, path, logs
}

// tcpServer serves svc with opts on a loopback TCP port and returns its
// address (host:port) and the server's log. opts.Addr is set to it.
func tcpServer(t testing.TB, svc Services, opts Options) (string, *logBuffer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	opts.Addr = l.Addr().String()
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	serve(t, NewServer(svc, opts), l)
	return l.Addr().String(), logs
}

// rawResponse is a response as the wire had it.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// rawCall makes a request with client hc to url and returns the response
// whole; hdr sets headers ("Host" sets the Host).
func rawCall(t testing.TB, hc *http.Client, method, url string, body io.Reader, hdr map[string]string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

// errorOf decodes an error body, failing the test if it is not one.
func errorOf(t testing.TB, r rawResponse) errorDetail {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(r.body, &eb); err != nil || eb.Error.Code == "" {
		t.Fatalf("body %q is not an error body (%v)", r.body, err)
	}
	return eb.Error
}

// unixHTTP returns an http.Client whose every request goes to the socket.
func unixHTTP(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}}
}

// wantCode fails the test unless err is a *reel.Error with code whose
// message contains part.
func wantCode(t testing.TB, err error, code, part string) *reel.Error {
	t.Helper()
	var re *reel.Error
	if !errors.As(err, &re) {
		t.Fatalf("err = %v (%T), want a *reel.Error with code %s", err, err, code)
	}
	if re.Code != code {
		t.Fatalf("code = %q (%v), want %q", re.Code, err, code)
	}
	if !bytes.Contains([]byte(re.Message), []byte(part)) {
		t.Fatalf("message %q does not contain %q", re.Message, part)
	}
	return re
}

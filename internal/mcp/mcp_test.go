package mcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/mcp"
	"github.com/reel-sh/reel/internal/sqlite"
)

// The sessions of the test store: api is active now with 300 events (one
// of them 10,002 bytes of multi-byte text), web ended three days ago,
// big has 50 events of 3,000 bytes each.
var (
	apiID = reel.SessionID(reel.SourceClaudeCode, "api")
	webID = reel.SessionID(reel.SourceCodex, "web")
	bigID = reel.SessionID(reel.SourceClaudeCode, "big")
)

const (
	apiEvents = 300
	hugeSeq   = 7
)

// openStore returns a real SQLite store holding the test sessions, each
// written as the sync engine writes them: batches with a cursor.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "reel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().Add(-time.Hour).Truncate(time.Second)
	api := make([]string, apiEvents)
	for i := range api {
		api[i] = fmt.Sprintf("event %d of the api work", i)
	}
	api[42] = "the flaky migration failed with ENOSPC on the runner"
	api[hugeSeq] = strings.Repeat("€", 3334) // 10,002 bytes, 3 a rune
	web := []string{"build the web front end", "npm test passed", "the flaky migration again"}
	big := make([]string, 50)
	for i := range big {
		big[i] = strings.Repeat(fmt.Sprintf("%d", i%10), 3000)
	}
	batches := []*reel.Batch{
		testBatch(reel.SourceClaudeCode, "api", "/home/dev/src/api", now, api),
		testBatch(reel.SourceCodex, "web", "/home/dev/src/web", now.Add(-72*time.Hour), web),
		testBatch(reel.SourceClaudeCode, "big", "/home/dev/src/big", now.Add(-2*time.Hour), big),
	}
	if err := st.Apply(ctx, batches...); err != nil {
		t.Fatal(err)
	}
	return st
}

// testBatch returns the batch of a whole session whose events, one a
// second, end at end.
func testBatch(source, native, project string, end time.Time, texts []string) *reel.Batch {
	id := reel.SessionID(source, native)
	start := end.Add(-time.Duration(len(texts)) * time.Second)
	b := &reel.Batch{Session: reel.Session{ID: id, Source: source, NativeID: native, Title: native + " work",
		Project: project, StartedAt: start, EndedAt: end, Status: reel.StatusCompleted, EventCount: int64(len(texts)),
		Path: "/logs/" + native + ".jsonl"}}
	var off int64
	for i, text := range texts {
		line := fmt.Appendf(nil, "{\"text\":%q}\n", text)
		b.Raw = append(b.Raw, reel.RawRecord{Index: int64(i), Offset: off, Data: line, Type: "message", Status: reel.RecordOK})
		off += int64(len(line))
		role := reel.RoleUser
		if i%2 == 1 {
			role = reel.RoleAssistant
		}
		b.Events = append(b.Events, reel.Event{SessionID: id, Seq: int64(i), Time: start.Add(time.Duration(i+1) * time.Second),
			Kind: reel.KindMessage, Role: role, Text: text, RawIndex: int64(i)})
	}
	n := int64(len(texts))
	b.Cursor = reel.Cursor{Path: b.Session.Path, Source: source, SessionID: id, Size: off, ModTime: end,
		HeadHash: "head", Offset: off, NextRaw: n, NextSeq: n}
	return b
}

// connect serves a server over in-memory transports and returns a client
// session of the SDK's own client.
func connect(t *testing.T, deps mcp.Deps, opts mcp.Options) *mcpsdk.ClientSession {
	t.Helper()
	ctx := context.Background()
	server := mcp.NewServer(deps, opts)
	st, ct := mcpsdk.NewInMemoryTransports()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	client := mcpsdk.NewClient(&mcpsdk.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call calls a tool that must succeed and decodes its structured content
// into out.
func call(t *testing.T, cs *mcpsdk.ClientSession, name string, args any, out any) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcpsdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.IsError {
		t.Fatalf("%s(%v) is an error: %s", name, args, text(res))
	}
	decode(t, res.StructuredContent, out)
	// The text content is the same JSON, for clients that read only text.
	var again any
	if err := json.Unmarshal([]byte(text(res)), &again); err != nil {
		t.Fatalf("%s: text content is not the JSON result: %v", name, err)
	}
}

// callErr calls a tool that must fail and returns the error it reports
// in its structured content, checking the text says the same.
func callErr(t *testing.T, cs *mcpsdk.ClientSession, name string, args any) mcp.ToolError {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcpsdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v, want an error result", name, err)
	}
	if !res.IsError {
		t.Fatalf("%s(%v) succeeded, want an error result", name, args)
	}
	var er mcp.ErrorResult
	decode(t, res.StructuredContent, &er)
	if want := er.Error.Code + ": " + er.Error.Message; !strings.HasPrefix(text(res), want) {
		t.Errorf("%s: text %q does not start with %q", name, text(res), want)
	}
	return er.Error
}

func decode(t *testing.T, v any, out any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func text(res *mcpsdk.CallToolResult) string {
	if len(res.Content) == 0 {
		return ""
	}
	if tc, ok := res.Content[0].(*mcpsdk.TextContent); ok {
		return tc.Text
	}
	return ""
}

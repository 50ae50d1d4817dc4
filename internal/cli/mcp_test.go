package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/testenv"
)

// mcpStore writes a SQLite store holding one session of three events,
// the third saying "ENOSPC", and returns the environment that makes
// `reel mcp` (this test binary re-executed as reel) serve it.
func mcpStore(t *testing.T) (env []string, id string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "reel.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	id = reel.SessionID(reel.SourceCodex, "mcp-e2e")
	end := time.Now().Add(-time.Minute).Truncate(time.Second)
	b := &reel.Batch{Session: reel.Session{ID: id, Source: reel.SourceCodex, NativeID: "mcp-e2e", Title: "disk full",
		Project: "/home/dev/src/api", StartedAt: end.Add(-time.Minute), EndedAt: end, Status: reel.StatusCompleted, EventCount: 3}}
	for i, text := range []string{"why does the build fail", "let me look at the runner", "the runner's disk is full: ENOSPC"} {
		b.Events = append(b.Events, reel.Event{SessionID: id, Seq: int64(i), Time: end.Add(time.Duration(i-3) * time.Second),
			Kind: reel.KindMessage, Role: reel.RoleUser, Text: text, RawIndex: int64(i)})
		b.Raw = append(b.Raw, reel.RawRecord{Index: int64(i), Data: fmt.Appendf(nil, "%q\n", text), Type: "message", Status: reel.RecordOK})
	}
	if err := st.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	for _, c := range []reel.Checkpoint{{ID: "cp-look", SessionID: id, Label: "look", Seq: 1}, {ID: "cp-found", SessionID: id, Label: "found", Seq: 2}} {
		if err := st.PutCheckpoint(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	env = append(os.Environ(), asReel+"=1", "REEL_HOME="+filepath.Join(dir, "home"), "REEL_STORE="+db,
		"REEL_CONFIG="+filepath.Join(dir, "none.toml"), "NO_COLOR=1",
		// Supervised sessions on a tmux server of the test's own (none
		// runs: the list is empty).
		fmt.Sprintf("REEL_TMUX_SOCKET=reeltest-mcp-%d", os.Getpid()))
	return env, id
}

// TestMCP_Stdio runs a real `reel mcp` process and talks to it with the
// Go SDK's client over its standard input and output.
func TestMCP_Stdio(t *testing.T) {
	env, id := mcpStore(t)
	cmd := exec.Command(os.Args[0], "mcp")
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	ctx := context.Background()
	client := mcpsdk.NewClient(&mcpsdk.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcpsdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect to reel mcp: %v\n%s", err, stderr.String())
	}
	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	if want := []string{"events_between_checkpoints", "get_session", "list_checkpoints", "list_sessions", "recent_activity", "search", "session_status"}; !slices.Equal(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
	// The span between two checkpoints, through the real timeline.
	res, err := cs.CallTool(ctx, &mcpsdk.CallToolParams{Name: "events_between_checkpoints",
		Arguments: map[string]any{"session": id[:8], "from_checkpoint": "found", "to_checkpoint": "look"}})
	if err != nil || res.IsError {
		t.Fatalf("events_between_checkpoints: %v %+v", err, res)
	}
	b, _ := json.Marshal(res.StructuredContent)
	var span struct{ Events []struct{ Seq int64 } }
	if err := json.Unmarshal(b, &span); err != nil || len(span.Events) != 1 || span.Events[0].Seq != 1 {
		t.Errorf("events_between_checkpoints = %s (%v), want the one event at seq 1", b, err)
	}
	res, err = cs.CallTool(ctx, &mcpsdk.CallToolParams{Name: "events_between_checkpoints",
		Arguments: map[string]any{"session": id, "from_checkpoint": "nosuch"}})
	if err != nil || !res.IsError {
		t.Errorf("events_between_checkpoints of a missing checkpoint: %v %+v, want an error result", err, res)
	}
	res, err = cs.CallTool(ctx, &mcpsdk.CallToolParams{Name: "session_status", Arguments: map[string]any{}})
	if err != nil || res.IsError {
		t.Errorf("session_status: %v %+v", err, res)
	}
	res, err = cs.CallTool(ctx, &mcpsdk.CallToolParams{Name: "search", Arguments: map[string]any{"query": "enospc"}})
	if err != nil || res.IsError {
		t.Fatalf("search: %v %+v", err, res)
	}
	b, _ = json.Marshal(res.StructuredContent)
	var out struct{ Hits []reel.Hit }
	if err := json.Unmarshal(b, &out); err != nil || len(out.Hits) != 1 || out.Hits[0].SessionID != id || out.Hits[0].Seq != 2 {
		t.Errorf("search = %s (%v)", b, err)
	}
	// Closing the client closes reel's standard input: reel exits 0.
	if err := cs.Close(); err != nil {
		t.Errorf("close: %v\n%s", err, stderr.String())
	}
	if cmd.ProcessState == nil || !cmd.ProcessState.Success() {
		t.Errorf("reel mcp did not exit cleanly: %v\n%s", cmd.ProcessState, stderr.String())
	}
}

// TestMCP_NodeClient runs the official TypeScript SDK's client (a node
// script in testdata/mcp) against a real `reel mcp` process. That client
// checks every structured result against the tool's output schema.
func TestMCP_NodeClient(t *testing.T) {
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "mcp")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; install Node.js 18 or later, then run: npm ci --prefix testdata/mcp")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk", "package.json")); err != nil {
		t.Skip("the TypeScript MCP SDK is not installed; run: npm ci --prefix testdata/mcp")
	}
	env, id := mcpStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.mjs", "enospc", os.Args[0], "mcp")
	cmd.Dir = dir
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node client.mjs: %v\n%s%s", err, stdout, stderr.String())
	}
	var got struct {
		Server struct{ Name string }
		Tools  []string
		// Sessions are ids; Hits and Page what search and get_session
		// returned.
		Sessions []string
		Hits     []struct {
			SessionID string `json:"session_id"`
			Seq       int64
		}
		Page struct {
			Seqs       []int64
			NextOffset *int `json:"next_offset"`
		}
		Error struct {
			IsError    bool
			Structured struct {
				Error struct{ Code, Message string }
			}
			Text string
		}
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("client output %s: %v", stdout, err)
	}
	t.Logf("TypeScript client saw: %s", stdout)
	switch {
	case got.Server.Name != "reel" || len(got.Tools) != 7:
		t.Errorf("server %q with tools %v", got.Server.Name, got.Tools)
	case !slices.Equal(got.Sessions, []string{id}):
		t.Errorf("sessions = %v", got.Sessions)
	case len(got.Hits) != 1 || got.Hits[0].SessionID != id || got.Hits[0].Seq != 2:
		t.Errorf("hits = %+v", got.Hits)
	case !slices.Equal(got.Page.Seqs, []int64{2}) || got.Page.NextOffset != nil:
		t.Errorf("page = %+v", got.Page)
	case !got.Error.IsError || got.Error.Structured.Error.Code != reel.ENOTFOUND || !strings.HasPrefix(got.Error.Text, "not_found: "):
		t.Errorf("error = %+v", got.Error)
	}
}

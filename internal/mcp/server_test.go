package mcp_test

import (
	"context"
	"slices"
	"testing"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/reel-sh/reel/internal/mcp"
)

func toolNames(t *testing.T, cs *mcpsdk.ClientSession) map[string]*mcpsdk.Tool {
	t.Helper()
	out := map[string]*mcpsdk.Tool{}
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		out[tool.Name] = tool
	}
	return out
}

func TestNewServer_Tools(t *testing.T) {
	st := openStore(t)
	tl, sup := &FakeTimeline{}, &FakeSupervisor{}
	storeTools := []string{"get_session", "list_sessions", "recent_activity", "search"}
	control := []string{"pause_session", "resume_session", "send_to_session"}
	all := append(slices.Clone(storeTools), "events_between_checkpoints", "list_checkpoints", "session_status")
	for _, tt := range []struct {
		name string
		deps mcp.Deps
		opts mcp.Options
		want []string
	}{
		{"StoreOnly", mcp.Deps{Store: st}, mcp.Options{}, storeTools},
		{"StoreAndCheckpoints", mcp.Deps{Store: st, Checkpoints: st}, mcp.Options{}, append(slices.Clone(storeTools), "list_checkpoints")},
		{"CheckpointsWithoutStore", mcp.Deps{Checkpoints: st, Timeline: tl}, mcp.Options{}, []string{"events_between_checkpoints"}},
		{"All", mcp.Deps{Store: st, Timeline: tl, Supervisor: sup, Checkpoints: st}, mcp.Options{}, all},
		{"AllWithControl", mcp.Deps{Store: st, Timeline: tl, Supervisor: sup, Checkpoints: st}, mcp.Options{Control: true}, append(slices.Clone(all), control...)},
		{"ControlWithoutSupervisor", mcp.Deps{Store: st}, mcp.Options{Control: true}, storeTools},
		{"SupervisorOnlyWithControl", mcp.Deps{Supervisor: sup}, mcp.Options{Control: true}, append([]string{"session_status"}, control...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := toolNames(t, connect(t, tt.deps, tt.opts))
			var names []string
			for name, tool := range got {
				names = append(names, name)
				if len(tool.Description) < 60 {
					t.Errorf("%s: description %q is too thin for an agent to act on", name, tool.Description)
				}
				if tool.OutputSchema == nil || tool.InputSchema == nil {
					t.Errorf("%s: no input or output schema", name)
				}
				readOnly := tool.Annotations != nil && tool.Annotations.ReadOnlyHint
				if readOnly == slices.Contains(control, name) {
					t.Errorf("%s: readOnlyHint = %v", name, readOnly)
				}
			}
			slices.Sort(names)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(names, want) {
				t.Errorf("tools = %v, want %v", names, want)
			}
		})
	}
}

func TestNewServer_NoDeps(t *testing.T) {
	cs := connect(t, mcp.Deps{}, mcp.Options{Control: true})
	if cs.InitializeResult().Capabilities.Tools != nil {
		t.Errorf("a server with no services advertises tools")
	}
	if got := cs.InitializeResult().ServerInfo; got.Name != "reel" || got.Version != "dev" {
		t.Errorf("server info = %+v", got)
	}
}

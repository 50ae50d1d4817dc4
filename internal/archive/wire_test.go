package archive

import (
	"reflect"
	"slices"
	"testing"

	"github.com/reel-sh/reel"
)

// TestWire_CoversModel fails when a reel type gains or loses a field: the
// document must carry it (in wire.go, with a new format Version if older
// readers would lose it), or the export would silently drop it.
func TestWire_CoversModel(t *testing.T) {
	for _, tc := range []struct {
		typ    reflect.Type
		fields []string
	}{
		{reflect.TypeFor[reel.Session](), []string{"ID", "Source", "NativeID", "ParentID", "Title", "Project",
			"GitBranch", "Host", "Model", "Version", "StartedAt", "EndedAt", "Status", "EventCount", "Tokens", "Path"}},
		{reflect.TypeFor[reel.Tokens](), []string{"Input", "Output", "CacheRead", "CacheCreation", "Reasoning"}},
		{reflect.TypeFor[reel.RawRecord](), []string{"Index", "Offset", "Name", "Data", "Type", "Status", "Reason"}},
		{reflect.TypeFor[reel.Event](), []string{"SessionID", "Seq", "Time", "Kind", "Role", "Text", "Tool", "CallID",
			"MessageID", "NativeID", "Model", "ExitCode", "IsError", "Duration", "Tokens", "Input", "RawIndex"}},
		{reflect.TypeFor[reel.Checkpoint](), []string{"ID", "SessionID", "Label", "Time", "Seq", "State"}},
	} {
		var got []string
		for f := range tc.typ.Fields() {
			got = append(got, f.Name)
		}
		if !slices.Equal(got, tc.fields) {
			t.Errorf("%s has fields %v; the reel format carries %v: update wire.go", tc.typ, got, tc.fields)
		}
	}
}

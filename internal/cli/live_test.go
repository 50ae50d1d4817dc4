package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/cli"
	"github.com/reel-sh/reel/internal/live"
	"github.com/reel-sh/reel/internal/proc"
	"github.com/reel-sh/reel/internal/snapshot"
)

// runReel runs reel with args in-process and returns its stdout, failing
// t unless it exits 0.
func runReel(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Main(context.Background(), args, nil, &out, &errb); code != cli.ExitOK {
		t.Fatalf("reel %v: exit %d: %s", args, code, errb.String())
	}
	return out.Bytes()
}

// TestLive_RecoverInSync leaves a live session as a dead writer would
// (its journal unended, its snapshot naming an exited process), then
// checks that reel sync recovers it first, reel status shows the
// recovery, and reel recover finds nothing more.
func TestLive_RecoverInSync(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "reel")
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("REEL_HOME", home)
	t.Setenv("CLAUDE_CONFIG_DIR", "")
	t.Setenv("CODEX_HOME", "")
	snaps := filepath.Join(home, "state", "snapshots")
	m, err := live.NewManager(live.Options{Journals: filepath.Join(home, "data", "live"), Snapshots: snaps})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Open(context.Background(), live.Meta{Source: reel.SourceHooks, NativeID: "claude-code:abc", Title: "fix the build"})
	if err != nil {
		t.Fatal(err)
	}
	s.Append(reel.Event{Kind: reel.KindMessage, Role: reel.RoleUser, Text: "fix the flaky migration"})
	s.Checkpoint("first-prompt", nil)
	s.Append(reel.Event{Kind: reel.KindMessage, Role: reel.RoleAssistant, Text: "done"})
	m.Close()
	snap, _ := snapshot.Read(snapshot.Path(snaps, s.ID()))
	cmd := exec.Command("true")
	cmd.Run()
	snap.Owner = proc.OwnerOf(os.Getpid())
	snap.Owner.PID = cmd.Process.Pid
	snapshot.Write(snaps, snap)

	var st struct {
		Live struct {
			Active      int               `json:"active"`
			Interrupted []json.RawMessage `json:"interrupted"`
			Last        *live.Report      `json:"last_recovery"`
		} `json:"live"`
	}
	json.Unmarshal(runReel(t, "status", "--json"), &st)
	if len(st.Live.Interrupted) != 1 || st.Live.Last != nil {
		t.Errorf("status before sync: %+v, want one interrupted session", st.Live)
	}
	runReel(t, "sync", "--json")

	var sess []reel.Session
	if err := json.Unmarshal(runReel(t, "sessions", "--source", reel.SourceHooks, "--json"), &sess); err != nil {
		t.Fatal(err)
	}
	if len(sess) != 1 || sess[0].ID != s.ID() || sess[0].Status != reel.StatusInterrupted || sess[0].EventCount != 2 {
		t.Errorf("sessions after sync = %+v, want %s interrupted with 2 events", sess, s.ID())
	}
	json.Unmarshal(runReel(t, "status", "--json"), &st)
	if len(st.Live.Interrupted) != 0 || st.Live.Last == nil || len(st.Live.Last.Recovered) != 1 || st.Live.Last.Recovered[0].Checkpoints != 1 {
		t.Errorf("status after sync: %+v, want the recovery recorded", st.Live)
	}
	var rec struct {
		Live live.Report `json:"live"`
	}
	json.Unmarshal(runReel(t, "recover", "--json"), &rec)
	if len(rec.Live.Recovered) != 0 {
		t.Errorf("reel recover after sync found %+v", rec.Live.Recovered)
	}
}

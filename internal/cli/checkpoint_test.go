package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
)

// TestCheckpoint_Recording takes checkpoints in the active recording, as
// reel checkpoint without --session does, and checks the lines, the
// errors, and the stored session after stop.
func TestCheckpoint_Recording(t *testing.T) {
	e := newRecEnv(t)
	r := e.record("marks", "/srv/app", "make build", "make test")

	var first checkpointResult
	if err := json.Unmarshal([]byte(e.ok("checkpoint", "-l", "built", "--json")), &first); err != nil {
		t.Fatal(err)
	}
	sid := journal.SessionID(r.Header.ID)
	if first.Target != "recording" || first.Recording != "marks" || first.Seq != 2 || first.SessionID != sid ||
		first.ID != reel.CheckpointID(sid, 2, "built", first.Time) {
		t.Fatalf("checkpoint = %+v", first)
	}
	// A label twice in a recording is refused; state comes from stdin.
	if _, errs, code := e.run("", "checkpoint", "-l", "built"); code != ExitConflict || !strings.Contains(errs, `label "built" already names`) {
		t.Errorf("second label: exit %d %s", code, errs)
	}
	if _, errs, code := e.run("{oops", "checkpoint", "--state", "-"); code != ExitUsage || !strings.Contains(errs, "state from standard input is not valid JSON") {
		t.Errorf("bad state: exit %d %s", code, errs)
	}
	big := filepath.Join(t.TempDir(), "big.json")
	os.WriteFile(big, []byte(`"`+strings.Repeat("x", reel.MaxCheckpointState)+`"`), 0o600)
	if _, errs, code := e.run("", "checkpoint", "--state", big); code != ExitUsage || !strings.Contains(errs, "larger than") {
		t.Errorf("big state: exit %d %s", code, errs)
	}
	out, _, _ := e.run("[1]", "checkpoint", "--state", "-") // no label
	if !strings.Contains(out, "at event 2 of recording marks (stored at the next sync)") {
		t.Errorf("checkpoint says %q", out)
	}
	if _, _, code := e.run(` {"step": 3} `, "checkpoint", "-l", "with-state", "--state", "-"); code != 0 {
		t.Fatalf("checkpoint with state: exit %d", code)
	}
	journal.Append(r.Path, journal.Command{T: journal.TypeCmd, N: 3, Cmd: "make deploy", Cwd: "/srv/app", StartUS: 1, EndUS: 2})
	rd, err := journal.Read(r.Path)
	if err != nil || len(rd.Checkpoints) != 3 || rd.Events != 3 {
		t.Fatalf("journal: %d checkpoints, %d events, %v; want 3, 3", len(rd.Checkpoints), rd.Events, err)
	}

	e.ok("rec", "stop")
	var cps []reel.Checkpoint
	if err := json.Unmarshal([]byte(e.ok("checkpoints", sid, "--json")), &cps); err != nil {
		t.Fatal(err)
	}
	if len(cps) != 3 || cps[0].ID != first.ID || cps[0].Seq != 2 {
		t.Fatalf("stored = %+v", cps)
	}
	store, err := (&App{env: e.env, Streams: NewStreams(strings.NewReader(""), os.Stdout, os.Stderr, func(k string) string { return e.env[k] })}).Store(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stored, err := store.Checkpoints(t.Context(), sid)
	if err != nil {
		t.Fatal(err)
	}
	var state string
	for _, c := range stored {
		if c.Label == "with-state" {
			state = string(c.State)
		}
	}
	if state != `{"step":3}` {
		t.Errorf("stored state %q, want it compacted", state)
	}
	// Once stopped, no recording is active: EINVALID with a hint.
	if _, errs, code := e.run("", "checkpoint", "-l", "late"); code != ExitUsage || !strings.Contains(errs, "no shell recording is active") {
		t.Errorf("no recording: exit %d %s", code, errs)
	}
	// In a tmux pane that no daemon supervises, it still reaches the
	// recording; with none, the error is the same.
	e.env["TMUX_PANE"] = "%7"
	if _, errs, code := e.run("", "checkpoint"); code != ExitUsage || !strings.Contains(errs, "no shell recording is active") {
		t.Errorf("in tmux, no recording: exit %d %s", code, errs)
	}
}

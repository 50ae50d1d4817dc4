package timeline

import (
	"context"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/ingest"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/reel-sh/reel/internal/syncer"
)

// A replay journal, as reel replay writes it (each command, then its
// output), read by the real shell-recording importer: each command step
// carries its output and exit code, and the diff names the files its
// commands changed.
func TestTimeline_ShellRecording(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	start := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	path, err := journal.Create(dir, journal.Header{ID: "rec-1", Name: "deploy", Kind: journal.KindReplay,
		Shell: "bash", Host: "box", Cwd: "/srv/app", StartedAt: start})
	if err != nil {
		t.Fatal(err)
	}
	us := func(s int) int64 { return start.Add(time.Duration(s) * time.Second).UnixMicro() }
	lines := []any{
		journal.Command{T: journal.TypeCmd, N: 1, Cmd: "cp config.example config.toml", Cwd: "/srv/app", StartUS: us(1), EndUS: us(2), Exit: 0},
		journal.Command{T: journal.TypeCmd, N: 2, Cmd: "sed -i 's/debug/info/' config.toml", Cwd: "/srv/app", StartUS: us(3), EndUS: us(4), Exit: 0},
		journal.Command{T: journal.TypeCmd, N: 3, Cmd: "make deploy", Cwd: "/srv/app", StartUS: us(5), EndUS: us(9), Exit: 2},
		journal.Output{T: journal.TypeOut, N: 3, Text: "make: *** [deploy] Error 2"},
		journal.Footer{T: journal.TypeEnd, EndedAt: start.Add(10 * time.Second), Commands: 3, Status: journal.StatusCompleted},
	}
	for _, l := range lines {
		if err := journal.Append(path, l); err != nil {
			t.Fatal(err)
		}
	}
	st := openStore(t)
	if _, err := syncer.Run(ctx, syncer.Options{Store: st, Host: "box", Workers: 1,
		Sources: []syncer.Source{{Importer: ingest.NewRecording(), Root: dir}}}); err != nil {
		t.Fatal(err)
	}
	ss, err := st.Sessions(ctx, reel.Filter{})
	if err != nil || len(ss) != 1 {
		t.Fatalf("sessions = %v, %v; want one", ss, err)
	}
	id := ss[0].ID
	checkpoints(t, st, id, reel.Checkpoint{ID: "r-start", Label: "start", Seq: 0},
		reel.Checkpoint{ID: "r-end", Label: "end", Seq: ss[0].EventCount})
	tl := New(st)

	steps, err := tl.Replay(ctx, reel.EventQuery{Session: id})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "steps", stepKeys(steps), []stepKey{
		{0, reel.KindCommand, "", "", -1, false, 0},
		{1, reel.KindCommand, "", "", -1, false, 0},
		{2, reel.KindCommand, "", "make: *** [deploy] Error 2", 3, true, 2},
	})

	d, err := tl.Diff(ctx, id, "start", "end")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "commands", d.Commands, []string{"cp config.example config.toml", "sed -i 's/debug/info/' config.toml", "make deploy"})
	equal(t, "files", d.Files, []reel.FileTouch{
		{Path: "config.example", Ops: []string{"command"}},
		{Path: "config.toml", Ops: []string{"command"}},
	})
	if d.Events != 4 || len(d.Tools) != 0 {
		t.Errorf("events %d, tools %v; want 4 and none", d.Events, d.Tools)
	}
}

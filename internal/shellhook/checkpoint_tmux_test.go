package shellhook_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRecording_Checkpoint takes a checkpoint inside a real shell's
// recording, between commands, and checks that the stored session has it
// at the seq of the command that followed: `reel checkpoint` runs in tmux
// (so $TMUX_PANE is set and names no supervised session) and writes into
// the recording, which stop ingests.
func TestRecording_Checkpoint(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			l := newLab(t)
			l.shell(shell, "w")
			l.send("w", "reel rec start -n marks")
			r := l.activeRecording("marks")
			step := func(line string, cmds int) {
				t.Helper()
				l.send("w", line)
				l.wait(10*time.Second, fmt.Sprintf("command %d in the journal", cmds), func() bool { return commandsIn(r.Path) >= cmds },
					func() string { return l.pane("w") })
			}
			step("echo one", 1)
			step("echo two", 2)
			step("reel checkpoint -l mid", 3)
			step("echo three", 4)
			data, _ := os.ReadFile(r.Path)
			if n := strings.Count(string(data), `{"t":"checkpoint"`); n != 1 {
				t.Fatalf("journal holds %d checkpoint lines, want 1:\n%s\n%s", n, data, l.pane("w"))
			}
			if !strings.Contains(l.pane("w"), `Checkpoint `) {
				t.Errorf("reel checkpoint printed no confirmation:\n%s", l.pane("w"))
			}
			// A second checkpoint with the label is refused in the shell.
			step("reel checkpoint -l mid", 5)
			l.waitPane("w", "already names checkpoint", 5*time.Second)

			l.send("w", "reel rec stop")
			l.wait(15*time.Second, "the recording to stop", func() bool {
				for _, x := range l.recordings() {
					if x.ID == r.ID && x.Status == "completed" {
						return true
					}
				}
				return false
			}, func() string { return l.pane("w") })

			var cps []struct {
				Label string `json:"label"`
				Seq   int64  `json:"seq"`
				ID    string `json:"id"`
			}
			if err := json.Unmarshal(l.reel("checkpoints", r.SessionID, "--json"), &cps); err != nil {
				t.Fatal(err)
			}
			if len(cps) != 1 || cps[0].Label != "mid" || cps[0].Seq != 2 {
				t.Fatalf("stored checkpoints = %+v, want mid at seq 2", cps)
			}
			var doc struct {
				Events []struct {
					Seq  int64  `json:"seq"`
					Text string `json:"text"`
				} `json:"events"`
			}
			json.Unmarshal(l.reel("show", r.SessionID, "--json"), &doc)
			if len(doc.Events) < 4 || doc.Events[2].Text != "reel checkpoint -l mid" || doc.Events[1].Text != "echo two" {
				t.Errorf("events = %+v; want seq 2 to be the checkpoint's command, after echo two", doc.Events)
			}
			// Syncing again keeps the one checkpoint, under the same id.
			l.reel("sync")
			var again []struct {
				ID string `json:"id"`
			}
			json.Unmarshal(l.reel("checkpoints", r.SessionID, "--json"), &again)
			if len(again) != 1 || again[0].ID != cps[0].ID {
				t.Errorf("after another sync: %+v, want the one checkpoint %s", again, cps[0].ID)
			}
		})
	}
}

// TestRecording_SnapshotKillNine takes a checkpoint in a real bash
// recording, kills the shell with kill -9, and checks the crash snapshot
// contract: the snapshot is there, not completed, owned by the dead shell
// and as of the checkpoint; reel recover ingests the recording with every
// command and the checkpoint, removes the snapshot and says so, in its
// output and in reel status.
func TestRecording_SnapshotKillNine(t *testing.T) {
	l := newLab(t)
	victim := l.shell("bash", "victim")
	l.send("victim", "reel rec start -n snap")
	r := l.activeRecording("snap")
	snapPath := filepath.Join(l.home, "state", "rec", "snapshots", r.SessionID+".json")
	step := func(line string, cmds int) {
		t.Helper()
		l.send("victim", line)
		l.wait(10*time.Second, fmt.Sprintf("command %d in the journal", cmds), func() bool { return commandsIn(r.Path) >= cmds },
			func() string { return l.pane("victim") })
	}
	step("echo one", 1)
	step("false", 2)
	step("reel checkpoint -l mid", 3)
	step("echo three", 4)

	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for syscall.Kill(victim, 0) == nil {
		time.Sleep(10 * time.Millisecond)
	}
	var snap struct {
		SessionID      string `json:"session_id"`
		Events         int64  `json:"events"`
		Checkpoints    int64  `json:"checkpoints"`
		LastCheckpoint string `json:"last_checkpoint"`
		Completed      bool   `json:"completed"`
		Project        string `json:"project"`
		Results        []struct {
			Preview string `json:"preview"`
			IsError bool   `json:"is_error"`
		} `json:"results"`
		Owner struct {
			PID int `json:"pid"`
		} `json:"owner"`
	}
	data, err := os.ReadFile(snapPath)
	if err != nil {
		t.Fatalf("no snapshot after kill -9: %v", err)
	}
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	// Written at the checkpoint, before the command that took it was
	// journaled: two commands, one checkpoint.
	if snap.Completed || snap.Owner.PID != victim || snap.Events != 2 || snap.Checkpoints != 1 || snap.LastCheckpoint == "" ||
		len(snap.Results) != 2 || !snap.Results[1].IsError || snap.Results[1].Preview != "$ false\nexit 1" || snap.Project == "" {
		t.Fatalf("snapshot = %s; want not completed, owner %d, 2 events, the checkpoint, the 2 commands", data, victim)
	}
	var st struct {
		Recordings struct {
			Interrupted []struct {
				SessionID string `json:"session_id"`
			} `json:"interrupted"`
		} `json:"recordings"`
	}
	json.Unmarshal(l.reel("status", "--json"), &st)
	if len(st.Recordings.Interrupted) != 1 || st.Recordings.Interrupted[0].SessionID != r.SessionID {
		t.Errorf("reel status before recovery: %+v; want the interrupted recording", st.Recordings)
	}

	out := string(l.reel("recover"))
	if !strings.Contains(out, `recovered "snap" as recovered-`) || !strings.Contains(out, "4 commands") {
		t.Errorf("reel recover said:\n%s", out)
	}
	if _, err := os.Stat(snapPath); !os.IsNotExist(err) {
		t.Errorf("snapshot left after recovery: %v", err)
	}
	var doc struct {
		Session struct {
			Status string `json:"status"`
		} `json:"session"`
		Events []struct {
			Text string `json:"text"`
		} `json:"events"`
	}
	json.Unmarshal(l.reel("show", r.SessionID, "--json"), &doc)
	want := []string{"echo one", "false", "reel checkpoint -l mid", "echo three"}
	if doc.Session.Status != "recovered" || len(doc.Events) != len(want) {
		t.Fatalf("stored session = %+v; want recovered with %d commands", doc, len(want))
	}
	for i, w := range want {
		if doc.Events[i].Text != w {
			t.Errorf("event %d = %q, want %q", i, doc.Events[i].Text, w)
		}
	}
	var cps []struct {
		ID    string `json:"id"`
		Label string `json:"label"`
		Seq   int64  `json:"seq"`
	}
	json.Unmarshal(l.reel("checkpoints", r.SessionID, "--json"), &cps)
	if len(cps) != 1 || cps[0].Label != "mid" || cps[0].Seq != 2 || cps[0].ID != snap.LastCheckpoint {
		t.Errorf("stored checkpoints = %+v; want mid at seq 2, id %s", cps, snap.LastCheckpoint)
	}
	var st2 struct {
		Recordings struct {
			Interrupted  []any `json:"interrupted"`
			LastRecovery struct {
				Recovered []struct {
					ID string `json:"id"`
				} `json:"recovered"`
			} `json:"last_recovery"`
		} `json:"recordings"`
	}
	json.Unmarshal(l.reel("status", "--json"), &st2)
	if len(st2.Recordings.Interrupted) != 0 || len(st2.Recordings.LastRecovery.Recovered) != 1 || st2.Recordings.LastRecovery.Recovered[0].ID != r.ID {
		t.Errorf("reel status after recovery: %+v; want none interrupted and the recovery of %s", st2.Recordings, r.ID)
	}
}

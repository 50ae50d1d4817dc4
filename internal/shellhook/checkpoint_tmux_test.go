package shellhook_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
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

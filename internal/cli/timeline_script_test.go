package cli_test

import (
	"context"
	"strconv"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/rogpeppe/go-internal/testscript"
)

// checkpointCmd is the script command "checkpoint SESSION ID LABEL SEQ":
// it puts a checkpoint into the script's SQLite store through the store's
// own PutCheckpoint (LABEL ” for none), at the time of the event it
// marks, as the live recorder does. It stays for checkpoints inside a
// synced session: reel checkpoint --session marks only the session's end
// (its event count), which scripts use it for.
func checkpointCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: checkpoint SESSION ID LABEL SEQ")
	}
	seq, err := strconv.ParseInt(args[3], 10, 64)
	if err != nil {
		ts.Fatalf("checkpoint: seq %q: %v", args[3], err)
	}
	c, err := config.Load(ts.Getenv)
	ts.Check(err)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, c.DatabasePath())
	ts.Check(err)
	defer st.Close()
	sess, err := st.Session(ctx, args[0])
	ts.Check(err)
	var at time.Time
	if evs, err := st.Events(ctx, sess.ID, reel.Filter{SeqFrom: seq, Limit: 1}); err == nil && len(evs) > 0 {
		at = evs[0].Time
	}
	err = st.PutCheckpoint(ctx, reel.Checkpoint{ID: args[1], SessionID: sess.ID, Label: args[2], Seq: seq, Time: at})
	if neg {
		if err == nil {
			ts.Fatalf("checkpoint %s: put, want an error", args[1])
		}
		return
	}
	ts.Check(err)
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
	"github.com/spf13/cobra"
)

type checkpointOptions struct {
	app     *App
	label   string
	session string
	state   string
	json    bool
}

// checkpointResult is what reel checkpoint --json prints: the checkpoint,
// and where it went.
type checkpointResult struct {
	reel.Checkpoint
	// Target is "store" (put into the store at once), "recording" (a line
	// in the active shell recording, stored at the next sync) or "live"
	// (a supervised session).
	Target string `json:"target"`
	// Recording names the shell recording, for the target "recording".
	Recording string `json:"recording,omitempty"`
}

func newCheckpointCmd(app *App) *cobra.Command {
	opts := &checkpointOptions{app: app}
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Mark this point of a session, with an optional label and JSON state",
		Long: `Checkpoint marks the current point of a session: the seq of the next event, so
that later queries can start or stop there. A label (unique within the
session) can name it wherever an id can.

With --session, the checkpoint goes straight into the store, at the stored
session's current event count; SESSION is a full id or a unique prefix.
Without it, the checkpoint is written into the shell recording active for you
(see 'reel rec start'), before the next command, and reaches the store with
the next sync.

--state attaches JSON (a file, or - for standard input; at most 1 MiB), stored
compacted.`,
		Example: `  reel checkpoint -l before-migration
  reel checkpoint --session 3f2a9c -l reviewed --state notes.json
  echo '{"ticket":"OPS-7"}' | reel checkpoint -l triaged --state -
  reel checkpoint --session 3f2a9c --json | jq -r .id`,
		Args: exactArgs(0, "no arguments (name the session with --session)"),
		RunE: func(cmd *cobra.Command, args []string) error { return runCheckpoint(cmd.Context(), opts) },
	}
	cmd.Flags().StringVarP(&opts.label, "label", "l", "", "name the checkpoint (unique within its session)")
	cmd.Flags().StringVar(&opts.session, "session", "", "put it into this stored session (id or unique prefix)")
	cmd.Flags().StringVar(&opts.state, "state", "", "attach JSON state from `FILE`, or - for standard input")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the checkpoint as JSON: id, session_id, label, time, seq, state, target")
	return cmd
}

func runCheckpoint(ctx context.Context, opts *checkpointOptions) error {
	s := opts.app.Streams
	req := checkpointRequest{Label: opts.label, Time: time.Now().UTC()}
	if opts.state != "" {
		st, err := readState(opts.state, s.In)
		if err != nil {
			return err
		}
		req.State = st
	}
	res, err := makeCheckpoint(ctx, opts, req)
	if err != nil {
		return err
	}
	if opts.json {
		return writeJSON(s.Out, res)
	}
	name := ""
	if res.Label != "" {
		name = fmt.Sprintf(" %q", res.Label)
	}
	where := "session " + reel.ShortID(res.SessionID)
	if res.Target == "recording" {
		where = "recording " + res.Recording + " (stored at the next sync)"
	}
	fmt.Fprintf(s.Out, "Checkpoint %s%s at event %d of %s\n", s.Paint(styleCyan, reel.ShortID(res.ID)), name, res.Seq, where)
	return nil
}

// makeCheckpoint puts the checkpoint where opts send it.
func makeCheckpoint(ctx context.Context, opts *checkpointOptions, req checkpointRequest) (checkpointResult, error) {
	if opts.session != "" {
		c, err := storeCheckpoint(ctx, opts.app, opts.session, req)
		return checkpointResult{Checkpoint: c, Target: "store"}, err
	}
	if pane := opts.app.Getenv("TMUX_PANE"); pane != "" {
		c, err := liveCheckpoint(ctx, opts.app, pane, req)
		if reel.ErrorCode(err) != reel.ENOTFOUND {
			return checkpointResult{Checkpoint: c, Target: "live"}, err
		}
	}
	d, err := recDir(opts.app)
	if err != nil {
		return checkpointResult{}, err
	}
	r, line, err := d.Checkpoint(ctx, req.Label, req.State, req.Time)
	if reel.ErrorCode(err) == reel.ENOTFOUND {
		return checkpointResult{}, reel.Errorf(reel.EINVALID, "no shell recording is active, and no session was named").
			WithHint("start a recording with 'reel rec start', or name a stored session with --session SESSION")
	}
	if err != nil && line.ID == "" {
		return checkpointResult{}, err
	}
	if err != nil {
		// The line is in the journal: the checkpoint is taken, only the
		// crash snapshot is behind.
		fmt.Fprintf(opts.app.Streams.Err, "reel: warning: %v\n", err)
	}
	return checkpointResult{Checkpoint: line.Checkpoint(journal.SessionID(r.Header.ID)), Target: "recording", Recording: r.Name}, nil
}

// storeCheckpoint puts a checkpoint into the stored session ref names, at
// its current event count.
func storeCheckpoint(ctx context.Context, app *App, ref string, req checkpointRequest) (reel.Checkpoint, error) {
	store, err := app.Store(ctx)
	if err != nil {
		return reel.Checkpoint{}, err
	}
	ss, err := store.Session(ctx, ref)
	if err != nil {
		return reel.Checkpoint{}, err
	}
	c := reel.Checkpoint{SessionID: ss.ID, Label: req.Label, Time: req.Time, Seq: ss.EventCount, State: req.State}
	c.ID = reel.CheckpointID(c.SessionID, c.Seq, c.Label, c.Time)
	return c, store.PutCheckpoint(ctx, c)
}

// readState reads a checkpoint's state from the file at path, or from in
// for "-": JSON of at most reel.MaxCheckpointState bytes, returned
// compacted. EINVALID, naming the file, if it is not JSON or
// is too large; ENOTFOUND if there is no such file.
func readState(path string, in io.Reader) (json.RawMessage, error) {
	name := "file " + path
	r := in
	if path == "-" {
		name = "from standard input"
	} else {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &reel.Error{Code: reel.ENOTFOUND, Message: "read state " + path, Err: err}
		}
		if err != nil {
			return nil, reel.Errorf(reel.EINVALID, "read state %s: %v", path, err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, reel.MaxCheckpointState+1))
	if err != nil {
		return nil, reel.Errorf(reel.EINVALID, "read state %s: %v", name, err)
	}
	if len(data) > reel.MaxCheckpointState {
		return nil, reel.Errorf(reel.EINVALID, "state %s is larger than %d bytes", name, reel.MaxCheckpointState).
			WithHint("keep a checkpoint's state small: a path or an id of something larger")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || !json.Valid(data) {
		var syn *json.SyntaxError
		detail := "empty"
		if len(data) > 0 {
			if err := json.Unmarshal(data, new(any)); errors.As(err, &syn) {
				detail = fmt.Sprintf("%v at byte %d", syn, syn.Offset)
			} else if err != nil {
				detail = err.Error()
			}
		}
		return nil, reel.Errorf(reel.EINVALID, "state %s is not valid JSON: %s", name, detail)
	}
	// Compacted, so that a checkpoint in a recording (whose journal line
	// is compact JSON) and one in the store hold the same bytes.
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, reel.Errorf(reel.EINVALID, "state %s is not valid JSON: %v", name, err)
	}
	return json.RawMessage(compact.Bytes()), nil
}

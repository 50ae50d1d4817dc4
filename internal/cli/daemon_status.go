package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/daemon"
	"github.com/reel-sh/reel/internal/humanize"
	"github.com/spf13/cobra"
)

type daemonStatusOptions struct {
	app  *App
	json bool
}

func newDaemonStatusCmd(app *App) *cobra.Command {
	opts := &daemonStatusOptions{app: app}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say whether the daemon runs: pid, socket, uptime, syncs",
		Long: `Status says which process holds the daemon lock, where it serves, since
when, and (when its socket answers) how its syncs went. It exits 3 when no
daemon runs.`,
		Example: `  reel daemon status
  reel daemon status --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runDaemonStatus(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the status as JSON")
	return cmd
}

// daemonStatusJSON is `reel daemon status --json`.
type daemonStatusJSON struct {
	Running bool `json:"running"`
	daemon.Info
	UptimeSeconds int64  `json:"uptime_seconds,omitempty"`
	Log           string `json:"log"`
	// Answering says whether the socket answered; Status is what the
	// daemon said, or null.
	Answering bool           `json:"answering"`
	Status    *daemon.Status `json:"status"`
}

func runDaemonStatus(ctx context.Context, opts *daemonStatusOptions) error {
	s := opts.app.Streams
	cfg, err := opts.app.Config()
	if err != nil {
		return err
	}
	out := daemonStatusJSON{Log: cfg.Paths.DaemonLog()}
	info, err := daemon.Holder(cfg.Paths)
	if err != nil {
		if opts.json && reel.ErrorCode(err) == reel.ENOTFOUND {
			if werr := writeJSON(s.Out, out); werr != nil {
				return werr
			}
		}
		return err
	}
	out.Running, out.Info = true, info
	out.UptimeSeconds = int64(time.Since(info.StartedAt).Seconds())
	st, askErr := askDaemonStatus(ctx, info.Socket)
	if askErr == nil {
		out.Answering, out.Status = true, &st
	}
	if opts.json {
		return writeJSON(s.Out, out)
	}
	fmt.Fprintf(s.Out, "%s reel daemon running: pid %d on %s, since %s (up %s)\n", s.Paint(styleGreen, "●"),
		info.PID, info.Host, info.StartedAt.Local().Format(time.DateTime), time.Since(info.StartedAt).Round(time.Second))
	fmt.Fprintf(s.Out, "  version  %s\n", info.Version)
	if askErr == nil {
		fmt.Fprintf(s.Out, "  socket   %s\n", info.Socket)
	} else {
		fmt.Fprintf(s.Out, "  socket   %s %s\n", info.Socket, s.Paint(styleYellow, "(not answering: "+askErr.Error()+")"))
	}
	listen := info.Listen
	if out.Status != nil {
		listen = out.Status.Listen
	}
	if listen != "" {
		fmt.Fprintf(s.Out, "  listen   %s (TCP, token required)\n", listen)
	}
	fmt.Fprintf(s.Out, "  log      %s\n", out.Log)
	if st := out.Status; st != nil {
		last := "none yet"
		if !st.LastSync.IsZero() {
			last = humanize.Ago(time.Since(st.LastSync))
		}
		fmt.Fprintf(s.Out, "  syncs    %d (%d skipped, %d failed), last %s, every %s and %s after a change\n",
			st.Syncs, st.SyncsSkipped, st.SyncErrors, last, st.SyncInterval, st.SyncDebounce)
		if st.LastSyncError != "" {
			fmt.Fprintf(s.Out, "  %s %s\n", s.Paint(styleRed, "last sync failed:"), st.LastSyncError)
		}
		fmt.Fprintf(s.Out, "  watching %d folders\n", st.WatchedFolders)
	}
	return nil
}

// askDaemonStatus asks the daemon on socket for its status.
func askDaemonStatus(ctx context.Context, socket string) (daemon.Status, error) {
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://reel"+daemon.StatusPath, nil)
	if err != nil {
		return daemon.Status{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			return daemon.Status{}, op.Err
		}
		return daemon.Status{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return daemon.Status{}, fmt.Errorf("%s", resp.Status)
	}
	var st daemon.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return daemon.Status{}, fmt.Errorf("read daemon status: %w", err)
	}
	return st, nil
}

type daemonStopOptions struct {
	app     *App
	timeout time.Duration
}

func newDaemonStopCmd(app *App) *cobra.Command {
	opts := &daemonStopOptions{app: app}
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "Stop the running daemon (SIGTERM) and wait for it",
		Long: `Stop sends SIGTERM to the process that holds the daemon lock and waits until
it has released it: it finishes the requests in flight, stops its work and
removes its socket. It exits 3 when no daemon runs, and 4 when the daemon is
still running after --timeout. A daemon that a service manager started
(reel daemon install) may be restarted by it: stop the service there instead.`,
		Example: `  reel daemon stop
  reel daemon stop --timeout 1m`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runDaemonStop(cmd.Context(), opts) },
	}
	cmd.Flags().DurationVar(&opts.timeout, "timeout", 30*time.Second, "how long to wait for the daemon to exit")
	return cmd
}

func runDaemonStop(ctx context.Context, opts *daemonStopOptions) error {
	s := opts.app.Streams
	cfg, err := opts.app.Config()
	if err != nil {
		return err
	}
	info, err := daemon.Holder(cfg.Paths)
	if err != nil {
		return err
	}
	if host, _ := os.Hostname(); info.Host != "" && info.Host != host {
		return reel.Errorf(reel.EUNSUPPORT, "the daemon (pid %d) runs on %s, not on this machine", info.PID, info.Host)
	}
	if info.PID <= 0 {
		return reel.Errorf(reel.ECORRUPT, "the daemon lock %s names no process", cfg.Paths.DaemonLock())
	}
	if err := syscall.Kill(info.PID, syscall.SIGTERM); err != nil {
		return fmt.Errorf("signal daemon pid %d: %w", info.PID, err)
	}
	deadline := time.Now().Add(opts.timeout)
	for {
		if _, err := daemon.Holder(cfg.Paths); reel.ErrorCode(err) == reel.ENOTFOUND {
			break
		}
		if time.Now().After(deadline) {
			return reel.Errorf(reel.EBUSY, "the daemon (pid %d) is still running after %s", info.PID, opts.timeout).
				WithHint(fmt.Sprintf("see %s; kill -9 %d stops it at once (a restart recovers)", cfg.Paths.DaemonLog(), info.PID))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	fmt.Fprintf(s.Out, "Stopped the reel daemon (pid %d)\n", info.PID)
	return nil
}

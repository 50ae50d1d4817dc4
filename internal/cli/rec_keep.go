package cli

import (
	"context"
	"os"
	"os/exec"
	"syscall"

	"github.com/reel-sh/reel/internal/journal"
	"github.com/spf13/cobra"
)

// startKeeper starts `reel rec keep` for a journal, detached from the
// shell's session and terminal. With hold, the keeper inherits the locked
// lock file and holds it.
func startKeeper(journalPath, lockPath string, hold *os.File) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"rec", "keep", "--journal", journalPath, "--lock", lockPath}
	cmd := exec.Command(exe, args...)
	if hold != nil {
		cmd.ExtraFiles = []*os.File{hold}
		cmd.Args = append(cmd.Args, "--hold-fd", "3")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

type recKeepOptions struct {
	app     *App
	journal string
	lock    string
	holdFD  int
}

// newRecKeepCmd is the keeper that rec start runs beside a bash or fish
// recording; it is not for people to type.
func newRecKeepCmd(app *App) *cobra.Command {
	opts := &recKeepOptions{app: app}
	cmd := &cobra.Command{
		Use:    "keep",
		Short:  "Fsync a recording's journal as it grows (started by rec start)",
		Hidden: true,
		Args:   exactArgs(0, "no arguments"),
		RunE:   func(cmd *cobra.Command, args []string) error { return runRecKeep(cmd.Context(), opts) },
	}
	cmd.Flags().StringVar(&opts.journal, "journal", "", "the journal")
	cmd.Flags().StringVar(&opts.lock, "lock", "", "the recording's lock file")
	cmd.Flags().IntVar(&opts.holdFD, "hold-fd", -1, "a descriptor on the locked lock file, to hold")
	return cmd
}

func runRecKeep(ctx context.Context, opts *recKeepOptions) error {
	r, err := journal.Read(opts.journal)
	if err != nil {
		return err
	}
	ko := journal.KeepOptions{Journal: opts.journal, LockPath: opts.lock, Owner: r.Header.Owner}
	if opts.holdFD >= 0 {
		ko.Lock = os.NewFile(uintptr(opts.holdFD), opts.lock)
	}
	return journal.Keep(ctx, ko)
}

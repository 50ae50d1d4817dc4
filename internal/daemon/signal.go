package daemon

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// notifySignals starts catching SIGTERM, SIGINT and SIGHUP for Wait, when
// Options.Signals is set. Run calls it before it listens, so that no
// signal sent to a daemon that answers is lost.
func (d *Daemon) notifySignals() {
	if d.opts.Signals && d.sigs == nil {
		d.sigs = make(chan os.Signal, 4)
		signal.Notify(d.sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	}
}

// Wait blocks until SIGTERM or SIGINT arrives (with Options.Signals), ctx
// ends or the daemon stops on its own, and reloads the configuration on
// every SIGHUP. It returns the error the daemon stopped with, or nil; the
// caller then calls Close.
func (d *Daemon) Wait(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			d.log.Info("shutting down", "why", ctx.Err().Error())
			return nil
		case <-d.done:
			return d.Err()
		case s := <-d.sigs:
			if s == syscall.SIGHUP {
				d.log.Info("SIGHUP: reloading config")
				d.Reload()
				continue
			}
			d.log.Info("shutting down", "signal", s.String())
			return nil
		}
	}
}

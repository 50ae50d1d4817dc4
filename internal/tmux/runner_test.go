package tmux

import (
	"context"
	"errors"
	"testing"

	"github.com/reel-sh/reel"
)

func TestExecRunner_Run(t *testing.T) {
	ctx := context.Background()
	l := newLab(t)
	t.Run("ErrNoServer", func(t *testing.T) {
		_, err := l.run.Run(ctx, "list-sessions")
		if !errors.Is(err, ErrNoServer) {
			t.Errorf("list-sessions before any session = %v, want ErrNoServer", err)
		}
	})
	l.tmux("new-session", "-d", "-s", "one", "sleep", "60")
	t.Run("OK", func(t *testing.T) {
		if out, err := l.run.Run(ctx, "list-sessions", "-F", "#{session_name}"); err != nil || out != "one\n" {
			t.Errorf("list-sessions = %q, %v", out, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := l.run.Run(ctx, "kill-session", "-t", "=nope")
		wantCode(t, err, reel.ENOTFOUND)
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		_, err := l.run.Run(ctx, "new-session", "-d", "-s", "one", "sleep", "60")
		wantCode(t, err, reel.ECONFLICT)
	})
	t.Run("ErrNotInstalled", func(t *testing.T) {
		_, err := (&ExecRunner{Path: "/nonexistent/tmux"}).Run(ctx, "list-sessions")
		wantCode(t, err, reel.EUNSUPPORT)
		t.Setenv("PATH", t.TempDir())
		_, err = (&ExecRunner{}).Run(ctx, "list-sessions")
		wantCode(t, err, reel.EUNSUPPORT)
	})
}

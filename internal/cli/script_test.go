package cli_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/cli"
	"github.com/reel-sh/reel/internal/testenv"
	"github.com/rogpeppe/go-internal/testscript"
)

// asReel is the variable that makes the test binary run as reel itself,
// for tests that start real reel processes (and kill them).
const asReel = "REEL_TEST_AS_REEL"

func TestMain(m *testing.M) {
	if os.Getenv(asReel) == "1" {
		os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"reel": func() {
			os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScript runs the end-to-end scripts in testdata/script: the real
// binary's code, real files, a real store under $WORK.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join(testenv.RepoRoot(t), "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("REEL_HOME", filepath.Join(env.WorkDir, "reel"))
			env.Setenv("NO_COLOR", "1")
			env.Setenv("FIXTURES", os.Getenv("REEL_FIXTURES"))
			// Supervised sessions run on a tmux server of the script's
			// own, killed when it ends.
			socket := fmt.Sprintf("reeltest-%d-%d", os.Getpid(), time.Now().UnixNano())
			env.Setenv("REEL_TMUX_SOCKET", socket)
			env.Setenv("SHELL", "/bin/sh")
			env.Defer(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "tmux" {
				_, err := exec.LookPath("tmux")
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// sessionid VAR SOURCE NATIVE_ID sets VAR to the session's id.
			"sessionid": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: sessionid VAR SOURCE NATIVE_ID")
				}
				ts.Setenv(args[0], reel.SessionID(args[1], args[2]))
			},
			// checkpoint SESSION ID LABEL SEQ puts a checkpoint into the store.
			"checkpoint": checkpointCmd,
			// exitcode N ARGS... runs reel ARGS and fails unless it exits
			// with status N; its output is checked as exec's is.
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 || neg {
					ts.Fatalf("usage: exitcode N ARGS...")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exitcode: %v", err)
				}
				got := 0
				var ee *exec.ExitError
				if err := ts.Exec("reel", args[1:]...); errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("exitcode: %v", err)
				}
				if got != want {
					ts.Fatalf("reel %s exited %d, want %d", strings.Join(args[1:], " "), got, want)
				}
			},
		},
	})
}

package replay

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
)

// recorder is a Recorder that keeps what it is told.
type recorder struct {
	cmds  []journal.Command
	outs  []journal.Output
	skips []journal.Skip
}

var _ Recorder = (*recorder)(nil)

func (r *recorder) Command(c journal.Command) error { r.cmds = append(r.cmds, c); return nil }
func (r *recorder) Output(o journal.Output) error   { r.outs = append(r.outs, o); return nil }
func (r *recorder) Skip(s journal.Skip) error       { r.skips = append(r.skips, s); return nil }

func exit(n int) *int { return &n }

// steps recorded under /rec/proj, replayed under a temp folder with --cwd.
func buildSteps() []Step {
	return []Step{
		{N: 1, Command: "mkdir -p sub && echo one > one.txt", Cwd: "/rec/proj", ExitCode: exit(0)},
		{N: 2, Command: "pwd > where.txt", Cwd: "/rec/proj/sub", ExitCode: exit(0)},
		{N: 3, Command: "chmod -R 777 ../one.txt", Cwd: "/rec/proj/sub", ExitCode: exit(0)},
		{N: 4, Command: "grep -q nothing ../one.txt", Cwd: "/rec/proj/sub", ExitCode: exit(1)},
		{N: 5, Command: "echo five > five.txt\necho more >> five.txt", Cwd: "/rec/proj", ExitCode: exit(0)},
	}
}

func run(t *testing.T, opt Options) (string, *Result, error, *recorder) {
	t.Helper()
	dir := t.TempDir()
	rec := &recorder{}
	var out, errw bytes.Buffer
	if opt.Steps == nil {
		opt.Steps = buildSteps()
	}
	opt.Cwd, opt.Record, opt.Out, opt.Err = dir, rec, &out, &errw
	res, err := Run(context.Background(), opt)
	return dir, res, err, rec
}

func exists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

func TestRun(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir, res, err, rec := run(t, Options{})
		if err != nil {
			t.Fatal(err)
		}
		where, _ := os.ReadFile(filepath.Join(dir, "sub", "where.txt"))
		if strings.TrimSpace(string(where)) != filepath.Join(dir, "sub") {
			t.Errorf("step 2 ran in %q, want %s/sub", where, dir)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "five.txt")); string(b) != "five\nmore\n" {
			t.Errorf("multi-line step wrote %q", b)
		}
		fi, _ := os.Stat(filepath.Join(dir, "one.txt"))
		if fi.Mode().Perm() == 0o777 {
			t.Error("the dangerous chmod -R 777 ran")
		}
		if res.Ran != 4 || res.Skipped != 1 || res.Failed != 1 {
			t.Errorf("ran %d skipped %d failed %d; want 4, 1 (the chmod), 1 (the expected grep failure)", res.Ran, res.Skipped, res.Failed)
		}
		if len(rec.cmds) != 4 || len(rec.skips) != 1 || rec.skips[0].Rule != "chmod-777" || rec.skips[0].Step != 3 {
			t.Errorf("recorded %d commands, skips %+v", len(rec.cmds), rec.skips)
		}
		if rec.cmds[3].Step != 5 || rec.cmds[2].Exit != 1 || rec.cmds[1].Cwd != filepath.Join(dir, "sub") {
			t.Errorf("recorded commands %+v", rec.cmds)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		dir, res, err, rec := run(t, Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if exists(dir, "one.txt") || len(rec.cmds)+len(rec.skips) != 0 {
			t.Error("a dry run ran or recorded something")
		}
		if len(res.Outcomes) != 5 || res.Outcomes[0].Action != "would-run" || res.Outcomes[2].Action != "skip" {
			t.Errorf("outcomes %+v", res.Outcomes)
		}
	})
	t.Run("ErrAbort", func(t *testing.T) {
		dir, _, err, _ := run(t, Options{OnDanger: OnDangerAbort})
		if reel.ErrorCode(err) != reel.ECONFLICT || !strings.Contains(err.Error(), "step 3") {
			t.Fatalf("err = %v, want ECONFLICT naming step 3", err)
		}
		if exists(dir, "one.txt") {
			t.Error("abort ran steps before refusing")
		}
	})
	t.Run("Allow", func(t *testing.T) {
		dir, res, err, _ := run(t, Options{OnDanger: OnDangerAllow})
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(filepath.Join(dir, "one.txt"))
		if fi.Mode().Perm() != 0o777 || res.Skipped != 0 {
			t.Errorf("allow: mode %v, skipped %d", fi.Mode().Perm(), res.Skipped)
		}
	})
	t.Run("SkipFromPattern", func(t *testing.T) {
		// Step 1 is before --from, so sub/ is never made and step 2 fails.
		_, res, err, rec := run(t, Options{From: 2, Skip: []int{4}, SkipPatterns: []string{"echo five*"}, KeepGoing: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Ran != 1 || res.Skipped != 3 || res.Outcomes[0].N != 2 || *res.Outcomes[0].Exit == 0 {
			t.Errorf("ran %d skipped %d, outcomes %+v", res.Ran, res.Skipped, res.Outcomes)
		}
		reasons := []string{}
		for _, s := range rec.skips {
			reasons = append(reasons, s.Reason)
		}
		if strings.Join(reasons, "|") != "dangerous: makes a tree writable by everyone|--skip|--skip-pattern echo five*" {
			t.Errorf("skips recorded: %q", reasons)
		}
	})
	t.Run("ErrUnexpectedFailure", func(t *testing.T) {
		steps := []Step{
			{N: 1, Command: "false", Cwd: "/r", ExitCode: exit(0)},
			{N: 2, Command: "touch after", Cwd: "/r", ExitCode: exit(0)},
		}
		dir, res, err, _ := run(t, Options{Steps: steps})
		if reel.ErrorCode(err) != reel.ECONFLICT || exists(dir, "after") || res.Stopped == "" {
			t.Errorf("err = %v, stopped %q; want the replay stopped at step 1", err, res.Stopped)
		}
		dir, _, err, _ = run(t, Options{Steps: steps, KeepGoing: true})
		if err != nil || !exists(dir, "after") {
			t.Errorf("--keep-going: err %v, step 2 ran %v", err, exists(dir, "after"))
		}
	})
	t.Run("Confirm", func(t *testing.T) {
		steps := []Step{
			{N: 1, Command: "touch a", Cwd: "/r"}, {N: 2, Command: "touch b", Cwd: "/r"},
			{N: 3, Command: "touch c", Cwd: "/r"}, {N: 4, Command: "touch d", Cwd: "/r"},
		}
		dir, res, err, _ := run(t, Options{Steps: steps, Confirm: true, In: strings.NewReader("y\nmaybe\nn\nq\n")})
		if err != nil {
			t.Fatal(err)
		}
		if !exists(dir, "a") || exists(dir, "b") || exists(dir, "c") || res.Stopped == "" {
			t.Errorf("a %v b %v c %v stopped %q; want only a, then quit", exists(dir, "a"), exists(dir, "b"), exists(dir, "c"), res.Stopped)
		}
	})
	t.Run("OutputLimit", func(t *testing.T) {
		steps := []Step{{N: 1, Command: "head -c 5000 /dev/zero | tr '\\0' x", Cwd: "/r"}}
		_, _, err, rec := run(t, Options{Steps: steps, OutputLimit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.outs) != 1 || len(rec.outs[0].Text) != 100 || rec.outs[0].Dropped != 4900 {
			t.Errorf("output kept %d, dropped %d", len(rec.outs[0].Text), rec.outs[0].Dropped)
		}
	})
	t.Run("ErrPolicy", func(t *testing.T) {
		if _, _, err, _ := run(t, Options{OnDanger: "maybe"}); reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("err = %v, want EINVALID", err)
		}
	})
}

func TestMatchGlob(t *testing.T) {
	if matchGlob([]string{"git push*"}, "git push origin main/feature") == "" {
		t.Error("* must match across /")
	}
	if matchGlob([]string{"git push"}, "git push origin") != "" {
		t.Error("a glob matches the whole command")
	}
}

func TestStepDir(t *testing.T) {
	for _, tt := range []struct{ root, rec, cwd, want string }{
		{"/a", "/a/b", "", "/a/b"},
		{"/a", "/a/b", "/x", "/x/b"},
		{"/a", "/elsewhere", "/x", "/x"},
		{"/a", "/a", "/x", "/x"},
	} {
		if got := stepDir(tt.root, tt.rec, tt.cwd); got != tt.want {
			t.Errorf("stepDir(%q, %q, %q) = %q, want %q", tt.root, tt.rec, tt.cwd, got, tt.want)
		}
	}
}

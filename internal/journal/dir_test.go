package journal_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
)

// TestHelperProcess is a recording start run by a real bash, as the hook
// runs `reel rec start`: it locks the pending lock file on the descriptor
// the shell opened (fd 9) and exits, leaving the shell as the owner.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("REEL_HELPER") != "start" {
		t.Skip("helper process")
	}
	d := journal.Dir{Journals: os.Getenv("REEL_JOURNALS"), Locks: os.Getenv("REEL_LOCKS"), Snapshots: os.Getenv("REEL_SNAPSHOTS")}
	lock := os.NewFile(9, os.Getenv("REEL_PENDING"))
	st, err := d.Start(context.Background(), journal.StartOptions{
		Name: os.Getenv("REEL_NAME"), Shell: "bash", Owner: journal.OwnerOf(os.Getppid()), Lock: lock,
	})
	if err != nil {
		fmt.Fprintln(os.Stdout, "error", reel.ErrorCode(err), err)
		os.Exit(4)
	}
	fmt.Fprintln(os.Stdout, "started", st.Recording.Header.ID, len(st.Recovered))
	os.Exit(0)
}

// shell is a real bash that owns a recording, or tried to.
type shell struct {
	cmd    *exec.Cmd
	out    string // the helper's line
	leaked int    // pid of a background job that inherited the lock
}

// startShell runs bash, which opens a pending lock on fd 9, runs the
// helper, then becomes `sleep` (same pid, same descriptors). With leak, it
// first starts a background sleep that inherits fd 9 and outlives it.
func startShell(t *testing.T, d journal.Dir, name string, leak bool) *shell {
	t.Helper()
	os.MkdirAll(d.Locks, 0o700)
	pending := filepath.Join(d.Locks, fmt.Sprintf("pending-%d-%d.lock", time.Now().UnixNano(), os.Getpid()))
	script := `exec 9>>"$REEL_PENDING"
"$TESTBIN" -test.run='^TestHelperProcess$'
rc=$?
[ $rc = 0 ] || exit $rc
` + map[bool]string{true: "sleep 300 & echo leaked $!\n"}[leak] + `exec sleep 300`
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "REEL_HELPER=start", "TESTBIN="+os.Args[0], "REEL_JOURNALS="+d.Journals,
		"REEL_LOCKS="+d.Locks, "REEL_SNAPSHOTS="+d.Snapshots, "REEL_PENDING="+pending, "REEL_NAME="+name)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sh := &shell{cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if sh.leaked > 0 {
			syscall.Kill(sh.leaked, syscall.SIGKILL)
		}
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "leaked ") {
			sh.leaked, _ = strconv.Atoi(strings.TrimPrefix(line, "leaked "))
			break
		}
		if sh.out = line; !leak || !strings.HasPrefix(line, "started") {
			break
		}
	}
	return sh
}

func (s *shell) started() bool { return strings.HasPrefix(s.out, "started") }

func (s *shell) id(t *testing.T) string {
	t.Helper()
	f := strings.Fields(s.out)
	if len(f) < 2 || f[0] != "started" {
		t.Fatalf("shell did not start a recording: %q", s.out)
	}
	return f[1]
}

func (s *shell) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func newDir(t *testing.T) journal.Dir {
	root := t.TempDir()
	return journal.Dir{Journals: filepath.Join(root, "data", "recordings"), Locks: filepath.Join(root, "state", "rec")}
}

// appendCommands writes n commands as a hook does, and a torn line when
// torn is set.
func appendCommands(t *testing.T, path string, n int, torn bool) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	now := time.Now().UnixMicro()
	for i := 1; i <= n; i++ {
		fmt.Fprintf(f, `{"t":"cmd","n":%d,"cmd":"echo %d","cwd":"/tmp","start_us":%d,"end_us":%d,"exit":0}`+"\n", i, i, now, now+1000)
	}
	if torn {
		f.WriteString(`{"t":"cmd","n":99,"cmd":"ec`)
	}
}

func TestDir_Start(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		d := newDir(t)
		a := startShell(t, d, "deploy", false)
		id := a.id(t)
		held, err := journal.Held(d.LockPath(id))
		if err != nil || !held {
			t.Fatalf("lock held = %v, %v after rec start exited; the shell should own it", held, err)
		}
		e, err := d.Find("deploy")
		if err != nil {
			t.Fatal(err)
		}
		if !e.Active() || e.Status() != journal.StatusActive || e.Header.Owner.PID != a.cmd.Process.Pid {
			t.Errorf("entry = active %v status %s owner %d, want active, owned by %d", e.Active(), e.Status(), e.Header.Owner.PID, a.cmd.Process.Pid)
		}
		fi, _ := os.Stat(e.Path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("journal mode %v", fi.Mode().Perm())
		}
	})
	t.Run("ErrBusy", func(t *testing.T) {
		d := newDir(t)
		a := startShell(t, d, "first", false)
		a.id(t)
		b := startShell(t, d, "second", false)
		if b.started() {
			t.Fatalf("second start succeeded: %s", b.out)
		}
		want := fmt.Sprintf("pid %d", a.cmd.Process.Pid)
		if !strings.Contains(b.out, reel.EBUSY) || !strings.Contains(b.out, `"first"`) || !strings.Contains(b.out, want) {
			t.Errorf("second start said %q; want EBUSY naming \"first\" and %s", b.out, want)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		d := newDir(t)
		var wg sync.WaitGroup
		shells := make([]*shell, 4)
		for i := range shells {
			wg.Go(func() { shells[i] = startShell(t, d, "", false) })
		}
		wg.Wait()
		started := 0
		for _, s := range shells {
			if s.started() {
				started++
			} else if !strings.Contains(s.out, reel.EBUSY) {
				t.Errorf("start failed for another reason: %q", s.out)
			}
		}
		list, _, _ := d.List()
		if started != 1 || len(list) != 1 {
			t.Errorf("%d starts succeeded, %d recordings; want exactly one", started, len(list))
		}
	})
	t.Run("DuplicateName", func(t *testing.T) {
		d := newDir(t)
		a := startShell(t, d, "x", false)
		a.id(t)
		if _, _, err := d.Stop(context.Background(), "", time.Now()); err != nil {
			t.Fatal(err)
		}
		b := startShell(t, d, "x", false)
		e, err := d.Find(b.id(t))
		if err != nil || e.Name != "x-2" {
			t.Errorf("second recording named %q (%v), want x-2", e.Name, err)
		}
	})
}

func TestDir_Recover(t *testing.T) {
	t.Run("KilledOwner", func(t *testing.T) {
		d := newDir(t)
		a := startShell(t, d, "work", false)
		id := a.id(t)
		appendCommands(t, d.JournalPath(id), 3, true)
		a.kill()

		b := startShell(t, d, "", false)
		b.id(t)
		r, err := journal.Read(d.JournalPath(id))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Recovered() || r.Footer.Status != journal.StatusRecovered || !strings.HasPrefix(r.Name, "recovered-") {
			t.Fatalf("after the next start: footer %+v name %q; want recovered-…", r.Footer, r.Name)
		}
		if len(r.Commands) != 3 || r.Footer.Commands != 3 || r.Footer.Torn == nil || r.TornAt >= 0 {
			t.Errorf("commands %d, footer %+v; want 3 kept and the torn line cut", len(r.Commands), r.Footer)
		}
		if !strings.Contains(r.Footer.Reason, "is gone") {
			t.Errorf("reason = %q", r.Footer.Reason)
		}
		if _, err := os.Stat(d.LockPath(id)); !os.IsNotExist(err) {
			t.Errorf("lock file of the dead recording left: %v", err)
		}
	})
	t.Run("EmptyDiscarded", func(t *testing.T) {
		d := newDir(t)
		a := startShell(t, d, "", false)
		id := a.id(t)
		a.kill()
		got, err := d.Recover(context.Background(), time.Now(), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].Discarded || got[0].ID != id {
			t.Fatalf("Recover = %+v; want the empty recording discarded", got)
		}
		if _, err := os.Stat(d.JournalPath(id)); !os.IsNotExist(err) {
			t.Errorf("empty journal kept: %v", err)
		}
	})
	t.Run("LeakedDescriptor", func(t *testing.T) {
		// A background job inherits the shell's lock descriptor and outlives
		// the shell: the lock stays held, but the owner is dead.
		d := newDir(t)
		a := startShell(t, d, "bg", true)
		id := a.id(t)
		if a.leaked == 0 {
			t.Fatal("no background job")
		}
		appendCommands(t, d.JournalPath(id), 1, false)
		a.kill()
		if held, _ := journal.Held(d.LockPath(id)); !held {
			t.Fatal("the background job does not hold the lock; the test proves nothing")
		}
		e, _ := d.Find(id)
		if e.Active() || !e.Dead() {
			t.Fatalf("active %v dead %v; want dead", e.Active(), e.Dead())
		}
		b := startShell(t, d, "", false)
		b.id(t)
		if r, _ := journal.Read(d.JournalPath(id)); !r.Recovered() {
			t.Error("recording of a dead owner with a leaked lock not recovered")
		}
	})
	t.Run("ReusedPID", func(t *testing.T) {
		// The lock is held and the pid exists, but it is another process:
		// its start time differs.
		d := newDir(t)
		lock, err := d.PendingLock()
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close()
		o := journal.OwnerOf(os.Getpid())
		st, err := d.Start(context.Background(), journal.StartOptions{Kind: journal.KindShell, Owner: o, Lock: lock})
		if err != nil {
			t.Fatal(err)
		}
		id := st.Recording.Header.ID
		appendCommands(t, d.JournalPath(id), 1, false)
		if e, _ := d.Find(id); !e.Active() {
			t.Fatal("not active with its real owner")
		}
		rewriteOwnerStart(t, d.JournalPath(id), o.Start+1)
		e, _ := d.Find(id)
		if e.Alive || !e.Dead() {
			t.Errorf("alive %v dead %v with another start time; want dead", e.Alive, e.Dead())
		}
		got, err := d.Recover(context.Background(), time.Now(), false)
		if err != nil || len(got) != 1 || got[0].Commands != 1 || !strings.HasPrefix(got[0].Name, "recovered-") {
			t.Errorf("Recover = %+v, %v", got, err)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		d := newDir(t)
		a := startShell(t, d, "", false)
		id := a.id(t)
		appendCommands(t, d.JournalPath(id), 2, true)
		a.kill()
		got, err := d.Recover(context.Background(), time.Now(), true)
		if err != nil || len(got) != 1 || got[0].Commands != 2 || got[0].Torn == nil {
			t.Fatalf("dry run = %+v, %v", got, err)
		}
		if r, _ := journal.Read(d.JournalPath(id)); r.Ended() || r.TornAt < 0 {
			t.Error("dry run changed the journal")
		}
	})
}

// rewriteOwnerStart changes the owner start time in a journal's header, as
// if the pid had been reused by a process started at another time.
func rewriteOwnerStart(t *testing.T, path string, start uint64) {
	t.Helper()
	r, err := journal.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	old := fmt.Sprintf(`"start":%d`, r.Header.Owner.Start)
	s := strings.Replace(string(data), old, fmt.Sprintf(`"start":%d`, start), 1)
	if s == string(data) {
		t.Fatalf("no %s in the header", old)
	}
	os.WriteFile(path, []byte(s), 0o600)
}

func TestDir_Stop(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		d := newDir(t)
		a := startShell(t, d, "s", false)
		id := a.id(t)
		appendCommands(t, d.JournalPath(id), 2, false)
		r, rc, err := d.Stop(context.Background(), "", time.Now())
		if err != nil || rc != nil {
			t.Fatalf("Stop = %v, %+v", err, rc)
		}
		if r.Footer == nil || r.Footer.Status != journal.StatusCompleted || r.Footer.Commands != 2 {
			t.Errorf("footer = %+v", r.Footer)
		}
		if _, err := os.Stat(d.LockPath(id)); !os.IsNotExist(err) {
			t.Error("lock file not removed: the hook would keep writing")
		}
		if _, _, err := d.Stop(context.Background(), "s", time.Now()); reel.ErrorCode(err) != reel.ECONFLICT {
			t.Errorf("second stop = %v, want ECONFLICT", err)
		}
	})
	t.Run("ErrNoneActive", func(t *testing.T) {
		d := newDir(t)
		if _, _, err := d.Stop(context.Background(), "", time.Now()); reel.ErrorCode(err) != reel.ENOTFOUND {
			t.Errorf("Stop = %v, want ENOTFOUND", err)
		}
	})
	t.Run("DeadIsRecovered", func(t *testing.T) {
		d := newDir(t)
		a := startShell(t, d, "gone", false)
		id := a.id(t)
		appendCommands(t, d.JournalPath(id), 1, false)
		a.kill()
		r, rc, err := d.Stop(context.Background(), "gone", time.Now())
		if err != nil || rc == nil || !r.Recovered() {
			t.Errorf("Stop of a dead recording = %v, %+v", err, rc)
		}
	})
}

func TestDir_RenameTagDelete(t *testing.T) {
	d := newDir(t)
	a := startShell(t, d, "one", false)
	id := a.id(t)
	appendCommands(t, d.JournalPath(id), 1, false)
	d.Stop(context.Background(), "", time.Now())
	b := startShell(t, d, "two", false)
	b.id(t)
	ctx := context.Background()

	if _, err := d.Rename(ctx, "one", "two", time.Now()); reel.ErrorCode(err) != reel.ECONFLICT {
		t.Errorf("rename onto a taken name = %v, want ECONFLICT", err)
	}
	if _, err := d.Rename(ctx, "one", "bad name", time.Now()); reel.ErrorCode(err) != reel.EINVALID {
		t.Errorf("rename to an invalid name = %v, want EINVALID", err)
	}
	r, err := d.Rename(ctx, "one", "first", time.Now())
	if err != nil || r.Name != "first" {
		t.Fatalf("Rename = %v, %v", r, err)
	}
	r, err = d.Tag(ctx, "first", []string{"prod", "eu", "prod"}, nil, time.Now())
	if err != nil || strings.Join(r.Tags, ",") != "prod,eu" {
		t.Fatalf("Tag = %v, %v", r.Tags, err)
	}
	r, err = d.Tag(ctx, id[:8], nil, []string{"prod"}, time.Now())
	if err != nil || strings.Join(r.Tags, ",") != "eu" || r.Name != "first" {
		t.Fatalf("untag = %v %q, %v", r.Tags, r.Name, err)
	}
	if _, err := d.Delete(ctx, "two"); reel.ErrorCode(err) != reel.EBUSY {
		t.Errorf("delete of the active recording = %v, want EBUSY", err)
	}
	if _, err := d.Delete(ctx, "first"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Find("first"); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("deleted recording still found: %v", err)
	}
}

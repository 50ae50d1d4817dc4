package hookspool

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// helperEnv names the spool folder to the helper processes the kill tests
// start; helperMode says which helper runs.
const (
	helperEnv  = "REEL_HOOKSPOOL_TEST_DIR"
	helperMode = "REEL_HOOKSPOOL_TEST_MODE"
)

// TestHelperProcess is not a test: it is the process the kill tests start
// and kill. As "append" it appends events for ever, printing each id once
// Append returned; as "drain" it drains into a sink that writes each id it
// takes to taken.txt, fsynced, before taking the next.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("runs only as a kill test's helper process")
	}
	switch os.Getenv(helperMode) {
	case "append":
		for i := 0; ; i++ {
			e := newEvent(t, i)
			if err := Append(dir, e); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			fmt.Println("appended", e.ID)
		}
	case "drain":
		f, err := os.OpenFile(filepath.Join(dir, "..", "taken.txt"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		sink := &recordingSink{fail: func(e reel.HookEvent) error {
			if _, err := fmt.Fprintln(f, e.ID); err != nil {
				return err
			}
			if err := f.Sync(); err != nil {
				return err
			}
			fmt.Println("taken", e.ID)
			time.Sleep(200 * time.Microsecond)
			return nil
		}}
		n, err := Drain(context.Background(), dir, sink)
		fmt.Println("drained", n, err)
	}
}

// startHelper starts the helper in mode on dir, and returns its stdout.
func startHelper(t *testing.T, mode, dir string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir, helperMode+"="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(out)
}

// readUntil reads "<word> <id>" lines until it has n ids, and returns them.
func readUntil(t *testing.T, sc *bufio.Scanner, word string, n int) []string {
	t.Helper()
	var ids []string
	for len(ids) < n && sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == word {
			ids = append(ids, f[1])
		} else {
			t.Fatalf("helper said %q", sc.Text())
		}
	}
	if len(ids) < n {
		t.Fatalf("helper stopped after %d of %d", len(ids), n)
	}
	return ids
}

// TestAppend_Kill kills a process with SIGKILL while it appends to the
// spool, at a few points, and drains what it left: every event whose
// Append had returned is delivered, once, in order, and at most the one
// line being written when the kill landed is set aside as torn.
func TestAppend_Kill(t *testing.T) {
	for _, after := range []int{1, 37, 250} {
		t.Run(fmt.Sprintf("After%d", after), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "spool")
			cmd, sc := startHelper(t, "append", dir)
			acked := readUntil(t, sc, "appended", after)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			// The next hook appends after whatever the kill left.
			after := newEvent(t, -1)
			if err := Append(dir, after); err != nil {
				t.Fatal(err)
			}
			sink := &recordingSink{}
			n, err := Drain(context.Background(), dir, sink)
			if err != nil && reel.ErrorCode(err) != reel.ECORRUPT {
				t.Fatal(err)
			}
			got := sink.ids()
			if n < len(acked) || len(got) < len(acked) {
				t.Fatalf("drained %d events, %d were acknowledged", n, len(acked))
			}
			for i, id := range acked {
				if got[i] != id {
					t.Fatalf("event %d = %s, want %s (order or loss)", i, got[i], id)
				}
			}
			if got[len(got)-1] != after.ID {
				t.Errorf("the event appended after the kill was not delivered last: %v", got[len(got)-1])
			}
			if extra := len(got) - len(acked) - 1; extra > 1 {
				t.Errorf("%d events beyond the acknowledged ones, want at most the one in flight", extra)
			}
			rej, _ := ReadRejected(dir)
			if len(rej) > 1 || (len(rej) == 1 && !strings.Contains(rej[0].Reason, "torn")) {
				t.Errorf("rejected = %+v, want at most one torn line", rej)
			}
			t.Logf("killed after %d acknowledged: %d delivered, %d torn", len(acked), len(got), len(rej))
		})
	}
}

// TestDrain_Kill kills a drain with SIGKILL part way, then drains again:
// every spooled event reaches a sink, whichever drain took it. The events
// the killed drain had taken may come again (the file it had moved aside
// is delivered whole once more; receivers drop them by ID), no others.
func TestDrain_Kill(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "spool")
	const total = 400
	var all []string
	for i := range total {
		e := newEvent(t, i)
		if err := Append(dir, e); err != nil {
			t.Fatal(err)
		}
		all = append(all, e.ID)
	}
	cmd, sc := startHelper(t, "drain", dir)
	readUntil(t, sc, "taken", 120)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	data, err := os.ReadFile(filepath.Join(root, "taken.txt"))
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Fields(string(data))
	if len(first) >= total {
		t.Fatalf("the killed drain took all %d events; the kill landed too late", len(first))
	}
	sink := &recordingSink{}
	n, err := Drain(context.Background(), dir, sink)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, id := range append(first, sink.ids()...) {
		seen[id]++
	}
	dups := 0
	for _, id := range all {
		switch c := seen[id]; {
		case c == 0:
			t.Errorf("event %s lost", id)
		case c > 1:
			dups++
		}
	}
	if dups > len(first) {
		t.Errorf("%d events delivered twice, want at most the %d the killed drain took", dups, len(first))
	}
	if left := spoolFiles(t, dir); len(left) != 0 {
		t.Errorf("files left after the second drain: %v", left)
	}
	t.Logf("killed drain took %d, the next %d, %d twice", len(first), n, dups)
}

package tmux

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

func TestChildren(t *testing.T) {
	// Two children of this process, started in order: both ways of
	// finding children find both, oldest first; a killed one that is not
	// waited for (a zombie) is not alive.
	var cmds []*exec.Cmd
	for range 2 {
		c := exec.Command("sleep", "30")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
		cmds = append(cmds, c)
		time.Sleep(20 * time.Millisecond) // distinct start times
	}
	want := []int{cmds[0].Process.Pid, cmds[1].Process.Pid}
	contains := func(got []int) bool { return slices.Contains(got, want[0]) && slices.Contains(got, want[1]) }
	tasks, ok := taskChildren(os.Getpid())
	if !ok {
		t.Log("this kernel has no /proc/PID/task/*/children")
	} else if !contains(tasks) {
		t.Errorf("taskChildren = %v, want %v among them", tasks, want)
	}
	if got := scanChildren(os.Getpid()); !contains(got) {
		t.Errorf("scanChildren = %v, want %v among them", got, want)
	}
	got := children(os.Getpid())
	i, j := slices.Index(got, want[0]), slices.Index(got, want[1])
	if i < 0 || j < 0 || i > j {
		t.Errorf("children = %v, want %v in that order", got, want)
	}
	if !alive(want[0]) {
		t.Errorf("alive(%d) = false for a running child", want[0])
	}
	cmds[0].Process.Kill()
	for deadline := time.Now().Add(5 * time.Second); alive(want[0]) && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
	}
	if alive(want[0]) {
		t.Errorf("alive(%d) = true for a killed child (a zombie)", want[0])
	}
	if slices.Contains(children(os.Getpid()), want[0]) {
		t.Errorf("children lists the zombie %d", want[0])
	}
}

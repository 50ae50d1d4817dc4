//go:build !linux

package tmux

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// children returns the child processes of pid, in ps's order, from
// ps -A -o pid=,ppid= (macOS and the BSDs have no /proc); none if ps
// cannot be run, so that PIDs stay unknown rather than wrong.
func children(pid int) []int {
	out, err := exec.Command("ps", "-A", "-o", "pid=,ppid=").Output()
	if err != nil {
		return nil
	}
	var kids []int
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		c, err1 := strconv.Atoi(f[0])
		p, err2 := strconv.Atoi(f[1])
		if err1 == nil && err2 == nil && p == pid {
			kids = append(kids, c)
		}
	}
	return kids
}

// alive reports whether a process pid exists (signal 0 reaches it).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || err == syscall.EPERM
}

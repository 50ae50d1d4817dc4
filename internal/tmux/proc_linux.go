package tmux

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// procRoot is where the process table is read.
var procRoot = "/proc"

// children returns the live child processes of pid, oldest first (by
// start time, then pid): from /proc/PID/task/*/children where the kernel
// has it, else from a scan of every process's parent.
func children(pid int) []int {
	kids, ok := taskChildren(pid)
	if !ok {
		kids = scanChildren(pid)
	}
	return oldestLive(kids)
}

// taskChildren reads the children of pid's threads from
// /proc/PID/task/*/children; ok is false where the kernel has no such
// file (CONFIG_PROC_CHILDREN unset).
func taskChildren(pid int) (kids []int, ok bool) {
	tasks, _ := filepath.Glob(filepath.Join(procRoot, strconv.Itoa(pid), "task", "*", "children"))
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		ok = true
		for _, w := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(w); err == nil {
				kids = append(kids, n)
			}
		}
	}
	return kids, ok
}

// scanChildren finds the children of pid by reading every process's
// parent.
func scanChildren(pid int) []int {
	var kids []int
	ents, _ := os.ReadDir(procRoot)
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(n); ok && st.ppid == pid {
			kids = append(kids, n)
		}
	}
	return kids
}

// oldestLive returns the pids that are not zombies, oldest first.
func oldestLive(kids []int) []int {
	type kid struct {
		pid   int
		start int64
	}
	var live []kid
	for _, k := range kids {
		if st, ok := readStat(k); ok && st.state != 'Z' && st.state != 'X' {
			live = append(live, kid{k, st.start})
		}
	}
	sort.Slice(live, func(i, j int) bool {
		if live[i].start != live[j].start {
			return live[i].start < live[j].start
		}
		return live[i].pid < live[j].pid
	})
	out := make([]int, len(live))
	for i, k := range live {
		out[i] = k.pid
	}
	return out
}

// alive reports whether pid runs: it exists and is not a zombie.
func alive(pid int) bool {
	st, ok := readStat(pid)
	return ok && st.state != 'Z' && st.state != 'X'
}

type stat struct {
	state byte
	ppid  int
	start int64 // clock ticks after boot
}

// readStat reads /proc/PID/stat. The command name, in parentheses, may
// hold spaces and parentheses, so fields are counted after the last ')'.
func readStat(pid int) (stat, bool) {
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
	if err != nil {
		return stat{}, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return stat{}, false
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state), f[1] field 4 (ppid), f[19] field 22
	// (starttime).
	if len(f) < 20 || len(f[0]) != 1 {
		return stat{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	start, err2 := strconv.ParseInt(f[19], 10, 64)
	if err1 != nil || err2 != nil {
		return stat{}, false
	}
	return stat{state: f[0][0], ppid: ppid, start: start}, true
}

package proc

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Owner identifies the long-lived process that a journal belongs to: a
// recording shell, the reel process that replays, or the daemon that
// writes a live session.
type Owner struct {
	PID int `json:"pid"`
	// Start is the process's start time in clock ticks after boot, as
	// /proc/<pid>/stat gives it; 0 where there is no /proc.
	Start uint64 `json:"start,omitempty"`
	// Boot is the kernel's boot id; a pid from another boot is dead.
	Boot string `json:"boot,omitempty"`
	Host string `json:"host"`
}

// OwnerOf describes the running process pid.
func OwnerOf(pid int) Owner {
	host, _ := os.Hostname()
	start, _, _ := procStat(pid)
	return Owner{PID: pid, Start: start, Boot: bootID(), Host: host}
}

// Alive reports whether the owner still runs. A process on another host
// cannot be checked and counts as alive, so a journal is never recovered
// from under a host that shares the folder. On this host the pid must
// exist (kill(pid, 0) succeeds, or fails with EPERM: it exists but is not
// ours), in the same boot, with the same start time: a reused pid is a
// different process.
func (o Owner) Alive() bool {
	if o.PID <= 0 {
		return false
	}
	if host, _ := os.Hostname(); o.Host != "" && o.Host != host {
		return true
	}
	if o.Boot != "" {
		if b := bootID(); b != "" && b != o.Boot {
			return false
		}
	}
	if err := syscall.Kill(o.PID, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	start, zombie, ok := procStat(o.PID)
	if ok && (zombie || o.Start != 0 && start != o.Start) {
		// A zombie has exited; its parent has not reaped it yet.
		return false
	}
	return true
}

// procStat reads a process's start time and whether it is a zombie from
// /proc/<pid>/stat: fields 22 and 3, counted after the command name, which
// may itself hold spaces and ")".
func procStat(pid int) (start uint64, zombie, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false, false
	}
	fields := strings.Fields(string(data[i+1:]))
	// fields[0] is field 3 (state), so field 22 is fields[19].
	if len(fields) < 20 {
		return 0, false, false
	}
	v, err := strconv.ParseUint(fields[19], 10, 64)
	return v, fields[0] == "Z", err == nil
}

// bootID returns the kernel's boot id, or "" where there is none.
func bootID() string {
	data, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// TTYOf returns the terminal on pid's standard input, or "".
func TTYOf(pid int) string {
	t, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/0")
	if err != nil || !strings.HasPrefix(t, "/dev/") || t == "/dev/null" {
		return ""
	}
	return t
}

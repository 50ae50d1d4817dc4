package bench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"

	"github.com/reel-sh/reel"
)

// peakRSS returns the process's peak resident set size (VmHWM) in bytes.
// It is Linux only: elsewhere it returns EUNSUPPORT.
func peakRSS() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, &reel.Error{Code: reel.EUNSUPPORT, Message: "read peak memory", Err: err}
	}
	return parseVmHWM(data)
}

// parseVmHWM finds the VmHWM line of a /proc/<pid>/status file.
func parseVmHWM(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			break
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			break
		}
		return kb * 1024, nil
	}
	return 0, reel.Errorf(reel.EUNSUPPORT, "no VmHWM in process status")
}

// resetPeakRSS sets the peak resident set size back to the current one
// (Linux 4.0 and later), so a later peakRSS measures from here on.
func resetPeakRSS() error {
	err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	if err != nil {
		return &reel.Error{Code: reel.EUNSUPPORT, Message: "reset peak memory", Err: err}
	}
	return nil
}

package cli_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/cli"
	"github.com/reel-sh/reel/internal/testenv"
)

// BenchmarkHookExec runs the reel binary as an agent does, once per
// iteration, with a real Claude Code payload on stdin, and reports the
// wall time of each process from start to exit: p50, p95 and max. Cases:
// no daemon (the socket is missing: the event is spooled), a stale socket
// nobody listens on (spooled), a daemon that answers at once, and, for
// the cost of starting the binary alone, reel version.
func BenchmarkHookExec(b *testing.B) {
	bin := testenv.ReelBinary(b)
	payload := `{"session_id":"9ecf22fa-edf8-4332-ae85-b6d5456eda64","transcript_path":"/h/.claude/projects/p/9ecf22fa.jsonl","cwd":"/src/app","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"go test ./...","description":"Run the tests"},"tool_use_id":"toolu_01ABC123"}`
	for _, c := range []string{"NoDaemon", "StaleSocket", "Daemon", "VersionOnly"} {
		b.Run(c, func(b *testing.B) {
			_, socket := hookHome(b)
			switch c {
			case "StaleSocket":
				os.MkdirAll(filepath.Dir(socket), 0o700)
				os.WriteFile(socket, nil, 0o600)
			case "Daemon":
				startFakeDaemon(b, socket, http.StatusNoContent, 0)
			}
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				cmd := exec.Command(bin, "hook", "--client", "claude-code")
				if c == "VersionOnly" {
					cmd = exec.Command(bin, "version")
				}
				cmd.Stdin = strings.NewReader(payload)
				start := time.Now()
				out, err := cmd.Output()
				times = append(times, time.Since(start))
				if err != nil || (len(out) != 0 && c != "VersionOnly") {
					b.Fatalf("reel hook: %v, stdout %q", err, out)
				}
			}
			b.StopTimer()
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			q := func(p float64) float64 { return float64(times[int(p*float64(len(times)-1))].Microseconds()) / 1000 }
			b.ReportMetric(q(0.50), "p50-ms")
			b.ReportMetric(q(0.95), "p95-ms")
			b.ReportMetric(q(1), "max-ms")
		})
	}
}

// BenchmarkHookInProcess is reel hook's own work, without starting a
// process: read the payload, parse it, find the socket missing, append
// the event to the spool and fsync it.
func BenchmarkHookInProcess(b *testing.B) {
	hookHome(b)
	payload := `{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"toolu_1"}`
	for range b.N {
		var out, errb strings.Builder
		if code := cli.Main(context.Background(), []string{"hook"}, strings.NewReader(payload), &out, &errb); code != 0 || out.Len() != 0 {
			b.Fatalf("exit %d, stdout %q", code, out.String())
		}
	}
}

package shellhook_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// timing wraps the hook functions so that each prompt adds how long reel's
// hooks took for that command, in microseconds, to __reel_bench_times, and
// defines __reel_bench_dump FILE. It is loaded after reel's hook.
var timing = map[string]string{
	"bash": `
__reel_bench_times=()
__reel_setrc() { return $1; }
eval "__reel_precmd_orig() $(declare -f __reel_precmd | tail -n +2)"
__reel_precmd() {
	local __rc=$? __t=${EPOCHREALTIME//[.,]/}
	__reel_setrc $__rc
	__reel_precmd_orig
	__rc=$?
	__reel_bench_times+=($(( ${EPOCHREALTIME//[.,]/} - __t )))
	return $__rc
}
__reel_bench_dump() { printf '%s\n' "${__reel_bench_times[@]}" > "$1.tmp"; command mv "$1.tmp" "$1"; __reel_bench_times=(); }
`,
	"zsh": `
typeset -ga __reel_bench_times
typeset -g __reel_pre_us=0
__reel_setrc() { return $1 }
__reel_now() { REPLY=$(( epochtime[1] * 1000000 + epochtime[2] / 1000 )) }
functions[__reel_precmd_orig]=$functions[__reel_precmd]
functions[__reel_preexec_orig]=$functions[__reel_preexec]
__reel_preexec() {
	local REPLY; __reel_now; local __t=$REPLY
	__reel_preexec_orig "$@"
	__reel_now; __reel_pre_us=$(( REPLY - __t ))
}
__reel_precmd() {
	local __rc=$? REPLY; __reel_now; local __t=$REPLY
	__reel_setrc $__rc
	__reel_precmd_orig
	__rc=$?
	__reel_now
	__reel_bench_times+=($(( REPLY - __t + __reel_pre_us )))
	__reel_pre_us=0
	return $__rc
}
__reel_bench_dump() { print -l -- $__reel_bench_times > "$1.tmp"; command mv "$1.tmp" "$1"; __reel_bench_times=() }
`,
}

// BenchmarkHookCost drives real interactive shells in tmux, types 400
// commands with the hook loaded but no recording, then 400 while
// recording, and reports the hooks' own time per command (bash: the
// prompt hook; zsh: preexec and precmd), measured inside the shell. Run it
// once:
//
//	go test -tags sqlite_fts5 -run '^$' -bench HookCost -benchtime 1x ./internal/shellhook/
func BenchmarkHookCost(b *testing.B) {
	const n = 400
	for _, shell := range []string{"bash", "zsh"} {
		b.Run(shell, func(b *testing.B) {
			for range b.N {
				l := newLab(b)
				l.timing = timing[shell]
				l.shell(shell, "bench")
				line := `: 'deploy --host "db.internal" --tag v1.4.2' # benchmark`
				typeLines := func() {
					for i := 0; i < n; i += 50 {
						l.tmux("send-keys", "-t", "lab:bench", "-l", strings.Repeat(line+"\n", 50))
					}
				}
				dump := func(name string) []float64 {
					path := filepath.Join(l.dir, name)
					l.send("bench", "__reel_bench_dump "+path)
					var data []byte
					l.wait(60*time.Second, name, func() bool { data, _ = os.ReadFile(path); return len(data) > 0 }, func() string { return l.pane("bench") })
					var ms []float64
					for _, f := range strings.Fields(string(data))[1:] { // the first is the previous dump's own prompt
						us, _ := strconv.ParseFloat(f, 64)
						ms = append(ms, us/1000)
					}
					return ms
				}
				dump("warmup")
				typeLines()
				idle := dump("idle")

				l.send("bench", "reel rec start -n bench")
				r := l.activeRecording("bench")
				dump("started")
				start := time.Now()
				typeLines()
				l.wait(120*time.Second, "the commands in the journal", func() bool { return commandsIn(r.Path) >= n },
					func() string { return fmt.Sprint(commandsIn(r.Path)) })
				elapsed := time.Since(start)
				active := dump("active")
				if got := commandsIn(r.Path); got < n {
					b.Fatalf("%d commands recorded, want %d", got, n)
				}

				si, sa := stats(idle), stats(active)
				b.ReportMetric(sa.p50, "p50-ms/cmd")
				b.ReportMetric(sa.p95, "p95-ms/cmd")
				b.ReportMetric(sa.max, "max-ms/cmd")
				b.ReportMetric(si.p95, "idle-p95-ms/cmd")
				b.Logf("%s, %d commands: recording p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.3f ms; "+
					"not recording p50 %.3f ms, p95 %.3f ms; typed-to-journaled %.2f ms/command end to end",
					shell, len(active), sa.p50, sa.p95, sa.p99, sa.max, si.p50, si.p95, float64(elapsed.Microseconds())/1000/n)
				if sa.p95 > 3 {
					b.Errorf("%s: the hook costs %.3f ms p95 per command while recording; the budget is 3 ms", shell, sa.p95)
				}
			}
		})
	}
}

type summary struct{ p50, p95, p99, max float64 }

func stats(ms []float64) summary {
	if len(ms) == 0 {
		return summary{}
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	at := func(q float64) float64 { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return summary{at(0.50), at(0.95), at(0.99), s[len(s)-1]}
}

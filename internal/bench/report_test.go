package bench

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func sampleReport() *Report {
	return &Report{
		Events: 1000, Seed: 1, Dir: "/tmp/b",
		Corpus:       CorpusReport{Files: 7, Sessions: map[string]int{"claude-code": 5, "codex": 2}, Records: 1400, Events: 1003, Bytes: 1 << 20, Seconds: 0.25},
		Ingest:       IngestReport{Seconds: 2, EventsPerSecond: 501.5, Files: 7, Sessions: 7, Events: 1003, Records: 1400, StoredEvents: 1003},
		PeakRSSBytes: 50 << 20, PeakRSSScope: "ingest and search", DBSizeBytes: 3 << 20,
		Search: []Latency{{Class: ClassRare, Queries: 100, Distinct: 7, P50: 0.25, P95: 1.5, P99: 12.25, Max: 130, MeanHits: 3.5}},
		Checks: []Check{
			{Query: "zqxneedle01", Want: 1, Got: 1, Pass: true},
			{Query: "zqxneedle08", Filter: "--source codex", Want: 40, Got: 80, Problem: "40 hits are system events, not messages"},
		},
	}
}

func TestReport_WriteText(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"reel bench: 1000 events, seed 1, in /tmp/b",
		"7 files (5 claude-code, 2 codex), 1400 records, 1003 events, 1.0 MiB, generated in 0.2s",
		"2.0s, 502 events/s; stored 1003 events",
		"peak RSS 50.0 MiB (ingest and search)",
		"3.0 MiB",
		"0.250ms", "1.5ms", "12.2ms", "130ms", "3.5",
		"FAIL: 40 hits are system events, not messages",
		"1 of 2 checks FAILED",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The latency table lines up: every row has the header's width.
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "search") || strings.HasPrefix(strings.TrimSpace(l), "rare") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 2 || len(rows[0]) != len(rows[1]) {
		t.Errorf("latency rows do not line up: %q", rows)
	}

	t.Run("AllPassed", func(t *testing.T) {
		r := sampleReport()
		r.Checks = r.Checks[:1]
		var b strings.Builder
		if err := r.WriteText(&b); err != nil || !strings.Contains(b.String(), "all 1 checks passed") {
			t.Fatalf("err %v, output:\n%s", err, b.String())
		}
	})
	t.Run("ErrWrite", func(t *testing.T) {
		boom := errors.New("closed")
		if err := sampleReport().WriteText(failWriter{boom}); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want %v", err, boom)
		}
	})
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestReport_JSON(t *testing.T) {
	data, err := json.Marshal(sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys = append(keys, k)
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	walk(v)
	snake := regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	for _, k := range keys {
		if !snake.MatchString(k) && k != "claude-code" {
			t.Errorf("JSON key %q is not snake_case", k)
		}
	}
	for _, want := range []string{`"p99_ms":12.25`, `"events_per_second":501.5`, `"peak_rss_bytes":52428800`, `"passed":false`, `"generate_seconds":0.25`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON lacks %s: %s", want, data)
		}
	}
}

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		name, in string
		want     int64
		ok       bool
	}{
		{"OK", "Name:\treel\nVmPeak:\t  9000 kB\nVmHWM:\t    1696 kB\nVmRSS:\t 1500 kB\n", 1696 * 1024, true},
		{"ErrMissing", "Name:\treel\nVmRSS:\t 1500 kB\n", 0, false},
		{"ErrUnit", "VmHWM:\t 12 MB\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmHWM([]byte(tt.in))
			if got != tt.want || (err == nil) != tt.ok {
				t.Fatalf("parseVmHWM = %d, %v; want %d, ok %v", got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestPeakRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM is Linux only")
	}
	before, err := peakRSS()
	if err != nil || before <= 0 {
		t.Fatalf("peakRSS = %d, %v", before, err)
	}
	// Touch 64 MiB so the peak must rise above it.
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += os.Getpagesize() {
		buf[i] = 1
	}
	after, err := peakRSS()
	if err != nil || after < 64<<20 {
		t.Fatalf("peakRSS after touching 64 MiB = %d, %v", after, err)
	}
	runtime.KeepAlive(buf)
}

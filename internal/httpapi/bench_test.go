package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
)

// benchSessions is how many sessions the benchmark store holds; the
// route lists the 20 most recent.
const benchSessions = 500

// BenchmarkServer measures the session list (GET /v1/sessions?limit=20,
// 6.4 KB of JSON) under many concurrent clients: over the unix socket,
// over loopback TCP with the token and Host checks the TCP listener has,
// and through the Client (which decodes every response) on the unix
// socket. The sqlite cases read a real SQLite store of 500 sessions on
// every request; the fixed cases serve a list read from it once, through
// fakeListStore, which isolates the server's own cost (routing, guards,
// JSON, the connection) from the store's query. Clients and server share
// the machine's cores; encode is the cost of encoding the list alone.
func BenchmarkServer(b *testing.B) {
	ctx := context.Background()
	st := benchStore(b)
	list, err := st.Sessions(ctx, reel.Filter{Limit: 20})
	if err != nil {
		b.Fatal(err)
	}
	// encode is the reference: encoding the list alone, which every
	// request of the fixed cases does once.
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(list); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, store := range []struct {
		name string
		st   reel.Store
	}{{"sqlite", st}, {"fixed", &fakeListStore{list: list}}} {
		b.Run(store.name, func(b *testing.B) { benchServer(b, Services{Store: store.st}) })
	}
}

func benchServer(b *testing.B, svc Services) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.Run("unix", func(b *testing.B) {
		_, path, _ := unixServer(b, svc)
		hc := unixHTTP(path)
		hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 256
		benchGet(b, hc, "http://reel/v1/sessions?limit=20", nil)
	})
	b.Run("tcp", func(b *testing.B) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		serve(b, NewServer(svc, Options{Token: testToken, CheckHost: true, Addr: l.Addr().String(), Logger: quiet}), l)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 256
		benchGet(b, &http.Client{Transport: tr}, "http://"+l.Addr().String()+"/v1/sessions?limit=20",
			map[string]string{"Authorization": "Bearer " + testToken})
	})
	b.Run("unix-client", func(b *testing.B) {
		c, _, _ := unixServer(b, svc)
		b.SetParallelism(16)
		cpu := startCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ss, err := c.Sessions(ctx, reel.Filter{Limit: 20})
				if err != nil || len(ss) != 20 {
					b.Errorf("Sessions = %d, %v", len(ss), err)
					return
				}
			}
		})
		cpu.report(b)
	})
}

// benchGet makes GET requests to url from 16 goroutines per core and
// reports requests per second.
func benchGet(b *testing.B, hc *http.Client, url string, hdr map[string]string) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		b.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	var size atomic.Int64
	b.SetParallelism(16)
	cpu := startCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			size.Store(n)
		}
	})
	cpu.report(b)
	b.ReportMetric(float64(size.Load()), "B/resp")
}

// fakeListStore is a store whose Sessions returns a list read before:
// the benchmark's stand-in for a store that costs nothing, so that the
// server's own cost shows. Its other methods are not served.
type fakeListStore struct {
	reel.Store
	list []reel.Session
}

func (f *fakeListStore) Sessions(context.Context, reel.Filter) ([]reel.Session, error) {
	return f.list, nil
}

// cpuClock measures the process's CPU time over a benchmark, so that
// req/cpu-s shows the cost of a request however busy the machine is
// with other work: req/s is what this process got, req/cpu-s times the
// cores is what the cores would give it alone.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU(b *testing.B) *cpuClock {
	b.ResetTimer()
	return &cpuClock{start: processCPU()}
}

func (c *cpuClock) report(b *testing.B) {
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if cpu := processCPU() - c.start; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "req/cpu-s")
	}
}

// benchStore returns a real SQLite store of benchSessions sessions.
func benchStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "reel.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	var bs []*reel.Batch
	for i := range benchSessions {
		bs = append(bs, sessionBatch(i))
	}
	if err := st.Apply(ctx, bs...); err != nil {
		tb.Fatal(err)
	}
	return st
}

// TestServeForLoad serves the benchmark's store on TCP, with the token
// and Host checks, for a load generator such as wrk (see
// docs/BENCHMARKS.md): REEL_HTTPAPI_SERVE=127.0.0.1:PORT, for
// REEL_HTTPAPI_SERVE_FOR (a duration, default 30s). REEL_HTTPAPI_FIXED=1
// serves the list read once, as the fixed benchmark cases do.
func TestServeForLoad(t *testing.T) {
	addr := os.Getenv("REEL_HTTPAPI_SERVE")
	if addr == "" {
		t.Skip("set REEL_HTTPAPI_SERVE=127.0.0.1:PORT to serve the benchmark store for a load generator")
	}
	d, err := time.ParseDuration(os.Getenv("REEL_HTTPAPI_SERVE_FOR"))
	if err != nil {
		d = 30 * time.Second
	}
	var st reel.Store = benchStore(t)
	if os.Getenv("REEL_HTTPAPI_FIXED") == "1" {
		list, err := st.Sessions(context.Background(), reel.Filter{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		st = &fakeListStore{list: list}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, NewServer(Services{Store: st}, Options{Token: testToken, CheckHost: true, Addr: addr,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}), l)
	t.Logf("serving on %s for %v with token %s", addr, d, testToken)
	time.Sleep(d)
}

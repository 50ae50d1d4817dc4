package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/sqlite"
	"github.com/reel-sh/reel/internal/tmux"
	"github.com/reel-sh/reel/internal/unixsock"
)

// benchSessions is how many sessions the benchmark store holds; the
// route lists the 20 most recent.
const benchSessions = 500

// BenchmarkServer measures the two lists under many concurrent clients:
// over the unix socket, over loopback TCP with the token and Host checks
// the TCP listener has, and through the Client (which decodes every
// response) on the unix socket.
//
// sessions: GET /v1/sessions?limit=20 (6.4 KB of JSON) over a real
// SQLite store of 500 sessions. sqlite is the server as it is: lists
// kept encoded while the store's DataVersion, asked on every request,
// stays the same. sqlite-nocache reads and encodes on every request.
// fixed serves a list read once through fakeListStore, which cannot
// tell its version, so it is encoded on every request: the server's
// cost without the store's query. encode is encoding the list alone.
//
// agents: GET /v1/agents with the real tmux supervisor over a private
// tmux server (tmux -L) running benchAgents sessions, its registry the
// SQLite store: exact reconciles with tmux on every request, cached
// answers with Options.AgentsTTL of a second.
func BenchmarkServer(b *testing.B) {
	ctx := context.Background()
	st := benchStore(b)
	list, err := st.Sessions(ctx, reel.Filter{Limit: 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(list); err != nil {
				b.Fatal(err)
			}
		}
	})
	const sessions = "/v1/sessions?limit=20"
	for _, c := range []struct {
		name string
		st   reel.Store
		opts Options
	}{
		{"sqlite", st, Options{}},
		{"sqlite-nocache", st, Options{NoCache: true}},
		{"fixed", &fakeListStore{list: list}, Options{}},
	} {
		b.Run("sessions/"+c.name, func(b *testing.B) {
			benchServer(b, Services{Store: c.st}, c.opts, sessions, func(c *Client) error {
				ss, err := c.Sessions(ctx, reel.Filter{Limit: 20})
				if err == nil && len(ss) != 20 {
					err = fmt.Errorf("%d sessions, want 20", len(ss))
				}
				return err
			})
		})
	}
	b.Run("agents", func(b *testing.B) {
		sup := benchSupervisor(b, st)
		for _, c := range []struct {
			name string
			ttl  time.Duration
		}{{"exact", 0}, {"cached", time.Second}} {
			b.Run(c.name, func(b *testing.B) {
				benchServer(b, Services{Store: st, Supervisor: sup}, Options{AgentsTTL: c.ttl}, "/v1/agents",
					func(c *Client) error {
						as, err := c.Agents(ctx)
						if err == nil && len(as) != benchAgents {
							err = fmt.Errorf("%d agents, want %d", len(as), benchAgents)
						}
						return err
					})
			})
		}
	})
}

// benchAgents is how many supervised sessions the agents cases list.
const benchAgents = 4

// benchSupervisor returns the tmux supervisor over a private tmux server
// running benchAgents sessions, registered in reg. It skips without tmux.
func benchSupervisor(tb testing.TB, reg reel.AgentRegistry) *tmux.Supervisor {
	tb.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		tb.Skip("tmux is not installed")
	}
	socket := fmt.Sprintf("reelbench-%d-%d", os.Getpid(), time.Now().UnixNano())
	tb.Cleanup(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
	sup := tmux.New(tmux.Options{Runner: &tmux.ExecRunner{Socket: socket, Config: "/dev/null"}, Registry: reg,
		Shell: "/bin/sh"})
	ctx := context.Background()
	for i := range benchAgents {
		if _, err := sup.Start(ctx, reel.StartRequest{Name: fmt.Sprintf("bench%d", i), Dir: tb.TempDir(),
			Command: []string{"sleep", "600"}}); err != nil {
			tb.Fatal(err)
		}
	}
	return sup
}

// benchServer measures GET path on a server of svc guarded as opts says
// (the tcp case adds the token and Host checks), and the Client's call
// (check) that reads the same route.
func benchServer(b *testing.B, svc Services, opts Options, path string, check func(*Client) error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.Logger = quiet
	b.Run("unix", func(b *testing.B) {
		_, sock := unixServerOpts(b, svc, opts)
		hc := unixHTTP(sock)
		hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 256
		benchGet(b, hc, "http://reel"+path, nil)
	})
	b.Run("tcp", func(b *testing.B) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		tcp := opts
		tcp.Token, tcp.CheckHost, tcp.Addr = testToken, true, l.Addr().String()
		serve(b, NewServer(svc, tcp), l)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 256
		benchGet(b, &http.Client{Transport: tr}, "http://"+l.Addr().String()+path,
			map[string]string{"Authorization": "Bearer " + testToken})
	})
	b.Run("unix-client", func(b *testing.B) {
		_, sock := unixServerOpts(b, svc, opts)
		c, err := Dial(sock)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		b.SetParallelism(16)
		cpu := startCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := check(c); err != nil {
					b.Error(err)
					return
				}
			}
		})
		cpu.report(b)
	})
}

// unixServerOpts serves svc with opts on a new unix socket.
func unixServerOpts(tb testing.TB, svc Services, opts Options) (*Server, string) {
	tb.Helper()
	srv := NewServer(svc, opts)
	path := filepath.Join(shortDir(tb), "run", "reel.sock")
	l, err := unixsock.Listen(path)
	if err != nil {
		tb.Fatal(err)
	}
	serve(tb, srv, l)
	return srv, path
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
// REEL_HTTPAPI_SERVE_FOR (a duration, default 30s). The session list is
// cached as the server caches it; REEL_HTTPAPI_NOCACHE=1 turns that off
// and REEL_HTTPAPI_FIXED=1 serves the list read once, as the fixed
// benchmark cases do. REEL_HTTPAPI_AGENTS=TTL (a duration; 0 for exact)
// adds the tmux supervisor of the agents cases, with that AgentsTTL.
func TestServeForLoad(t *testing.T) {
	addr := os.Getenv("REEL_HTTPAPI_SERVE")
	if addr == "" {
		t.Skip("set REEL_HTTPAPI_SERVE=127.0.0.1:PORT to serve the benchmark store for a load generator")
	}
	d, err := time.ParseDuration(os.Getenv("REEL_HTTPAPI_SERVE_FOR"))
	if err != nil {
		d = 30 * time.Second
	}
	db := benchStore(t)
	svc := Services{Store: db}
	opts := Options{Token: testToken, CheckHost: true, Addr: addr, NoCache: os.Getenv("REEL_HTTPAPI_NOCACHE") == "1",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if os.Getenv("REEL_HTTPAPI_FIXED") == "1" {
		list, err := db.Sessions(context.Background(), reel.Filter{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		svc.Store = &fakeListStore{list: list}
	}
	if v := os.Getenv("REEL_HTTPAPI_AGENTS"); v != "" {
		if opts.AgentsTTL, err = time.ParseDuration(v); err != nil {
			t.Fatalf("REEL_HTTPAPI_AGENTS: %v", err)
		}
		svc.Supervisor = benchSupervisor(t, db)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, NewServer(svc, opts), l)
	t.Logf("serving on %s for %v with token %s", addr, d, testToken)
	time.Sleep(d)
}

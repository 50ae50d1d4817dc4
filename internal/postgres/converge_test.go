package postgres

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/postgres/pgtest"
)

// The convergence workload: several writers sync the same session files
// at the same moment, as hosts sharing one database do. Each file is cut
// into batches, and each writer applies every file's batches in order,
// interleaving files at random, putting several batches (of one file or
// of several) in one Apply, and going back to the start of one file
// midway, as a re-read of a rewritten file does. Whatever the
// interleaving, every writer ends each file with its last batch, so the
// store must end with exactly the files' records, once each.
const (
	convergeSessions = 6
	convergeBatches  = 8
	convergePerBatch = 15
	convergeWriters  = 4
)

// convergeFile returns the batches of session i, in order.
func convergeFile(i int) []*reel.Batch {
	native := fmt.Sprintf("converge-%d", i)
	ss := reel.Session{ID: reel.SessionID(reel.SourceClaudeCode, native), Source: reel.SourceClaudeCode,
		NativeID: native, Title: "converge " + native, Project: "/srv/converge", Status: reel.StatusActive,
		Path: "/logs/" + native + ".jsonl", StartedAt: time.Date(2025, 5, 1, 0, 0, i, 0, time.UTC)}
	var out []*reel.Batch
	var offset int64
	for n := range convergeBatches {
		from := int64(n * convergePerBatch)
		b := &reel.Batch{Session: ss, FromRaw: from, FromSeq: from}
		for j := range convergePerBatch {
			seq := from + int64(j)
			text := fmt.Sprintf("converge s%d e%d word%d", i, seq, seq%7)
			line := fmt.Sprintf("{\"seq\":%d,\"text\":%q}\n", seq, text)
			b.Raw = append(b.Raw, reel.RawRecord{Index: seq, Offset: offset, Data: []byte(line), Status: reel.RecordOK, Type: "user"})
			offset += int64(len(line))
			b.Events = append(b.Events, reel.Event{SessionID: ss.ID, Seq: seq, Kind: reel.KindMessage,
				Role: reel.RoleUser, Text: text, RawIndex: seq, Time: ss.StartedAt.Add(time.Duration(seq) * time.Second)})
		}
		b.Session.EventCount = from + convergePerBatch
		b.Session.EndedAt = b.Events[len(b.Events)-1].Time
		b.Cursor = reel.Cursor{Path: ss.Path, Source: ss.Source, SessionID: ss.ID, Size: offset, Offset: offset,
			NextRaw: b.Session.EventCount, NextSeq: b.Session.EventCount, State: []byte(strconv.FormatInt(offset, 10))}
		out = append(out, b)
	}
	return out
}

// convergePlan returns the Applies writer w makes, in order.
func convergePlan(w int) [][]*reel.Batch {
	rng := rand.New(rand.NewPCG(uint64(w), 42))
	files := make([][]*reel.Batch, convergeSessions)
	queues := make([][]*reel.Batch, convergeSessions)
	for i := range files {
		files[i] = convergeFile(i)
		queues[i] = files[i]
	}
	// One file is read to some batch, then again from the start.
	r := rng.IntN(convergeSessions)
	k := 1 + rng.IntN(convergeBatches-1)
	queues[r] = append(files[r][:k:k], files[r]...)
	var plan [][]*reel.Batch
	for {
		var open []int
		for i, q := range queues {
			if len(q) > 0 {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			return plan
		}
		var apply []*reel.Batch
		for range 1 + rng.IntN(3) {
			i := open[rng.IntN(len(open))]
			if len(queues[i]) > 0 {
				apply = append(apply, queues[i][0])
				queues[i] = queues[i][1:]
			}
		}
		plan = append(plan, apply)
	}
}

// convergeWriter opens the store at u, waits for start to be closed, and
// makes writer w's Applies. It returns the retries the store made.
func convergeWriter(ctx context.Context, u string, w int, ready func(), start <-chan struct{}) (int64, error) {
	s, err := Open(ctx, u)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	ready()
	<-start
	for i, bs := range convergePlan(w) {
		if err := s.Apply(ctx, bs...); err != nil {
			return s.retries.Load(), fmt.Errorf("writer %d, apply %d: %w", w, i, err)
		}
	}
	return s.retries.Load(), nil
}

// checkConverged checks that the store at u holds exactly the files.
func checkConverged(t *testing.T, u string) {
	t.Helper()
	ctx := context.Background()
	s := openURL(t, u)
	for i := range convergeSessions {
		file := convergeFile(i)
		last := file[len(file)-1]
		var want []reel.Event
		var data []byte
		for _, b := range file {
			want = append(want, b.Events...)
			for _, r := range b.Raw {
				data = append(data, r.Data...)
			}
		}
		ss, err := s.Session(ctx, last.Session.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ss, last.Session) {
			t.Errorf("session %d = %+v, want %+v", i, ss, last.Session)
		}
		got, err := s.Events(ctx, ss.ID, reel.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("session %d: %d events differ from the file's %d", i, len(got), len(want))
		}
		var raw []byte
		if err := s.RawRecords(ctx, ss.ID, func(r reel.RawRecord) error {
			raw = append(raw, r.Data...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(raw, data) {
			t.Errorf("session %d: raw records (%d bytes) are not the file (%d bytes)", i, len(raw), len(data))
		}
		c, err := s.Cursor(ctx, ss.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c, last.Cursor) {
			t.Errorf("cursor %d = %+v, want %+v", i, c, last.Cursor)
		}
	}
	const total = convergeSessions * convergeBatches * convergePerBatch
	for _, q := range []struct {
		sql  string
		want int64
	}{
		{`SELECT count(*) FROM sessions`, convergeSessions},
		{`SELECT count(*) FROM events`, total},
		{`SELECT count(DISTINCT (session_sk, seq)) FROM events`, total},
		{`SELECT count(*) FROM raw_records`, total},
		{`SELECT count(*) FROM cursors`, convergeSessions},
	} {
		if got := queryInt(t, s, q.sql); got != q.want {
			t.Errorf("%s = %d, want %d", q.sql, got, q.want)
		}
	}
	hits, err := s.Search(ctx, reel.SearchQuery{Query: reel.ParseQuery("converge"), Filter: reel.Filter{Limit: 2 * total}})
	if err != nil || len(hits) != total {
		t.Errorf("Search(converge) = %d hits (%v), want %d", len(hits), err, total)
	}
}

func TestStore_ConvergeGoroutines(t *testing.T) {
	// Four Stores, each with its own pool, as four processes would have.
	u := pgtest.Schema(t, pgtest.URL(t))
	openURL(t, u) // migrated before the race, so the writers race on rows only
	var wg, readyWG sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, convergeWriters)
	var retries [convergeWriters]int64
	readyWG.Add(convergeWriters)
	for w := range convergeWriters {
		wg.Go(func() {
			retries[w], errs[w] = convergeWriter(context.Background(), u, w, readyWG.Done, start)
		})
	}
	readyWG.Wait()
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("retries per writer: %v", retries)
	checkConverged(t, u)
}

// convergeWorkerEnv tells a re-executed test binary to be writer N.
const convergeWorkerEnv = "REEL_PG_CONVERGE_WRITER"

func TestStore_ConvergeProcesses(t *testing.T) {
	// Four processes of the test binary, each a writer, started together.
	if testing.Short() {
		t.Skip("starts processes")
	}
	u := pgtest.Schema(t, pgtest.URL(t))
	openURL(t, u)
	type proc struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		stdout *bufio.Reader
		stderr bytes.Buffer
	}
	procs := make([]*proc, convergeWriters)
	for w := range procs {
		p := &proc{cmd: exec.Command(os.Args[0], "-test.run=^TestStore_ConvergeWorker$", "-test.v")}
		p.cmd.Env = append(os.Environ(), convergeWorkerEnv+"="+strconv.Itoa(w), "REEL_PG_CONVERGE_URL="+u)
		p.cmd.Stderr = &p.stderr
		in, err := p.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p.stdin, p.stdout = in, bufio.NewReader(out)
		procs[w] = p
	}
	// Every writer has opened the store before any writes.
	for w, p := range procs {
		if err := waitLine(p.stdout, "converge: ready"); err != nil {
			t.Fatalf("writer %d: %v; stderr:\n%s", w, err, p.stderr.String())
		}
	}
	for _, p := range procs {
		p.stdin.Write([]byte("go\n"))
		p.stdin.Close()
	}
	for w, p := range procs {
		rest := &strings.Builder{}
		p.stdout.WriteTo(rest)
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("writer %d: %v\nstdout:\n%s\nstderr:\n%s", w, err, rest, p.stderr.String())
		}
		if !strings.Contains(rest.String(), "converge: done") {
			t.Fatalf("writer %d did not finish:\n%s", w, rest)
		}
		for _, line := range strings.Split(rest.String(), "\n") {
			if strings.Contains(line, "converge: done") {
				t.Logf("writer %d: %s", w, strings.TrimSpace(line))
			}
		}
	}
	checkConverged(t, u)
}

// waitLine reads r until a line holding want.
func waitLine(r *bufio.Reader, want string) error {
	for {
		line, err := r.ReadString('\n')
		if strings.Contains(line, want) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("no %q line: %w", want, err)
		}
	}
}

// TestStore_ConvergeWorker is one writer of TestStore_ConvergeProcesses,
// in a process of its own; run directly, it does nothing.
func TestStore_ConvergeWorker(t *testing.T) {
	ws := os.Getenv(convergeWorkerEnv)
	if ws == "" {
		t.Skip("a writer process of TestStore_ConvergeProcesses")
	}
	w, err := strconv.Atoi(ws)
	if err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	go func() {
		bufio.NewReader(os.Stdin).ReadString('\n') // "go", or EOF if the parent died
		close(start)
	}()
	retries, err := convergeWriter(context.Background(), os.Getenv("REEL_PG_CONVERGE_URL"), w,
		func() { fmt.Println("converge: ready") }, start)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("converge: done, %d applies, %d retries\n", len(convergePlan(w)), retries)
}

package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/live"
	"github.com/reel-sh/reel/internal/sqlite"
)

// killEnv carries a killSpec to the helper process.
const killEnv = "REEL_LIVE_KILL_HELPER"

// killSpec tells the helper where to write and how to pace itself.
type killSpec struct {
	Journals  string `json:"journals"`
	Snapshots string `json:"snapshots"`
	Seed      uint64 `json:"seed"`
}

// killMeta is the session the helper writes.
var killMeta = live.Meta{Source: reel.SourceHooks, NativeID: "claude-code:kill-test", Title: "kill test",
	Project: "/src/app", ParentID: reel.SessionID(reel.SourceClaudeCode, "kill-test"), Model: "m1", Version: "2.0.1"}

// killCheckpointEvery is how many appends the helper makes between
// checkpoints.
const killCheckpointEvery = 4

// TestHelperLive is not a test: it is the process TestManager_Kill starts
// and kills. It appends events in batches of 1 to 3 and a checkpoint
// every few batches, with snapshots running every 2ms, and prints each
// append's last seq and each checkpoint only once they are durable.
func TestHelperLive(t *testing.T) {
	raw := os.Getenv(killEnv)
	if raw == "" {
		t.Skip("runs only as TestManager_Kill's helper process")
	}
	var spec killSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		t.Fatal(err)
	}
	m, err := live.NewManager(live.Options{Journals: spec.Journals, Snapshots: spec.Snapshots, Live: config.LiveConfig{
		WindowEvents: 16, WindowCheckpoints: 4, SnapshotInterval: config.Duration{Duration: 2 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	go m.Run(context.Background())
	s, err := m.Open(context.Background(), killMeta)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "open %s\n", s.ID())
	rng := rand.New(rand.NewPCG(spec.Seed, 1))
	for n := 0; ; n++ {
		if n%killCheckpointEvery == killCheckpointEvery-1 {
			c, err := s.Checkpoint(fmt.Sprintf("cp-%d", n/killCheckpointEvery), json.RawMessage(fmt.Sprintf(`{"n": %d}`, n)))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(os.Stdout, "cp %s %d %s\n", c.Label, c.Seq, c.ID)
			continue
		}
		info := s.Info()
		next := info.Stats.Events
		var evs []reel.Event
		for k := range 1 + rng.IntN(3) {
			evs = append(evs, killEvent(next+int64(k)))
		}
		first, err := s.Append(evs...)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(os.Stdout, "ev %d\n", first+int64(len(evs))-1)
	}
}

// killBase is the time of event 0.
var killBase = time.Date(2026, 12, 1, 9, 0, 0, 123456789, time.UTC)

// killEvent is the event the helper appends at seq: every field is a
// function of seq, so the parent knows what each should hold.
func killEvent(seq int64) reel.Event {
	e := reel.Event{Seq: seq, Time: killBase.Add(time.Duration(seq) * time.Millisecond),
		Text:   fmt.Sprintf("event %d: %s ünïcødé <&>", seq, strings.Repeat("x", int(seq%97))),
		Tokens: reel.Tokens{Input: seq, Output: 2 * seq}, MessageID: fmt.Sprintf("msg-%d", seq/3)}
	switch seq % 4 {
	case 0:
		e.Kind, e.Role = reel.KindMessage, reel.RoleUser
	case 1:
		e.Kind, e.Role, e.Tool, e.CallID = reel.KindToolCall, reel.RoleAssistant, "Bash", fmt.Sprintf("call-%d", seq)
		e.Input = json.RawMessage(fmt.Sprintf(`{"command":"echo %d"}`, seq))
	case 2:
		code := int(seq % 3)
		e.Kind, e.Role, e.Tool, e.CallID = reel.KindToolResult, reel.RoleTool, "Bash", fmt.Sprintf("call-%d", seq-1)
		e.ExitCode, e.IsError = &code, code != 0
	default:
		e.Kind, e.Role, e.Model = reel.KindReasoning, reel.RoleAssistant, "m1"
	}
	return e
}

// killReport is what the parent read from the helper before it died.
type killReport struct {
	id          string
	lastEvent   int64 // the last seq reported durable, or -1
	checkpoints []reel.Checkpoint
}

// TestManager_Kill kills a process writing a live session with SIGKILL at
// a random moment, many times, and recovers each into a fresh SQLite
// store: recovery finds the session; every event reported durable is
// there as appended; no event is half there; every reported checkpoint is
// there, and the events between two checkpoints are exactly the span the
// helper wrote between them.
func TestManager_Kill(t *testing.T) {
	runs := 100
	if testing.Short() {
		runs = 20
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("REEL_KILL_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (REEL_KILL_SEED=%d to repeat)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	var events, cps, torn, spans int64
	start := time.Now()
	for run := range runs {
		dir := t.TempDir()
		spec := killSpec{Journals: filepath.Join(dir, "live"), Snapshots: filepath.Join(dir, "snapshots"), Seed: rng.Uint64()}
		// Most kills land in the first 30ms; one run in five waits longer,
		// so that some reach several checkpoints even under the race
		// detector.
		delay := time.Duration(rng.IntN(30000)) * time.Microsecond
		if run%5 == 4 {
			delay += 40 * time.Millisecond
		}
		rep := killLive(t, spec, delay)
		if t.Failed() {
			return
		}
		n, c, tn := checkRecovery(t, run, spec, filepath.Join(dir, "reel.db"), rep)
		if t.Failed() {
			t.Fatalf("run %d (seed %d, helper seed %d, kill after %s) failed", run, seed, spec.Seed, delay)
		}
		events, cps, torn = events+n, cps+c, torn+tn
		if len(rep.checkpoints) >= 2 {
			spans++
		}
	}
	t.Logf("%d runs in %s: %d events and %d checkpoints recovered, %d torn lines cut, %d runs with a span checked", runs,
		time.Since(start).Round(time.Millisecond), events, cps, torn, spans)
	if spans == 0 {
		t.Error("no run reported two checkpoints, so no span was checked; the kills came too early")
	}
}

// killLive starts the helper, kills it delay after it opened its session,
// and returns what it reported.
func killLive(t *testing.T, spec killSpec, delay time.Duration) killReport {
	t.Helper()
	arg, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLive$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+string(arg))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rep := killReport{lastEvent: -1}
	opened := make(chan string, 1)
	lines := make(chan string, 1<<16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "open "); ok {
				opened <- id
				continue
			}
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case rep.id = <-opened:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the helper never opened its session: %s", stderr.String())
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		f := strings.Fields(l)
		switch {
		case len(f) == 2 && f[0] == "ev":
			rep.lastEvent, _ = strconv.ParseInt(f[1], 10, 64)
		case len(f) == 4 && f[0] == "cp":
			seq, _ := strconv.ParseInt(f[2], 10, 64)
			rep.checkpoints = append(rep.checkpoints, reel.Checkpoint{ID: f[3], Label: f[1], Seq: seq, SessionID: rep.id})
		default:
			t.Errorf("helper said %q", l)
		}
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("the helper exited by itself: %s", stderr.String())
	}
	return rep
}

// checkRecovery recovers the killed helper's session into a fresh store
// at db and checks it against what the helper reported.
func checkRecovery(t *testing.T, run int, spec killSpec, db string, rep killReport) (events, cps, torn int64) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	res, err := live.Recover(ctx, live.RecoverOptions{Snapshots: spec.Snapshots, Sync: syncInto(t, store), PutCheckpoint: store.PutCheckpoint})
	if err != nil {
		t.Fatalf("run %d: recover: %v", run, err)
	}
	if len(res.Recovered) != 1 || res.Recovered[0].SessionID != rep.id || res.Recovered[0].Status != reel.StatusInterrupted {
		t.Fatalf("run %d: recovered %+v, want session %s interrupted", run, res.Recovered, rep.id)
	}
	if res.Recovered[0].Torn != nil {
		torn++
	}
	sess, err := store.Session(ctx, rep.id)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Status != reel.StatusInterrupted || sess.Source != reel.SourceHooks || sess.NativeID != killMeta.NativeID ||
		sess.ParentID != killMeta.ParentID || sess.Title != killMeta.Title {
		t.Errorf("run %d: session %+v, want hooks %s interrupted, parent %s", run, sess, killMeta.NativeID, killMeta.ParentID)
	}
	got, err := store.Events(ctx, rep.id, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) < rep.lastEvent+1 {
		t.Errorf("run %d: %d events in the store, %d were reported durable", run, len(got), rep.lastEvent+1)
	}
	if sess.EventCount != int64(len(got)) {
		t.Errorf("run %d: session counts %d events, the store holds %d", run, sess.EventCount, len(got))
	}
	// Every event there, reported or written just before the kill, is
	// whole and in its place.
	for i, e := range got {
		if e.Seq != int64(i) {
			t.Fatalf("run %d: event %d has seq %d", run, i, e.Seq)
		}
		if diff := eventDiff(e, killEvent(e.Seq)); diff != "" {
			t.Errorf("run %d: event %d: %s", run, e.Seq, diff)
		}
	}
	stored, err := store.Checkpoints(ctx, rep.id)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) < len(rep.checkpoints) {
		t.Errorf("run %d: %d checkpoints stored, %d reported", run, len(stored), len(rep.checkpoints))
	}
	for i, c := range stored {
		if c.Label != fmt.Sprintf("cp-%d", i) || c.Seq > int64(len(got)) {
			t.Errorf("run %d: checkpoint %d is %q at seq %d (of %d events)", run, i, c.Label, c.Seq, len(got))
		}
		if i < len(rep.checkpoints) && (c.ID != rep.checkpoints[i].ID || c.Seq != rep.checkpoints[i].Seq) {
			t.Errorf("run %d: checkpoint %d is %s at %d, the helper reported %s at %d", run, i, c.ID, c.Seq, rep.checkpoints[i].ID, rep.checkpoints[i].Seq)
		}
	}
	// The span between two reported checkpoints is exactly the events
	// appended between them.
	for i := 1; i < len(rep.checkpoints); i++ {
		a, b := rep.checkpoints[i-1], rep.checkpoints[i]
		var span []reel.Event
		for _, e := range got {
			if e.Seq >= a.Seq && e.Seq < b.Seq {
				span = append(span, e)
			}
		}
		if int64(len(span)) != b.Seq-a.Seq || b.Seq-a.Seq < int64(killCheckpointEvery-1) {
			t.Errorf("run %d: %d events between %s (seq %d) and %s (seq %d), want %d, at least %d",
				run, len(span), a.Label, a.Seq, b.Label, b.Seq, b.Seq-a.Seq, killCheckpointEvery-1)
		}
		for k, e := range span {
			if e.Seq != a.Seq+int64(k) {
				t.Errorf("run %d: span %s..%s holds seq %d at %d", run, a.Label, b.Label, e.Seq, k)
			}
		}
	}
	// The store's raw records give back the journal, byte for byte, end
	// line included: nothing torn was left in it.
	var raw []byte
	if err := store.RawRecords(ctx, rep.id, func(r reel.RawRecord) error { raw = append(raw, r.Data...); return nil }); err != nil {
		t.Fatal(err)
	}
	if file, _ := os.ReadFile(res.Recovered[0].Journal); string(raw) != string(file) || !strings.HasSuffix(string(file), "\"status\":\"interrupted\",\"events\":"+strconv.Itoa(len(got))+",\"reason\":"+strconv.Quote(res.Recovered[0].Reason)+"}\n") {
		t.Errorf("run %d: raw records hold %d bytes, the journal %d, ending %q", run, len(raw), len(file), file[max(0, len(file)-120):])
	}
	// Recovery is done: another finds nothing, and a sync changes nothing.
	again, err := live.Recover(ctx, live.RecoverOptions{Snapshots: spec.Snapshots, Sync: syncInto(t, store)})
	if err != nil || len(again.Recovered) != 0 {
		t.Errorf("run %d: second recovery = %+v, %v; want nothing", run, again.Recovered, err)
	}
	return int64(len(got)), int64(len(stored)), torn
}

// eventDiff names the first field where got differs from want, or "".
func eventDiff(got, want reel.Event) string {
	code := func(p *int) string {
		if p == nil {
			return "nil"
		}
		return strconv.Itoa(*p)
	}
	switch {
	case got.Kind != want.Kind || got.Role != want.Role:
		return fmt.Sprintf("kind %s/%s, want %s/%s", got.Kind, got.Role, want.Kind, want.Role)
	case got.Text != want.Text:
		return fmt.Sprintf("text %q, want %q", got.Text, want.Text)
	case !got.Time.Equal(want.Time):
		return fmt.Sprintf("time %s, want %s", got.Time, want.Time)
	case got.Tool != want.Tool || got.CallID != want.CallID || got.MessageID != want.MessageID || got.Model != want.Model:
		return fmt.Sprintf("tool %s %s %s %s, want %s %s %s %s", got.Tool, got.CallID, got.MessageID, got.Model, want.Tool, want.CallID, want.MessageID, want.Model)
	case got.Tokens != want.Tokens:
		return fmt.Sprintf("tokens %+v, want %+v", got.Tokens, want.Tokens)
	case string(got.Input) != string(want.Input):
		return fmt.Sprintf("input %s, want %s", got.Input, want.Input)
	case got.IsError != want.IsError || code(got.ExitCode) != code(want.ExitCode):
		return fmt.Sprintf("error %v exit %s, want %v exit %s", got.IsError, code(got.ExitCode), want.IsError, code(want.ExitCode))
	}
	return ""
}

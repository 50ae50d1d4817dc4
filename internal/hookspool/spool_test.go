package hookspool

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/uuid"
	"github.com/reel-sh/reel"
)

// recordingSink is a fake receiver: the daemon is not this package's to
// run. It records the events it took, in order, and fails as told.
type recordingSink struct {
	mu   sync.Mutex
	got  []reel.HookEvent
	fail func(e reel.HookEvent) error
}

var _ reel.HookSink = (*recordingSink)(nil)

func (s *recordingSink) Hook(ctx context.Context, e reel.HookEvent) error {
	if s.fail != nil {
		if err := s.fail(e); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, e)
	return nil
}

func (s *recordingSink) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.got {
		out = append(out, e.ID)
	}
	return out
}

func newEvent(t testing.TB, i int) reel.HookEvent {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return reel.HookEvent{
		ID: id.String(), Client: "claude-code", Name: "PreToolUse", SessionID: "s1",
		Time:    time.Date(2026, 1, 2, 3, 4, 5, i, time.UTC),
		Payload: json.RawMessage(fmt.Sprintf(`{"session_id":"s1","hook_event_name":"PreToolUse","tool_input":{"command":"echo %d <b> & é"}}`, i)),
	}
}

func TestAppend_Drain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hook-spool")
	var want []reel.HookEvent
	for i := range 5 {
		e := newEvent(t, i)
		if err := Append(dir, e); err != nil {
			t.Fatal(err)
		}
		want = append(want, e)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Join(dir, SpoolFile): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != mode {
			t.Errorf("%s mode = %v, want %v", path, fi.Mode(), mode)
		}
	}
	sink := &recordingSink{}
	n, err := Drain(context.Background(), dir, sink)
	if err != nil || n != 5 {
		t.Fatalf("Drain = %d, %v; want 5, nil", n, err)
	}
	for i, e := range sink.got {
		if e.ID != want[i].ID || string(e.Payload) != string(want[i].Payload) || !e.Time.Equal(want[i].Time) {
			t.Errorf("event %d = %+v\nwant %+v", i, e, want[i])
		}
	}
	if left := spoolFiles(t, dir); len(left) != 0 {
		t.Errorf("files left after a full drain: %v", left)
	}
	n, err = Drain(context.Background(), dir, sink)
	if err != nil || n != 0 {
		t.Errorf("second Drain = %d, %v; want 0, nil", n, err)
	}
}

func TestDrain_NoSpool(t *testing.T) {
	n, err := Drain(context.Background(), filepath.Join(t.TempDir(), "none"), &recordingSink{})
	if n != 0 || err != nil {
		t.Errorf("Drain = %d, %v", n, err)
	}
}

// spoolFiles lists the spool and draining files in dir.
func spoolFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); n == SpoolFile || strings.HasPrefix(n, drainPrefix) {
			out = append(out, n)
		}
	}
	return out
}

func TestDrain_SinkFailsPartWay(t *testing.T) {
	dir := t.TempDir()
	var all []string
	for i := range 6 {
		e := newEvent(t, i)
		all = append(all, e.ID)
		if err := Append(dir, e); err != nil {
			t.Fatal(err)
		}
	}
	down := fmt.Errorf("daemon went away")
	calls := 0
	sink := &recordingSink{fail: func(reel.HookEvent) error {
		calls++
		if calls == 4 {
			return down
		}
		return nil
	}}
	n, err := Drain(context.Background(), dir, sink)
	if n != 3 || err != down {
		t.Fatalf("Drain = %d, %v; want 3, %v", n, err, down)
	}
	// Events appended meanwhile go to a new spool, after the ones kept.
	late := newEvent(t, 99)
	if err := Append(dir, late); err != nil {
		t.Fatal(err)
	}
	all = append(all, late.ID)
	sink.fail = nil
	n, err = Drain(context.Background(), dir, sink)
	if n != 4 || err != nil {
		t.Fatalf("second Drain = %d, %v; want 4, nil", n, err)
	}
	if got := sink.ids(); strings.Join(got, ",") != strings.Join(all, ",") {
		t.Errorf("delivered %v\nwant      %v (in order, once each)", got, all)
	}
}

func TestDrain_BadLines(t *testing.T) {
	dir := t.TempDir()
	a, b, c := newEvent(t, 1), newEvent(t, 2), newEvent(t, 3)
	for _, e := range []reel.HookEvent{a, b} {
		if err := Append(dir, e); err != nil {
			t.Fatal(err)
		}
	}
	cLine, _ := Marshal(c)
	f, err := os.OpenFile(filepath.Join(dir, SpoolFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A line that is not JSON, a blank line, an event the sink refuses,
	// then a torn last line as a crash leaves it.
	fmt.Fprintf(f, "garbage \xff line\n\n%s%s", cLine, cLine[:20])
	f.Close()
	sink := &recordingSink{fail: func(e reel.HookEvent) error {
		if e.ID == b.ID {
			return reel.Errorf(reel.EINVALID, "hook event has no session id")
		}
		return nil
	}}
	n, err := Drain(context.Background(), dir, sink)
	if n != 2 {
		t.Errorf("Drain took %d, want 2 (a and c)", n)
	}
	if reel.ErrorCode(err) != reel.ECORRUPT {
		t.Fatalf("err = %v, want ECORRUPT", err)
	}
	for _, want := range []string{"3 line(s)", ":2", ":3", ":6"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to name %q", err, want)
		}
	}
	rej, err := ReadRejected(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 3 {
		t.Fatalf("rejected = %+v, want 3", rej)
	}
	if rej[0].Event == nil || rej[0].Event.ID != b.ID || !strings.Contains(rej[0].Reason, "no session id") {
		t.Errorf("refused event kept as %+v", rej[0])
	}
	if !strings.Contains(rej[1].Reason, "not a hook event") || string(rej[1].RawBase64) != "garbage \xff line" {
		t.Errorf("garbage line kept as %+v", rej[1])
	}
	if !strings.Contains(rej[2].Reason, "torn") || rej[2].Raw != string(cLine[:20]) {
		t.Errorf("torn line kept as %+v", rej[2])
	}
	if left := spoolFiles(t, dir); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
}

func TestDrain_LastLineWithoutNewline(t *testing.T) {
	dir := t.TempDir()
	e := newEvent(t, 1)
	line, _ := Marshal(e)
	if err := os.WriteFile(filepath.Join(dir, SpoolFile), line[:len(line)-1], 0o600); err != nil {
		t.Fatal(err)
	}
	sink := &recordingSink{}
	if n, err := Drain(context.Background(), dir, sink); n != 1 || err != nil {
		t.Errorf("Drain = %d, %v; want the whole event delivered", n, err)
	}
}

func TestDrain_ErrBusy(t *testing.T) {
	dir := t.TempDir()
	if err := Append(dir, newEvent(t, 1)); err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	sink := &recordingSink{fail: func(reel.HookEvent) error {
		close(entered)
		<-release
		return nil
	}}
	done := make(chan error)
	go func() { _, err := Drain(context.Background(), dir, sink); done <- err }()
	<-entered
	if _, err := Drain(context.Background(), dir, &recordingSink{}); reel.ErrorCode(err) != reel.EBUSY {
		t.Errorf("a second drain = %v, want EBUSY", err)
	}
	// Appends go on while a drain runs.
	if err := Append(dir, newEvent(t, 2)); err != nil {
		t.Errorf("Append during a drain: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAppend_Concurrent(t *testing.T) {
	dir := t.TempDir()
	const writers, each = 8, 40
	var wg sync.WaitGroup
	sink := &recordingSink{}
	stop := make(chan struct{})
	drained := make(chan int)
	go func() { // drain while they write
		total := 0
		for {
			n, err := Drain(context.Background(), dir, sink)
			if err != nil {
				t.Error(err)
			}
			total += n
			select {
			case <-stop:
				n, _ := Drain(context.Background(), dir, sink)
				drained <- total + n
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := Append(dir, newEvent(t, w*1000+i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if n := <-drained; n != writers*each {
		t.Errorf("drained %d events, want %d", n, writers*each)
	}
	seen := map[string]bool{}
	for _, id := range sink.ids() {
		if seen[id] {
			t.Errorf("event %s delivered twice", id)
		}
		seen[id] = true
	}
}

func TestLogError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	if err := LogError(dir, "post hook: connection refused"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ErrorLogFile))
	if err != nil || !strings.Contains(string(data), "connection refused") {
		t.Errorf("errors.log = %q, %v", data, err)
	}
}

func TestStat(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		if err := Append(dir, newEvent(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := Reject(dir, Rejected{Reason: "test", Where: "reel hook"}); err != nil {
		t.Fatal(err)
	}
	st, err := Stat(dir)
	if err != nil || st.Pending != 3 || st.Rejected != 1 {
		t.Errorf("Stat = %+v, %v; want 3 pending, 1 rejected", st, err)
	}
	if st, err := Stat(filepath.Join(dir, "none")); err != nil || st.Pending != 0 {
		t.Errorf("Stat of no spool = %+v, %v", st, err)
	}
}

func TestAppend_LockHeld(t *testing.T) {
	dir := t.TempDir()
	first := newEvent(t, 1)
	if err := Append(dir, first); err != nil {
		t.Fatal(err)
	}
	// Another holder of spool.lock that never lets go: a stopped process.
	held := flock.New(filepath.Join(dir, spoolLock))
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("take spool.lock: %v", err)
	}
	second := newEvent(t, 2)
	start := time.Now()
	if err := Append(dir, second); err != nil {
		t.Fatalf("Append with the lock held: %v", err)
	}
	if took := time.Since(start); took > 3*lockWait {
		t.Errorf("Append waited %v", took)
	}
	held.Unlock()
	sink := &recordingSink{}
	if n, err := Drain(context.Background(), dir, sink); n != 2 || err != nil {
		t.Fatalf("Drain = %d, %v; want both events", n, err)
	}
	// The one written alone may come first: the spool moved aside is
	// named when the drain moves it.
	if got := sink.ids(); !(got[0] == first.ID && got[1] == second.ID) && !(got[0] == second.ID && got[1] == first.ID) {
		t.Errorf("delivered %v, want %s and %s", got, first.ID, second.ID)
	}
}

func TestAppend_AfterTornLine(t *testing.T) {
	dir := t.TempDir()
	a, b := newEvent(t, 1), newEvent(t, 2)
	if err := Append(dir, a); err != nil {
		t.Fatal(err)
	}
	line, _ := Marshal(b)
	f, _ := os.OpenFile(filepath.Join(dir, SpoolFile), os.O_WRONLY|os.O_APPEND, 0)
	f.Write(line[:30]) // a writer killed part way
	f.Close()
	c := newEvent(t, 3)
	if err := Append(dir, c); err != nil {
		t.Fatal(err)
	}
	sink := &recordingSink{}
	n, err := Drain(context.Background(), dir, sink)
	if n != 2 || reel.ErrorCode(err) != reel.ECORRUPT || !strings.Contains(err.Error(), ":2") {
		t.Fatalf("Drain = %d, %v; want a and c, and line 2 set aside", n, err)
	}
	if got := sink.ids(); got[0] != a.ID || got[1] != c.ID {
		t.Errorf("delivered %v, want %s, %s", got, a.ID, c.ID)
	}
	rej, _ := ReadRejected(dir)
	if len(rej) != 1 || !strings.Contains(rej[0].Reason, "torn") || rej[0].Raw != string(line[:30]) {
		t.Errorf("rejected %+v, want the torn bytes", rej)
	}
}

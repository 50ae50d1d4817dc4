package postgres

import (
	"bytes"
	"context"
	"os"
	"os/user"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/postgres/pgtest"
)

func TestStore_RawRecordName(t *testing.T) {
	// A session read from several files names each record's file.
	ctx := context.Background()
	s := openTest(t)
	b := message(reel.SourceOpencode, "named", 0, "first part", "second part")
	b.Raw[0].Name = "part/msg_1/prt_1.json"
	b.Raw[1].Name = "part:prt_2"
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := s.RawRecords(ctx, b.Session.ID, func(r reel.RawRecord) error {
		names = append(names, r.Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || names[0] != "part/msg_1/prt_1.json" || names[1] != "part:prt_2" {
		t.Errorf("names = %q", names)
	}
}

func TestStore_IngestedBy(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	b := message(reel.SourceCodex, "who", 0, "hello")
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	var host, name string
	if err := s.pool.QueryRow(ctx, `SELECT ingested_by_host, ingested_by_user FROM sessions WHERE id = $1`,
		b.Session.ID).Scan(&host, &name); err != nil {
		t.Fatal(err)
	}
	wantHost, _ := os.Hostname()
	u, err := user.Current()
	if err != nil {
		t.Skipf("no current user: %v", err)
	}
	if host != wantHost || name != u.Username || host == "" {
		t.Errorf("ingested by %q@%q, want %q@%q", name, host, u.Username, wantHost)
	}
}

func TestStore_TextPostgresCannotHold(t *testing.T) {
	// NUL and bytes that are not UTF-8 are legal in reel's strings (a tool
	// printed them; a path is not UTF-8) but not in PostgreSQL text: they
	// round-trip exactly, and the words around them are searchable.
	ctx := context.Background()
	s := openTest(t)
	path := "/logs/caf\xe9/\x00weird\uFFFE.jsonl"
	ss := reel.Session{ID: reel.SessionID(reel.SourceCodex, "nul"), Source: reel.SourceCodex, NativeID: "nul",
		Title: "title\x00with nul", Project: "/srv/caf\xe9", Path: path, StartedAt: time.Unix(1700000000, 0)}
	text := "before\x00after \xff\xfe bytes \uFFFE escape zebrafish"
	b := &reel.Batch{Session: ss,
		Raw:    []reel.RawRecord{{Index: 0, Data: []byte("\x00\xff\n"), Type: "t\x00", Status: reel.RecordInvalid, Reason: "bad \xff", Name: "n\x00"}},
		Events: []reel.Event{{SessionID: ss.ID, Seq: 0, Kind: reel.KindOutput, Text: text, Tool: "to\x00ol"}},
		Cursor: reel.Cursor{Path: path, SessionID: ss.ID, HeadHash: "h\xff", State: []byte{0, 1, 2}},
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, ss.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != ss.Title || got.Project != ss.Project || got.Path != ss.Path {
		t.Errorf("session = %q %q %q, want %q %q %q", got.Title, got.Project, got.Path, ss.Title, ss.Project, ss.Path)
	}
	evs, err := s.Events(ctx, ss.ID, reel.Filter{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("Events = %v, %v", evs, err)
	}
	if evs[0].Text != text || evs[0].Tool != "to\x00ol" {
		t.Errorf("event text %q tool %q, want %q %q", evs[0].Text, evs[0].Tool, text, "to\x00ol")
	}
	var raw reel.RawRecord
	if err := s.RawRecords(ctx, ss.ID, func(r reel.RawRecord) error { raw = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw.Data, []byte("\x00\xff\n")) || raw.Type != "t\x00" || raw.Reason != "bad \xff" || raw.Name != "n\x00" {
		t.Errorf("raw = %+v", raw)
	}
	c, err := s.Cursor(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if c.HeadHash != "h\xff" {
		t.Errorf("head hash %q", c.HeadHash)
	}
	for _, q := range []string{"zebrafish", "before", "after", "bytes"} {
		hits, err := s.Search(ctx, reel.SearchQuery{Query: reel.ParseQuery(q)})
		if err != nil || len(hits) != 1 {
			t.Errorf("Search(%q) = %v, %v", q, hits, err)
		}
	}
	sessions, err := s.Sessions(ctx, reel.Filter{Project: "CAF\xe9"})
	if err != nil || len(sessions) != 1 {
		t.Errorf("Sessions(project) = %v, %v", sessions, err)
	}
}

func TestStore_RetriesLostConnections(t *testing.T) {
	// The server ends every connection of the store (a restart, a
	// failover, an idle timeout): the next Apply and read find their
	// pooled connection dead, and succeed on a new one.
	ctx := context.Background()
	s := openTest(t)
	if err := s.Apply(ctx, message(reel.SourceCodex, "lost", 0, "one")); err != nil {
		t.Fatal(err)
	}
	kill := func() {
		t.Helper()
		// Every idle connection of the pool, by backend pid, from a
		// connection of its own.
		conns := s.pool.AcquireAllIdle(ctx)
		var pids []uint32
		for _, c := range conns {
			pids = append(pids, c.Conn().PgConn().PID())
			c.Release()
		}
		if len(pids) == 0 {
			t.Fatal("no idle connection to end")
		}
		killer := openTest(t)
		var n int
		if err := killer.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE pid = ANY($1) AND pg_terminate_backend(pid)`, pids).Scan(&n); err != nil || n != len(pids) {
			t.Fatalf("terminated %d of %d connections: %v", n, len(pids), err)
		}
	}
	kill()
	if err := s.Apply(ctx, message(reel.SourceCodex, "lost", 1, "two")); err != nil {
		t.Fatalf("Apply after the connections ended = %v", err)
	}
	if n := s.retries.Load(); n == 0 {
		t.Error("Apply was not tried again: the test ended no connection it used")
	}
	kill()
	evs, err := s.Events(ctx, reel.SessionID(reel.SourceCodex, "lost"), reel.Filter{})
	if err != nil || len(evs) != 2 {
		t.Fatalf("Events after the connections ended = %d events, %v", len(evs), err)
	}
}

func TestStore_RetriesDeadlock(t *testing.T) {
	// Another client locks the second of an Apply's sessions, waits until
	// the Apply holds the first and waits for the second, then asks for
	// the first: a deadlock. PostgreSQL aborts the Apply, whose wait began
	// first, and the Apply runs again once the other client commits.
	ctx := context.Background()
	u := pgtest.Schema(t, pgtest.URL(t))
	s := openURL(t, u)
	a, b := message(reel.SourceCodex, "deadlock-a", 0, "alpha"), message(reel.SourceCodex, "deadlock-b", 0, "bravo")
	if a.Session.ID > b.Session.ID {
		a, b = b, a // a's row is locked first
	}
	if err := s.Apply(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	other, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// The Apply must be the one that detects the deadlock, after its 1 s.
	if _, err := tx.Exec(ctx, `SET LOCAL deadlock_timeout = '30s'`); err != nil {
		t.Skipf("cannot raise deadlock_timeout (not a superuser?): %v", err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE`, b.Session.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- s.Apply(ctx, message(reel.SourceCodex, "deadlock-a", 1, "charlie"), message(reel.SourceCodex, "deadlock-b", 1, "delta"))
	}()
	waitFor(t, func() bool {
		return queryInt(t, s, `SELECT count(*) FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))`,
			int32(other.PgConn().PID())) > 0
	})
	if _, err := tx.Exec(ctx, `SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE`, a.Session.ID); err != nil {
		t.Fatalf("the other client was the deadlock's victim: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Apply = %v", err)
	}
	if n := s.retries.Load(); n == 0 {
		t.Error("Apply succeeded without a retry: no deadlock happened")
	}
	for _, id := range []string{a.Session.ID, b.Session.ID} {
		if evs, err := s.Events(ctx, id, reel.Filter{}); err != nil || len(evs) != 2 {
			t.Errorf("Events(%s) = %d, %v; want 2", reel.ShortID(id), len(evs), err)
		}
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

func TestStore_ApplyAtomic(t *testing.T) {
	// A statement that fails midway through an Apply (here a trigger
	// refuses one event) leaves nothing of it: not the sessions upserted
	// before, not the raw records, not the cursor.
	ctx := context.Background()
	s := openTest(t)
	if _, err := s.pool.Exec(ctx, `CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.text = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `CREATE TRIGGER refuse_boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_boom()`); err != nil {
		t.Fatal(err)
	}
	kept := message(reel.SourceCodex, "kept", 0, "alpha")
	if err := s.Apply(ctx, kept); err != nil {
		t.Fatal(err)
	}
	fresh := message(reel.SourceCodex, "fresh", 0, "bravo", "boom")
	fresh.Cursor = reel.Cursor{Path: "/logs/fresh.jsonl", SessionID: fresh.Session.ID, Offset: 12}
	rewrite := message(reel.SourceCodex, "kept", 0, "charlie")
	err := s.Apply(ctx, rewrite, fresh)
	if err == nil || !strings.Contains(err.Error(), "boom refused") {
		t.Fatalf("Apply = %v, want the trigger's error", err)
	}
	if _, err := s.Session(ctx, fresh.Session.ID); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("Session(fresh) = %v, want ENOTFOUND", err)
	}
	if _, err := s.Cursor(ctx, "/logs/fresh.jsonl"); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("Cursor(fresh) = %v, want ENOTFOUND", err)
	}
	evs, err := s.Events(ctx, kept.Session.ID, reel.Filter{})
	if err != nil || len(evs) != 1 || evs[0].Text != "alpha" {
		t.Errorf("kept session's events = %+v, %v; want alpha alone", evs, err)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM raw_records`); n != 1 {
		t.Errorf("%d raw records, want 1", n)
	}
}

package httpapi

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// ambiguousPrefix returns a one-digit prefix that several of st's
// sessions share.
func ambiguousPrefix(t *testing.T, ss []reel.Session) string {
	t.Helper()
	seen := map[byte]bool{}
	for _, s := range ss {
		if seen[s.ID[0]] {
			return s.ID[:1]
		}
		seen[s.ID[0]] = true
	}
	t.Fatal("no shared first digit")
	return ""
}

func TestClient_Sessions(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	c, _, _ := unixServer(t, Services{Store: st})
	want, err := st.Sessions(ctx, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := c.Sessions(ctx, reel.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %d sessions, want the store's %d: %+v", len(got), len(want), got)
		}
	})
	t.Run("Filtered", func(t *testing.T) {
		f := reel.Filter{Sources: []string{reel.SourceCodex}, Project: "PROJ1", Since: base.Add(3 * time.Hour),
			Until: base.Add(14 * time.Hour), Limit: 2}
		direct, err := st.Sessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Sessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(direct) == 0 || !reflect.DeepEqual(got, direct) {
			t.Fatalf("got %+v, want %+v", got, direct)
		}
	})
	t.Run("Session", func(t *testing.T) {
		got, err := c.Session(ctx, want[3].ID[:10])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want[3]) {
			t.Fatalf("got %+v, want %+v", got, want[3])
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := c.Session(ctx, "ffffffffffffffffffff")
		wantCode(t, err, reel.ENOTFOUND, "ffffffffffffffffffff")
	})
	t.Run("ErrAmbiguous", func(t *testing.T) {
		_, err := c.Session(ctx, ambiguousPrefix(t, want))
		wantCode(t, err, reel.EAMBIGUOUS, "")
	})
}

func TestServer_BadQuery(t *testing.T) {
	st := testStore(t)
	_, path, _ := unixServer(t, Services{Store: st})
	hc := unixHTTP(path)
	for _, tc := range []struct{ query, part string }{
		{"/v1/sessions?limit=ten", `"limit"`},
		{"/v1/sessions?limit=-1", `"limit"`},
		{"/v1/sessions?since=yesterday", `"since"`},
		{"/v1/sessions?limt=3", `"limt"`},
		{"/v1/sessions?project=a&project=b", `"project"`},
		{"/v1/search?q=deploy&limit=0", `"limit"`},
		{"/v1/search?q=deploy&until=2026-13-01", `"until"`},
		{"/v1/sessions/abc/events?since_seq=x", `"since_seq"`},
		{"/v1/sessions/abc/events?to=noon", `"to"`},
		{"/v1/sessions/abc/diff?a=x", `"b"`},
		{"/healthz?verbose=1", `"verbose"`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := rawCall(t, hc, "GET", "http://reel"+tc.query, nil, nil)
			if r.status != 400 {
				t.Fatalf("status = %d (%s), want 400", r.status, r.body)
			}
			e := errorOf(t, r)
			if e.Code != reel.EINVALID || !strings.Contains(e.Message, tc.part) {
				t.Fatalf("error = %+v, want invalid naming %s", e, tc.part)
			}
		})
	}
}

func TestClient_EventsFromStore(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	c, _, _ := unixServer(t, Services{Store: st})
	ss, _ := st.Sessions(ctx, reel.Filter{})
	sess := ss[0]
	t.Run("StoreView", func(t *testing.T) {
		// The store view keeps reel.Store's [Since, Until) through the
		// route's inclusive To.
		for _, f := range []reel.Filter{
			{},
			{Kinds: []string{reel.KindMessage}, Roles: []string{reel.RoleUser}},
			{Since: sess.StartedAt.Add(time.Second), Until: sess.StartedAt.Add(4 * time.Second)},
			{Limit: 2},
		} {
			want, err := st.Events(ctx, sess.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Store().Events(ctx, sess.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || !reflect.DeepEqual(got, want) {
				t.Fatalf("filter %+v: got %+v, want %+v", f, got, want)
			}
		}
	})
	t.Run("InclusiveTo", func(t *testing.T) {
		got, err := c.Events(ctx, reel.EventQuery{Session: sess.ID[:8], From: sess.StartedAt.Add(time.Second),
			To: sess.StartedAt.Add(3 * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Seq != 1 || got[2].Seq != 3 {
			t.Fatalf("got %d events %+v, want seqs 1 to 3", len(got), got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := c.Events(ctx, reel.EventQuery{Session: "0000000000000000"})
		wantCode(t, err, reel.ENOTFOUND, "")
	})
	t.Run("ErrUnsupported", func(t *testing.T) {
		_, err := c.Events(ctx, reel.EventQuery{Session: sess.ID, FromCheckpoint: "a"})
		wantCode(t, err, reel.EUNSUPPORT, "timeline")
		_, err = c.Replay(ctx, reel.EventQuery{Session: sess.ID})
		wantCode(t, err, reel.EUNSUPPORT, "timeline")
	})
}

func TestClient_Timeline(t *testing.T) {
	ctx := context.Background()
	var gotQ reel.EventQuery
	var gotDiff [3]string
	evs := []reel.Event{{SessionID: "s1", Seq: 4, Kind: reel.KindMessage, Text: "hi", Time: base}}
	exit := 2
	steps := []reel.Step{{Seq: 5, Kind: reel.KindCommand, Text: "make", ResultSeq: 6, ExitCode: &exit, Time: base}}
	diff := reel.Diff{SessionID: "s1", From: reel.Checkpoint{ID: "c1", Seq: 1, Time: base}, To: reel.Checkpoint{ID: "c2", Seq: 9, Time: base},
		Events: 8, Files: []reel.FileTouch{{Path: "a.go", Ops: []string{"edit"}}}, Commands: []string{"make"},
		Tools: map[string]int64{"Bash": 2}, Tokens: reel.Tokens{Input: 3}}
	tl := &fakeTimeline{
		EventsFn: func(_ context.Context, q reel.EventQuery) ([]reel.Event, error) { gotQ = q; return evs, nil },
		ReplayFn: func(_ context.Context, q reel.EventQuery) ([]reel.Step, error) { gotQ = q; return steps, nil },
		DiffFn: func(_ context.Context, s, a, b string) (reel.Diff, error) {
			gotDiff = [3]string{s, a, b}
			if a == "missing" {
				return reel.Diff{}, reel.Errorf(reel.ENOTFOUND, "checkpoint %q not found", a).WithHint("reel checkpoints s1 lists them")
			}
			return diff, nil
		},
	}
	c, _, _ := unixServer(t, Services{Timeline: tl})
	q := reel.EventQuery{Session: "s1/odd name", SinceSeq: 3, From: base, To: base.Add(time.Hour + time.Nanosecond),
		FromCheckpoint: "before refactor", ToCheckpoint: "c,2", Kinds: []string{"message", "tool_call"},
		Roles: []string{"user"}, Limit: 7}
	t.Run("Events", func(t *testing.T) {
		got, err := c.Events(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, evs) {
			t.Fatalf("got %+v, want %+v", got, evs)
		}
		if !reflect.DeepEqual(gotQ, q) {
			t.Fatalf("timeline got %+v, want %+v", gotQ, q)
		}
	})
	t.Run("Replay", func(t *testing.T) {
		got, err := c.Replay(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, steps) {
			t.Fatalf("got %+v, want %+v", got, steps)
		}
		want := q
		want.Kinds = nil // replay takes no kinds
		if !reflect.DeepEqual(gotQ, want) {
			t.Fatalf("timeline got %+v, want %+v", gotQ, want)
		}
	})
	t.Run("Diff", func(t *testing.T) {
		got, err := c.Diff(ctx, "s1", "c1", "c2")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, diff) || gotDiff != [3]string{"s1", "c1", "c2"} {
			t.Fatalf("got %+v for %v, want %+v", got, gotDiff, diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := c.Diff(ctx, "s1", "missing", "c2")
		re := wantCode(t, err, reel.ENOTFOUND, `checkpoint "missing" not found`)
		if re.Hint != "reel checkpoints s1 lists them" {
			t.Fatalf("hint = %q", re.Hint)
		}
	})
}

func TestClient_Search(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	c, _, _ := unixServer(t, Services{Store: st})
	ss, _ := st.Sessions(ctx, reel.Filter{})
	for _, tc := range []struct {
		name string
		q    reel.SearchQuery
		n    int
	}{
		{"Word", reel.SearchQuery{Query: reel.ParseQuery("zebra5"), Filter: reel.Filter{Limit: 20}}, 1},
		{"Filtered", reel.SearchQuery{Query: reel.ParseQuery("deploy -script"),
			Filter: reel.Filter{Sources: []string{reel.SourceCodex}, Kinds: []string{reel.KindMessage}, Roles: []string{reel.RoleUser}, Limit: 5}}, 5},
		{"Session", reel.SearchQuery{Query: reel.ParseQuery(`"deploy the api"`),
			Filter: reel.Filter{SessionID: ss[2].ID, Since: base, Until: base.Add(48 * time.Hour), Limit: 20}}, 1},
		{"Empty", reel.SearchQuery{Query: reel.ParseQuery("-deploy"), Filter: reel.Filter{Limit: 20}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := st.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.n || !reflect.DeepEqual(got, want) {
				t.Fatalf("got %d hits %+v, want %d: %+v", len(got), got, tc.n, want)
			}
		})
	}
	t.Run("SessionPrefix", func(t *testing.T) {
		// The route resolves a prefix, as reel search --session does.
		hits, err := c.Search(ctx, reel.SearchQuery{Query: reel.ParseQuery("deploy"), Filter: reel.Filter{SessionID: ss[2].ID[:8]}})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			t.Fatal("no hits")
		}
		for _, h := range hits {
			if h.SessionID != ss[2].ID {
				t.Fatalf("hit of %s, want only %s", h.SessionID, ss[2].ID)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := c.Search(ctx, reel.SearchQuery{Query: reel.ParseQuery("deploy"), Filter: reel.Filter{SessionID: "ffffff"}})
		wantCode(t, err, reel.ENOTFOUND, "")
	})
}

func TestClient_Stats(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	want, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("FromStore", func(t *testing.T) {
		c, _, _ := unixServer(t, Services{Store: st})
		got, err := c.Store().Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	t.Run("FromStatus", func(t *testing.T) {
		status := func(ctx context.Context) (any, error) {
			stats, err := st.Stats(ctx)
			return map[string]any{"store": stats, "uptime": "3s"}, err
		}
		c, _, _ := unixServer(t, Services{Status: status})
		got, err := c.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		raw, err := c.Status(ctx)
		if err != nil || !strings.Contains(string(raw), `"uptime":"3s"`) {
			t.Fatalf("Status = %s, %v", raw, err)
		}
	})
	t.Run("ErrNoStore", func(t *testing.T) {
		c, _, _ := unixServer(t, Services{Status: func(context.Context) (any, error) { return map[string]int{"x": 1}, nil }})
		_, err := c.Stats(ctx)
		wantCode(t, err, reel.ECORRUPT, "no store statistics")
	})
}

func TestClient_StoreOnly(t *testing.T) {
	c, _, _ := unixServer(t, Services{})
	s := c.Store()
	ctx := context.Background()
	wantCode(t, s.Apply(ctx, &reel.Batch{}), reel.EUNSUPPORT, "apply")
	_, err := s.Cursor(ctx, "/x")
	wantCode(t, err, reel.EUNSUPPORT, "cursor")
	wantCode(t, s.RawRecords(ctx, "x", func(reel.RawRecord) error { return nil }), reel.EUNSUPPORT, "raw records")
}

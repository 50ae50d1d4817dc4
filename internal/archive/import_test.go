package archive_test

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
)

// cpStore adds checkpoints to a store, as reel.Store's PutCheckpoint and
// Checkpoints promise them, for as long as the SQLite store lacks them.
type cpStore struct {
	reel.Store
	mu  sync.Mutex
	cps map[string][]reel.Checkpoint // by session id
}

func newCPStore(st reel.Store) *cpStore {
	return &cpStore{Store: st, cps: map[string][]reel.Checkpoint{}}
}

func (s *cpStore) PutCheckpoint(ctx context.Context, c reel.Checkpoint) error {
	if _, err := s.Store.Session(ctx, c.SessionID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := slices.DeleteFunc(s.cps[c.SessionID], func(o reel.Checkpoint) bool { return o.ID == c.ID })
	for _, o := range list {
		if c.Label != "" && o.Label == c.Label {
			return reel.Errorf(reel.ECONFLICT, "label %q names checkpoint %s", c.Label, o.ID)
		}
	}
	s.cps[c.SessionID] = append(list, c)
	return nil
}

func (s *cpStore) Checkpoints(ctx context.Context, id string) ([]reel.Checkpoint, error) {
	if _, err := s.Store.Session(ctx, id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.cps[id])
	slices.SortFunc(out, func(a, b reel.Checkpoint) int {
		return cmp.Or(cmp.Compare(a.Seq, b.Seq), a.Time.Compare(b.Time), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// storeWithOdd returns a store holding oddDocument, checkpoints and all,
// written as an import would.
func storeWithOdd(t *testing.T) (*cpStore, *archive.Document) {
	t.Helper()
	st := newCPStore(openStore(t))
	doc := oddDocument()
	if err := archive.Import(context.Background(), st, doc); err != nil {
		t.Fatalf("import: %v", err)
	}
	return st, doc
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		src, doc := storeWithOdd(t)
		first := export(t, src, doc.Session.ID)
		dst := newCPStore(openStore(t))
		for range 2 { // the second import replaces the first
			got, err := archive.Read(bytes.NewReader(first), archive.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if err := archive.Import(ctx, dst, got); err != nil {
				t.Fatalf("import: %v", err)
			}
			if second := export(t, dst, doc.Session.ID); !bytes.Equal(first, second) {
				t.Errorf("export after import differs:\n%s\n---\n%s", first, second)
			}
		}
		back, err := archive.FromStore(ctx, dst, doc.Session.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(back.Checkpoints) != 4 {
			t.Errorf("%d checkpoints after import, want 4", len(back.Checkpoints))
		}
		sameStored(t, src, dst, doc.Session.ID)
	})
	t.Run("ErrSynced", func(t *testing.T) {
		st := openStore(t)
		b := oddSession() // as a sync writes it: under its file's cursor
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		before := export(t, st, b.Session.ID)
		doc := oddDocument()
		doc.Checkpoints = nil
		doc.Session.Title = "imported"
		err := archive.Import(ctx, st, doc)
		if reel.ErrorCode(err) != reel.ECONFLICT || reel.ErrorHint(err) == "" {
			t.Errorf("got %v, want ECONFLICT with a hint", err)
		}
		if after := export(t, st, b.Session.ID); !bytes.Equal(before, after) {
			t.Errorf("the refused import changed the session")
		}
	})
	t.Run("ErrNoCheckpoints", func(t *testing.T) {
		st := struct{ reel.Store }{openStore(t)}
		if _, ok := any(st).(interface {
			PutCheckpoint(context.Context, reel.Checkpoint) error
		}); ok {
			t.Skip("the store keeps checkpoints now")
		}
		doc := oddDocument()
		if err := archive.Import(ctx, st, doc); reel.ErrorCode(err) != reel.EUNSUPPORT {
			t.Errorf("got %v, want EUNSUPPORT", err)
		}
		if _, err := st.Session(ctx, doc.Session.ID); reel.ErrorCode(err) != reel.ENOTFOUND {
			t.Errorf("session after a refused import: %v, want ENOTFOUND", err)
		}
	})
	t.Run("ErrLabel", func(t *testing.T) {
		st, doc := storeWithOdd(t)
		clash := reel.Checkpoint{ID: "mine", SessionID: doc.Session.ID, Label: "start", Seq: 1}
		if err := st.PutCheckpoint(ctx, clash); reel.ErrorCode(err) != reel.ECONFLICT {
			t.Fatalf("put a clashing label: %v, want ECONFLICT", err)
		}
		doc.Checkpoints[0].Label = "renamed"
		if err := archive.Import(ctx, st, doc); err != nil {
			t.Fatal(err)
		}
		if err := st.PutCheckpoint(ctx, clash); err != nil {
			t.Fatal(err)
		}
		if err := archive.Import(ctx, st, oddDocument()); reel.ErrorCode(err) != reel.ECONFLICT {
			t.Errorf("import with a label another checkpoint has: %v, want ECONFLICT", err)
		}
	})
}

func TestSniff(t *testing.T) {
	var buf bytes.Buffer
	if err := archive.Write(&buf, oddDocument()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		prefix string
		want   bool
	}{
		{"OK", buf.String()[:64], true},
		{"OKSpaces", " {\n  \"format\" : \"reel\", \"version\": 9", true},
		{"NotReel", `{"format":"tar"}`, false},
		{"OtherFirst", `{"version":1,"format":"reel"}`, false},
		{"JSONL", `{"type":"user","message":{}}` + "\n", false},
		{"History", ": 1700000000:0;ls -la\n", false},
		{"Empty", "", false},
		{"Cut", `{"form`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := archive.Sniff([]byte(tc.prefix)); got != tc.want {
				t.Errorf("Sniff(%q) = %v, want %v", tc.prefix, got, tc.want)
			}
		})
	}
}

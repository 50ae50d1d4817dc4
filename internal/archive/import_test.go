package archive_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/archive"
)

// storeWithOdd returns a store holding oddDocument, checkpoints and all,
// written as an import would.
func storeWithOdd(t *testing.T) (reel.Store, *archive.Document) {
	t.Helper()
	st := openStore(t)
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
		dst := openStore(t)
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
	t.Run("ErrLabel", func(t *testing.T) {
		// A label that another checkpoint of the session has refuses the
		// whole import: the session stays as it was.
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
		before := export(t, st, doc.Session.ID)
		again := oddDocument()
		again.Session.Title = "changed"
		if err := archive.Import(ctx, st, again); reel.ErrorCode(err) != reel.ECONFLICT {
			t.Errorf("import with a label another checkpoint has: %v, want ECONFLICT", err)
		}
		if after := export(t, st, doc.Session.ID); !bytes.Equal(before, after) {
			t.Errorf("the refused import changed the session:\n%s\n---\n%s", before, after)
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

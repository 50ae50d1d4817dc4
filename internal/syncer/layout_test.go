package syncer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/syncer"
)

// fakeNotes is a fake importer, made for these tests, with one session
// of each layout: *.log files are read line by line and can take events
// back ("rewind N"), *.doc files are documents, and *.tree folders are
// custom sessions with one record per file. Every "say TEXT" line becomes
// one event.
type fakeNotes struct{}

var (
	_ reel.Importer     = fakeNotes{}
	_ reel.RecordReader = fakeNotes{}
)

func (fakeNotes) Source() string { return "notes" }

func (fakeNotes) Discover(_ context.Context, root string, fn func(reel.SourceFile) error) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		f := reel.SourceFile{Path: filepath.Join(root, e.Name()), NativeID: e.Name()}
		switch filepath.Ext(e.Name()) {
		case ".log":
		case ".doc":
			f.Layout = reel.LayoutDocument
		case ".tree":
			f.Layout, f.Key = reel.LayoutCustom, "all"
		default:
			continue
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// treeFiles lists a .tree session's files, relative to its folder.
func treeFiles(dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		names = append(names, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(names)
	return names, err
}

func (fakeNotes) Stamp(_ context.Context, f reel.SourceFile) (reel.Stamp, error) {
	names, err := treeFiles(f.Path)
	if err != nil {
		return reel.Stamp{}, err
	}
	var st reel.Stamp
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(f.Path, n))
		if err != nil {
			return reel.Stamp{}, err
		}
		st.Size += fi.Size()
		if fi.ModTime().After(st.ModTime) {
			st.ModTime = fi.ModTime()
		}
	}
	st.Hash = strconv.Itoa(len(names))
	return st, nil
}

func (fakeNotes) ReadRecords(_ context.Context, f reel.SourceFile, fn func(reel.RawRecord) error) error {
	names, err := treeFiles(f.Path)
	if err != nil {
		return err
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(f.Path, n))
		if err != nil {
			return err
		}
		if err := fn(reel.RawRecord{Name: n, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

func (fakeNotes) NewParser(f reel.SourceFile, state []byte) (reel.Parser, error) {
	p := &notesParser{native: f.NativeID, keep: -1}
	if state != nil {
		if err := json.Unmarshal(state, &p.count); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// notesParser counts the events it has returned, so that a rewind can say
// how many stand.
type notesParser struct {
	native string
	count  int64
	keep   int64
}

func (p *notesParser) Parse(rec *reel.RawRecord) ([]reel.Event, error) {
	p.keep = -1
	rec.Status, rec.Type = reel.RecordOK, "note"
	var evs []reel.Event
	for _, l := range strings.Split(strings.TrimSpace(string(rec.Data)), "\n") {
		switch verb, arg, _ := strings.Cut(l, " "); verb {
		case "say":
			evs = append(evs, reel.Event{Kind: reel.KindMessage, Role: reel.RoleUser, Text: arg})
		case "rewind":
			n, err := strconv.ParseInt(arg, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bad rewind %q", arg)
			}
			p.keep, p.count = n, n
		default:
			return nil, fmt.Errorf("unknown verb %q", verb)
		}
	}
	p.count += int64(len(evs))
	return evs, nil
}

func (p *notesParser) Rewound() (int64, bool) { return p.keep, p.keep >= 0 }

func (p *notesParser) Session() reel.Session {
	return reel.Session{NativeID: p.native, Title: p.native}
}

func (p *notesParser) State() ([]byte, error) { return json.Marshal(p.count) }

// notesSync syncs the notes folder at root.
func notesSync(t *testing.T, store reel.Store, root string, batch int) *syncer.Record {
	t.Helper()
	return runSync(t, syncer.Options{Store: store, Host: testHost, BatchEvents: batch,
		Sources: []syncer.Source{{Importer: fakeNotes{}, Root: root}}})
}

// notesTexts returns the texts of the session of the notes file name, in
// seq order, checking that the seqs are dense.
func notesTexts(t *testing.T, store reel.Store, name string) []string {
	t.Helper()
	id := reel.SessionID("notes", name)
	evs, err := store.Events(context.Background(), id, reel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{}
	for i, e := range evs {
		if e.Seq != int64(i) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		texts = append(texts, e.Text)
	}
	s, err := store.Session(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if s.EventCount != int64(len(evs)) {
		t.Errorf("session counts %d events, the store has %d", s.EventCount, len(evs))
	}
	return texts
}

// notesRaw returns the session's raw records.
func notesRaw(t *testing.T, store reel.Store, name string) []reel.RawRecord {
	t.Helper()
	var recs []reel.RawRecord
	err := store.RawRecords(context.Background(), reel.SessionID("notes", name), func(r reel.RawRecord) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestRun_Rewind(t *testing.T) {
	for _, batch := range []int{1, 50} {
		t.Run(fmt.Sprintf("OKBatch%d", batch), func(t *testing.T) {
			root, store := t.TempDir(), openStore(t)
			path := filepath.Join(root, "a.log")
			writeFile(t, path, []byte("say one\nsay two\nsay three\n"))
			notesSync(t, store, root, batch)
			equal(t, "texts", notesTexts(t, store, "a.log"), []string{"one", "two", "three"})

			// A rewind read on a later sync takes back committed events.
			appendFile(t, path, []byte("rewind 1\nsay four\n"))
			rec := notesSync(t, store, root, batch)
			equal(t, "appended", rec.FilesAppended, 1)
			equal(t, "texts", notesTexts(t, store, "a.log"), []string{"one", "four"})

			// One within the same read, and one to nothing.
			appendFile(t, path, []byte("say five\nrewind 2\nsay six\nrewind 0\nsay seven\n"))
			notesSync(t, store, root, batch)
			equal(t, "texts", notesTexts(t, store, "a.log"), []string{"seven"})

			// Every line is kept, so the file still exports whole.
			var got []byte
			for _, r := range notesRaw(t, store, "a.log") {
				got = append(got, r.Data...)
			}
			equal(t, "export", string(got), string(readFile(t, path)))

			// A fresh store reading the file in one go agrees.
			fresh := openStore(t)
			notesSync(t, fresh, root, batch)
			equal(t, "fresh texts", notesTexts(t, fresh, "a.log"), []string{"seven"})
		})
	}
	t.Run("ErrOutOfRange", func(t *testing.T) {
		root, store := t.TempDir(), openStore(t)
		writeFile(t, filepath.Join(root, "b.log"), []byte("say one\nrewind 5\nsay two\n"))
		rec := notesSync(t, store, root, 50)
		equal(t, "texts", notesTexts(t, store, "b.log"), []string{"one", "two"})
		if len(rec.Issues) != 1 || rec.Issues[0].Line != 2 || !strings.Contains(rec.Issues[0].Reason, "rewind") {
			t.Errorf("issues = %+v, want one about the rewind on line 2", rec.Issues)
		}
	})
}

func TestRun_Document(t *testing.T) {
	root, store := t.TempDir(), openStore(t)
	path := filepath.Join(root, "c.doc")
	doc := []byte("say one\nsay two\n")
	writeFile(t, path, doc)
	rec := notesSync(t, store, root, 1)
	equal(t, "new", rec.FilesNew, 1)
	equal(t, "texts", notesTexts(t, store, "c.doc"), []string{"one", "two"})
	raw := notesRaw(t, store, "c.doc")
	if len(raw) != 1 || !bytes.Equal(raw[0].Data, doc) {
		t.Fatalf("raw records = %+v, want the whole document as one", raw)
	}

	rec = notesSync(t, store, root, 1)
	equal(t, "unchanged", rec.FilesUnchanged, 1)

	// A document changes in place: it is read again whole.
	doc = []byte("say uno\n")
	writeFile(t, path, doc)
	future := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	rec = notesSync(t, store, root, 1)
	equal(t, "rewritten", rec.FilesRewritten, 1)
	equal(t, "texts", notesTexts(t, store, "c.doc"), []string{"uno"})
	raw = notesRaw(t, store, "c.doc")
	if len(raw) != 1 || !bytes.Equal(raw[0].Data, doc) {
		t.Fatalf("raw records = %+v, want the new document", raw)
	}

	// A document that does not parse is kept raw and reported, not fatal.
	writeFile(t, filepath.Join(root, "d.doc"), []byte("bogus\n"))
	rec = notesSync(t, store, root, 1)
	equal(t, "skipped records", rec.SkippedRecords, int64(1))
	equal(t, "d raw", len(notesRaw(t, store, "d.doc")), 1)
}

func TestRun_Custom(t *testing.T) {
	root, store := t.TempDir(), openStore(t)
	tree := filepath.Join(root, "e.tree")
	writeFile(t, filepath.Join(tree, "1.txt"), []byte("say one\n"))
	writeFile(t, filepath.Join(tree, "sub", "2.txt"), []byte("say two\nsay three\n"))
	rec := notesSync(t, store, root, 1)
	equal(t, "new", rec.FilesNew, 1)
	equal(t, "texts", notesTexts(t, store, "e.tree"), []string{"one", "two", "three"})
	s, err := store.Session(context.Background(), reel.SessionID("notes", "e.tree"))
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "path", s.Path, tree+"#all")
	var names []string
	for _, r := range notesRaw(t, store, "e.tree") {
		names = append(names, r.Name)
	}
	equal(t, "names", names, []string{"1.txt", "sub/2.txt"})

	equal(t, "unchanged", notesSync(t, store, root, 1).FilesUnchanged, 1)

	// A new file changes the stamp; the session is read again.
	writeFile(t, filepath.Join(tree, "0.txt"), []byte("say zero\n"))
	rec = notesSync(t, store, root, 1)
	equal(t, "rewritten", rec.FilesRewritten, 1)
	equal(t, "texts", notesTexts(t, store, "e.tree"), []string{"zero", "one", "two", "three"})
	cur, err := store.Cursor(context.Background(), tree+"#all")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "cursor hash", cur.HeadHash, "3")
}

// equal fails the test when got and want differ.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

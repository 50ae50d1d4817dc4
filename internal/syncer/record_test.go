package syncer_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/syncer"
)

func TestDuration_MarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{"OK", 1500 * time.Millisecond, `"1.5s"`},
		{"Zero", 0, `"0s"`},
		{"Long", 90*time.Minute + 3*time.Millisecond, `"1h30m0.003s"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(syncer.Duration(tt.d))
			if err != nil || string(got) != tt.want {
				t.Errorf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestDuration_UnmarshalJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"OK", `"1.5s"`, 1500 * time.Millisecond, false},
		{"OKNanoseconds", `"12ns"`, 12, false},
		{"ErrNumber", `1500`, 0, true},
		{"ErrBadDuration", `"soon"`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d syncer.Duration
			err := json.Unmarshal([]byte(tt.in), &d)
			if (err != nil) != tt.wantErr || time.Duration(d) != tt.want {
				t.Errorf("got %v, %v; want %v, error %v", time.Duration(d), err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestIssue_String(t *testing.T) {
	tests := []struct {
		name  string
		issue syncer.Issue
		want  string
	}{
		{"OK", syncer.Issue{Path: "/a/b.jsonl", Line: 7, Reason: "invalid JSON", Action: "skipped"}, "/a/b.jsonl:7: invalid JSON (skipped)"},
		{"WholeFile", syncer.Issue{Path: "/a/b.jsonl", Reason: "permission denied", Action: "skipped"}, "/a/b.jsonl: permission denied (skipped)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.issue.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRecord_Issues checks that a sync lists at most 200 issues and counts
// the rest, while its counts stay exact.
func TestRecord_Issues(t *testing.T) {
	home := t.TempDir()
	path := claudeFile(home, "-p", "noise.jsonl")
	var data []byte
	data = append(data, claudeLine(0, "noise")...)
	for range 250 {
		data = append(data, "not json at all\n"...)
	}
	data = append(data, claudeLine(1, "noise")...)
	writeFile(t, path, data)
	store := openStore(t)
	rec := syncHome(t, store, home)
	if rec.SkippedRecords != 250 || len(rec.Issues) != 200 || rec.IssuesOmitted != 50 {
		t.Errorf("skipped %d, issues listed %d, omitted %d; want 250, 200, 50", rec.SkippedRecords, len(rec.Issues), rec.IssuesOmitted)
	}
	for i, is := range rec.Issues {
		if is.Line != int64(i+2) || is.Action != "skipped" {
			t.Errorf("issue %d: got %v, want line %d skipped", i, is, i+2)
			break
		}
	}
	if rec.Outcome != syncer.OutcomePartial {
		t.Errorf("outcome: got %q, want partial", rec.Outcome)
	}
	checkTexts(t, store, checkRaw(t, store, path, data), "line 0 ", "line 1 ")
}

func TestWriteRecord(t *testing.T) {
	// A record as a real sync fills it, issues and all.
	home := t.TempDir()
	copyFile(t, filepath.Join("testdata", "badinput", "badjson", "session.jsonl"), claudeFile(home, "-p", "s.jsonl"))
	rec := syncHome(t, openStore(t), home)
	if len(rec.Issues) == 0 || len(rec.Sources) != 2 {
		t.Fatalf("the sync should report an issue and two sources: %+v", rec)
	}

	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state", "last-sync.json")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := syncer.WriteRecord(path, rec); err != nil {
			t.Fatalf("write: %v", err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode: got %v, want 0600", fi.Mode().Perm())
		}
		data := readFile(t, path)
		if !bytes.Contains(data, []byte(`"duration": "`)) || !bytes.HasSuffix(data, []byte("}\n")) {
			t.Errorf("record file does not hold a readable duration and a final newline:\n%s", data)
		}
		got, err := syncer.ReadRecord(path)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("round trip:\ngot  %+v\nwant %+v", got, rec)
		}
		// A second write replaces the first whole.
		short := &syncer.Record{Outcome: syncer.OutcomeOK, Issues: []syncer.Issue{}}
		if err := syncer.WriteRecord(path, short); err != nil {
			t.Fatal(err)
		}
		if got, err := syncer.ReadRecord(path); err != nil || !reflect.DeepEqual(got, short) {
			t.Errorf("rewrite: got %+v, %v; want %+v", got, err, short)
		}
	})
	t.Run("ErrNoFolder", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing", "last-sync.json")
		if err := syncer.WriteRecord(path, rec); err == nil || !strings.Contains(err.Error(), "write sync record") {
			t.Errorf("got %v, want a write sync record error", err)
		}
	})
}

func TestReadRecord(t *testing.T) {
	t.Run("OKMissing", func(t *testing.T) {
		got, err := syncer.ReadRecord(filepath.Join(t.TempDir(), "last-sync.json"))
		if got != nil || err != nil {
			t.Errorf("got %+v, %v; want nil, nil", got, err)
		}
	})
	t.Run("ErrCorrupt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "last-sync.json")
		writeFile(t, path, []byte(`{"outcome": "ok", "duration": 12`))
		got, err := syncer.ReadRecord(path)
		if got != nil || err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("got %+v, %v; want an error naming %s", got, err, path)
		}
	})
	t.Run("ErrFolder", func(t *testing.T) {
		got, err := syncer.ReadRecord(t.TempDir())
		if got != nil || err == nil {
			t.Errorf("got %+v, %v; want an error", got, err)
		}
	})
}

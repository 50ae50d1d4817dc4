package journal_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/journal"
)

// copyCase copies testdata/journal/<name>/journal.ndjson into a temp dir.
func copyCase(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "journal", name, "journal.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "journal.ndjson")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRead(t *testing.T) {
	tests := []struct {
		name      string
		commands  int
		torn      bool
		invalid   []int
		ended     bool
		wantName  string
		wantTags  string
		wantCmd2  string
		wantError string
	}{
		{name: "whole", commands: 2, ended: true, wantName: "deploy", wantCmd2: "echo \"a\\nb\" | grep -c a"},
		{name: "torn", commands: 2, torn: true, wantName: "deploy"},
		{name: "garbage_tail", commands: 2, torn: true, wantName: "deploy"},
		{name: "bad_middle", commands: 2, invalid: []int{3}, wantName: "deploy"},
		{name: "renamed", commands: 2, ended: true, wantName: "release", wantTags: "prod,eu"},
		{name: "no_header", wantError: reel.ECORRUPT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := journal.Read(filepath.Join("testdata", "journal", tt.name, "journal.ndjson"))
			if tt.wantError != "" {
				if reel.ErrorCode(err) != tt.wantError {
					t.Fatalf("err = %v, want code %s", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Commands) != tt.commands {
				t.Errorf("commands = %d, want %d", len(r.Commands), tt.commands)
			}
			if (r.TornAt >= 0) != tt.torn {
				t.Errorf("TornAt = %d, want torn=%v", r.TornAt, tt.torn)
			}
			if fmt.Sprint(r.Invalid) != fmt.Sprint(tt.invalid) {
				t.Errorf("invalid = %v, want %v", r.Invalid, tt.invalid)
			}
			if r.Ended() != tt.ended {
				t.Errorf("ended = %v, want %v", r.Ended(), tt.ended)
			}
			if r.Name != tt.wantName {
				t.Errorf("name = %q, want %q", r.Name, tt.wantName)
			}
			if got := strings.Join(r.Tags, ","); got != tt.wantTags {
				t.Errorf("tags = %q, want %q", got, tt.wantTags)
			}
			if tt.wantCmd2 != "" && r.Commands[1].Cmd != tt.wantCmd2 {
				t.Errorf("command 2 = %q, want %q", r.Commands[1].Cmd, tt.wantCmd2)
			}
		})
	}
}

func TestCommand_Duration(t *testing.T) {
	r, err := journal.Read(filepath.Join("testdata", "journal", "whole", "journal.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Commands[0]
	if c.Duration().Milliseconds() != 2500 || c.Exit != 0 || c.Cwd != "/home/u/app" {
		t.Errorf("command 1 = %+v, duration %v", c, c.Duration())
	}
	if got := c.Start().Format("15:04:05"); got != "12:00:00" {
		t.Errorf("start = %s", got)
	}
	if (journal.Command{StartUS: 10, EndUS: 5}).Duration() != 0 {
		t.Error("negative duration not clamped")
	}
}

func TestRepair(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		path := copyCase(t, "torn")
		before, _ := os.ReadFile(path)
		torn, err := journal.Repair(path)
		if err != nil {
			t.Fatal(err)
		}
		if torn == nil || torn.Text != `{"t":"cmd","n":3,"cmd":"rm -r bu` {
			t.Fatalf("torn = %+v", torn)
		}
		after, _ := os.ReadFile(path)
		if int64(len(after)) != torn.Offset || string(before[:torn.Offset]) != string(after) {
			t.Errorf("repair kept %d bytes, want the %d before the torn line", len(after), torn.Offset)
		}
		r, err := journal.Read(path)
		if err != nil || len(r.Commands) != 2 || r.TornAt >= 0 {
			t.Errorf("after repair: %+v, %v", r, err)
		}
	})
	t.Run("Whole", func(t *testing.T) {
		path := copyCase(t, "whole")
		torn, err := journal.Repair(path)
		if err != nil || torn != nil {
			t.Errorf("Repair(whole) = %+v, %v; want nil, nil", torn, err)
		}
	})
}

func TestCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "recordings")
	h := journal.Header{ID: "abc", Name: "x", Kind: journal.KindShell}
	path, err := journal.Create(dir, h)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	if _, err := journal.Create(dir, h); err == nil {
		t.Error("Create over an existing journal succeeded")
	}
	if err := journal.Append(path, journal.Command{T: journal.TypeCmd, N: 1, Cmd: "a <b> && c"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"cmd":"a <b> && c"`) {
		t.Errorf("HTML characters escaped: %s", data)
	}
	r, err := journal.Read(path)
	if err != nil || r.Header.V != journal.Version || r.Header.T != journal.TypeStart || len(r.Commands) != 1 {
		t.Errorf("read back = %+v, %v", r, err)
	}
}

func TestValidName(t *testing.T) {
	for _, ok := range []string{"deploy", "a_b-C9", strings.Repeat("x", journal.MaxNameLen)} {
		if err := journal.ValidName(ok); err != nil {
			t.Errorf("ValidName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a b", "a/b", "ü", "a.b", strings.Repeat("x", journal.MaxNameLen+1)} {
		if reel.ErrorCode(journal.ValidName(bad)) != reel.EINVALID {
			t.Errorf("ValidName(%q) accepted", bad)
		}
	}
}

package hookinstall

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

// TestInstall_UninstallRestores installs into every golden "before" file
// and uninstalls again: a config.toml comes back byte for byte, a JSON
// file with the same content (reformatted).
func TestInstall_UninstallRestores(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "hooks")
	for _, name := range []string{"claude-install-merge", "gemini-install-merge", "codex-install-merge", "codex-install-new", "claude-install-new"} {
		t.Run(name, func(t *testing.T) {
			op, _ := os.ReadFile(filepath.Join(root, name, "op"))
			c, err := Lookup(strings.Fields(string(op))[1])
			if err != nil {
				t.Fatal(err)
			}
			ext := ".json"
			if c.Format == FormatCodexNotify {
				ext = ".toml"
			}
			before, _ := os.ReadFile(filepath.Join(root, name, "before"+ext))
			in, _, err := Install(c, "f", before, goldenBin)
			if err != nil {
				t.Fatal(err)
			}
			out, ch, err := Uninstall(c, "f", in)
			if err != nil || len(ch.Removed) != len(c.Events) {
				t.Fatalf("Uninstall: %+v, %v", ch, err)
			}
			want := before
			if ext == ".json" && len(before) > 0 {
				o, err := parseJSON("f", before)
				if err != nil {
					t.Fatal(err)
				}
				want = marshalJSON(o)
			}
			if ext == ".json" && len(before) == 0 {
				want = []byte("{}\n")
			}
			if !bytes.Equal(out, want) {
				t.Errorf("after install and uninstall:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	c, _ := Lookup("claude-code")
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	orig := []byte(`{"model": "opus"}`)
	if err := os.WriteFile(path, orig, 0o640); err != nil {
		t.Fatal(err)
	}
	edit := func(data []byte) ([]byte, Change, error) { return Install(c, path, data, goldenBin) }
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)

	a, err := Apply(path, edit, true, now)
	if err != nil || len(a.Added) != len(c.Events) || a.Backup != "" {
		t.Fatalf("dry run: %+v, %v", a, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Fatalf("a dry run wrote the file: %s", got)
	}

	a, err = Apply(path, edit, false, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".reel-backup-20260102T030405.000000006Z"; a.Backup != want {
		t.Errorf("backup = %s, want %s", a.Backup, want)
	}
	if got, _ := os.ReadFile(a.Backup); !bytes.Equal(got, orig) {
		t.Errorf("backup holds %s", got)
	}
	for _, p := range []string{path, a.Backup} {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
			t.Errorf("%s mode %v, want 0640 kept", p, fi.Mode().Perm())
		}
	}
	st, _ := Inspect(c, path, a.After)
	if len(st.Missing) != 0 {
		t.Errorf("installed file misses %v", st.Missing)
	}

	a, err = Apply(path, edit, false, now.Add(time.Second))
	if err != nil || !a.Empty() || a.Backup != "" {
		t.Errorf("second install: %+v, %v; want no change and no backup", a, err)
	}

	t.Run("ErrCorrupt", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.json")
		body := []byte("{\n  // mine\n  \"a\": 1\n}\n")
		os.WriteFile(bad, body, 0o600)
		_, err := Apply(bad, func(d []byte) ([]byte, Change, error) { return Install(c, bad, d, goldenBin) }, false, now)
		if reel.ErrorCode(err) != reel.ECORRUPT || !strings.Contains(err.Error(), bad+":2") {
			t.Errorf("err = %v, want ECORRUPT at %s:2", err, bad)
		}
		if got, _ := os.ReadFile(bad); !bytes.Equal(got, body) {
			t.Error("a file that does not parse was written")
		}
		if m, _ := filepath.Glob(bad + BackupSuffix + "*"); len(m) != 0 {
			t.Errorf("backups of a refused file: %v", m)
		}
	})

	t.Run("Symlink", func(t *testing.T) {
		target := filepath.Join(dir, "dotfiles", "claude-settings.json")
		os.MkdirAll(filepath.Dir(target), 0o700)
		os.WriteFile(target, orig, 0o644)
		link := filepath.Join(dir, "link", "settings.json")
		os.MkdirAll(filepath.Dir(link), 0o700)
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		a, err := Apply(link, func(d []byte) ([]byte, Change, error) { return Install(c, link, d, goldenBin) }, false, now)
		if err != nil || a.Empty() {
			t.Fatalf("%+v, %v", a, err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced: %v, %v", fi.Mode(), err)
		}
		if got, _ := os.ReadFile(target); !bytes.Equal(got, a.After) {
			t.Errorf("the target holds %s", got)
		}
		if !strings.HasPrefix(a.Backup, target+BackupSuffix) {
			t.Errorf("backup %s, want beside the target", a.Backup)
		}
	})

	t.Run("NewFile", func(t *testing.T) {
		p := filepath.Join(dir, "new", ".claude", "settings.json")
		a, err := Apply(p, func(d []byte) ([]byte, Change, error) { return Install(c, p, d, goldenBin) }, false, now)
		if err != nil || a.Backup != "" {
			t.Fatalf("%+v, %v", a, err)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Errorf("new file mode %v, want 0600", fi.Mode().Perm())
		}
	})
}

func TestIsReelCommand(t *testing.T) {
	for cmd, want := range map[string]bool{
		"/usr/local/bin/reel hook --client claude-code": true,
		"'/opt/my tools/reel' hook --client gemini":     true,
		"reel hook":                           true,
		"reel hooks install":                  false,
		"reelix hook":                         false,
		"echo reel hook":                      false,
		"/usr/bin/env reel hook":              false,
		`"/Users/a b/reel" hook --client x`:   true,
		"$CLAUDE_PROJECT_DIR/.claude/hook.sh": false,
	} {
		if got := IsReelCommand(cmd); got != want {
			t.Errorf("IsReelCommand(%q) = %v, want %v", cmd, got, want)
		}
	}
	c, _ := Lookup("claude-code")
	if cmd := Command(c, "/opt/my tools/reel"); cmd != "'/opt/my tools/reel' hook --client claude-code" || !IsReelCommand(cmd) {
		t.Errorf("Command = %q", cmd)
	}
}

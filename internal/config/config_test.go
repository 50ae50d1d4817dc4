package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/config"
)

func envOf(m map[string]string) config.Env { return func(k string) string { return m[k] } }

func TestResolvePaths(t *testing.T) {
	t.Run("XDG", func(t *testing.T) {
		p, err := config.ResolvePaths(envOf(map[string]string{
			"HOME": "/home/u", "XDG_DATA_HOME": "/xd", "XDG_STATE_HOME": "relative/ignored",
			"XDG_RUNTIME_DIR": "/run/user/1",
		}))
		if err != nil {
			t.Fatal(err)
		}
		want := config.Paths{Home: "/home/u", Config: "/home/u/.config/reel", Data: "/xd/reel",
			State: "/home/u/.local/state/reel", Runtime: "/run/user/1"}
		if p != want {
			t.Errorf("got %+v\nwant %+v", p, want)
		}
	})
	t.Run("REEL_HOME", func(t *testing.T) {
		p, err := config.ResolvePaths(envOf(map[string]string{"HOME": "/home/u", "REEL_HOME": "/r", "XDG_DATA_HOME": "/xd"}))
		if err != nil {
			t.Fatal(err)
		}
		if p.Data != "/r/data" || p.State != "/r/state" || p.Config != "/r" {
			t.Errorf("got %+v", p)
		}
	})
}

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		root := t.TempDir()
		os.WriteFile(filepath.Join(root, "config.toml"), []byte(`
[store]
url = "/tmp/x.db"
[sync]
max_line_bytes = 1024
[sources.codex]
path = "~/elsewhere"
[sources.claude-code]
disabled = true
`), 0o600)
		c, err := config.Load(envOf(map[string]string{"HOME": "/home/u", "REEL_HOME": root}))
		if err != nil {
			t.Fatal(err)
		}
		if c.DatabasePath() != "/tmp/x.db" || c.Sync.MaxLineBytes != 1024 {
			t.Errorf("got %+v", c)
		}
		if got := c.SourceRoots(reel.SourceCodex, envOf(nil))[0]; got != "/home/u/elsewhere" {
			t.Errorf("codex root = %q", got)
		}
		if c.Enabled(reel.SourceClaudeCode) || !c.Enabled(reel.SourceCodex) {
			t.Error("enabled flags wrong")
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		root := t.TempDir()
		c, err := config.Load(envOf(map[string]string{"HOME": "/home/u", "REEL_HOME": root, "CODEX_HOME": "/c"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.DatabasePath() != filepath.Join(root, "data", "reel.db") || c.Sync.MaxLineBytes != config.DefaultMaxLineBytes {
			t.Errorf("got %+v", c)
		}
		if got := c.SourceRoots(reel.SourceCodex, envOf(map[string]string{"CODEX_HOME": "/c"}))[0]; got != "/c/sessions" {
			t.Errorf("codex root = %q", got)
		}
		if got := c.SourceRoots(reel.SourceClaudeCode, envOf(nil))[0]; got != "/home/u/.claude/projects" {
			t.Errorf("claude root = %q", got)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		root := t.TempDir()
		os.WriteFile(filepath.Join(root, "config.toml"), []byte("[store]\nurll = 1\n"), 0o600)
		_, err := config.Load(envOf(map[string]string{"REEL_HOME": root, "HOME": "/h"}))
		if reel.ErrorCode(err) != reel.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
	t.Run("ErrBadTOML", func(t *testing.T) {
		root := t.TempDir()
		os.WriteFile(filepath.Join(root, "config.toml"), []byte("[store\n"), 0o600)
		_, err := config.Load(envOf(map[string]string{"REEL_HOME": root, "HOME": "/h"}))
		if reel.ErrorCode(err) != reel.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
	})
}

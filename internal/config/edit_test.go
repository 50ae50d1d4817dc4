package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSetSourceEnabled(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"OKNoFile", "", "[sources.aider]\nenabled = true\n"},
		{"OKAppend",
			"# my config\n[store]\nurl = \"x.db\"\n",
			"# my config\n[store]\nurl = \"x.db\"\n\n[sources.aider]\nenabled = true\n"},
		{"OKReplaceKeepComments",
			"[sources.aider] # repos\n# where aider ran\npaths = [\"~/src/a\"]\ndisabled = true\nenabled = false\n[sources.codex]\nenabled = false\n",
			"[sources.aider] # repos\nenabled = true\n# where aider ran\npaths = [\"~/src/a\"]\n[sources.codex]\nenabled = false\n"},
		{"OKQuotedHeaderNoNewline", "[sources.\"aider\"]", "[sources.\"aider\"]\nenabled = true\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			if tt.in != "" {
				if err := os.WriteFile(path, []byte(tt.in), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := SetSourceEnabled(path, "aider", true); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("config =\n%s\nwant\n%s", got, tt.want)
			}
			c, err := Load(func(k string) string {
				if k == "REEL_CONFIG" {
					return path
				}
				if k == "REEL_HOME" {
					return filepath.Dir(path)
				}
				return ""
			})
			if err != nil {
				t.Fatal(err)
			}
			if !c.Enabled("aider") {
				t.Error("aider not enabled after the edit")
			}
		})
	}
	t.Run("ErrBrokenFileLeftAlone", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config.toml")
		broken := "[sources.aider\nenabled = \n"
		os.WriteFile(path, []byte(broken), 0o600)
		if err := SetSourceEnabled(path, "aider", false); err == nil {
			t.Fatal("no error for a config that does not parse")
		}
		got, _ := os.ReadFile(path)
		if string(got) != broken {
			t.Errorf("broken config was changed to %q", got)
		}
	})
}

package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel/internal/cli"
)

func reelRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHooks_InstallStatusUninstall(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	t.Setenv("HOME", home)
	t.Setenv("REEL_HOME", filepath.Join(root, "reel"))
	t.Setenv("CLAUDE_CONFIG_DIR", "")
	t.Setenv("CODEX_HOME", "")
	t.Setenv("GEMINI_CLI_HOME", "")
	claude := filepath.Join(home, ".claude", "settings.json")
	codex := filepath.Join(home, ".codex", "config.toml")
	os.MkdirAll(filepath.Dir(claude), 0o700)
	os.MkdirAll(filepath.Dir(codex), 0o700)
	userClaude := `{"model":"opus","hooks":{"Stop":[{"hooks":[{"type":"command","command":"say done"}]}]}}`
	os.WriteFile(claude, []byte(userClaude), 0o644)
	userCodex := "model = \"o3\"\n\n[tui]\nnotifications = true\n"
	os.WriteFile(codex, []byte(userCodex), 0o600)
	bin := "/usr/local/bin/reel"

	code, out, errs := reelRun(t, "hooks", "install", "--bin", bin)
	if code != cli.ExitOK {
		t.Fatalf("install: exit %d: %s", code, errs)
	}
	for _, want := range []string{"claude-code", "added for SessionStart", "codex", "added for agent-turn-complete", "gemini", "skipped, not installed here"} {
		if !strings.Contains(out, want) {
			t.Errorf("install said %q, want %q", out, want)
		}
	}
	backups, _ := filepath.Glob(claude + ".reel-backup-*")
	if len(backups) != 1 {
		t.Errorf("backups = %v, want one", backups)
	}

	code, out, _ = reelRun(t, "hooks", "install", "--bin", bin, "--json")
	var results []map[string]any
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &results) != nil || len(results) != 3 {
		t.Fatalf("second install --json: exit %d, %s", code, out)
	}
	for _, r := range results[:2] {
		if r["added"] != nil || r["updated"] != nil || r["backup"] != nil {
			t.Errorf("second install changed %v", r)
		}
	}
	if backups, _ := filepath.Glob(claude + ".reel-backup-*"); len(backups) != 1 {
		t.Errorf("a second install made another backup: %v", backups)
	}

	code, out, _ = reelRun(t, "hooks", "status", "--json", "--bin", bin)
	var st struct {
		Clients []struct {
			Client    string   `json:"client"`
			Installed bool     `json:"installed"`
			Current   bool     `json:"current"`
			Events    []string `json:"events"`
			Missing   []string `json:"missing"`
		} `json:"clients"`
		Spool struct {
			Pending int `json:"pending"`
		} `json:"spool"`
	}
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &st) != nil || len(st.Clients) != 3 {
		t.Fatalf("status --json: exit %d, %s", code, out)
	}
	if c := st.Clients[0]; !c.Installed || !c.Current || len(c.Events) != 9 {
		t.Errorf("claude-code status %+v", c)
	}
	if c := st.Clients[1]; !c.Installed || !c.Current {
		t.Errorf("codex status %+v", c)
	}
	if c := st.Clients[2]; c.Installed || len(c.Missing) != 8 {
		t.Errorf("gemini status %+v", c)
	}

	code, _, errs = reelRun(t, "hooks", "uninstall")
	if code != cli.ExitOK {
		t.Fatalf("uninstall: exit %d: %s", code, errs)
	}
	got, _ := os.ReadFile(codex)
	if string(got) != userCodex {
		t.Errorf("codex config after uninstall:\n%s\nwant:\n%s", got, userCodex)
	}
	var after, before any
	data, _ := os.ReadFile(claude)
	json.Unmarshal(data, &after)
	json.Unmarshal([]byte(userClaude), &before)
	if a, b := mustMarshal(t, after), mustMarshal(t, before); a != b {
		t.Errorf("claude settings after uninstall %s, want %s", a, b)
	}
	if fi, _ := os.Stat(claude); fi.Mode().Perm() != 0o644 {
		t.Errorf("claude settings mode %v, want 0644 kept", fi.Mode().Perm())
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHooks_Errors(t *testing.T) {
	root := t.TempDir()
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("REEL_HOME", filepath.Join(root, "reel"))
	bad := filepath.Join(root, "settings.json")
	body := "{\n  \"model\": \"opus\", // mine\n}\n"
	os.WriteFile(bad, []byte(body), 0o600)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"Comments", []string{"hooks", "install", "--client", "claude-code", "--settings", bad, "--bin", "/usr/local/bin/reel"}, cli.ExitCorrupt, bad + ":2"},
		{"SettingsNeedsOneClient", []string{"hooks", "install", "--settings", bad, "--bin", "/usr/local/bin/reel"}, cli.ExitUsage, "--settings names one client"},
		{"UnknownClient", []string{"hooks", "install", "--client", "vim"}, cli.ExitNotFound, `client "vim"`},
		{"BinNotReel", []string{"hooks", "install", "--client", "claude-code", "--bin", "/usr/bin/reel2"}, cli.ExitUsage, "not named reel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := reelRun(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.want) {
				t.Errorf("exit %d, out %q, err %q; want exit %d saying %q", code, out, errs, tt.code, tt.want)
			}
		})
	}
	if got, _ := os.ReadFile(bad); string(got) != body {
		t.Errorf("the refused file was written: %s", got)
	}
}

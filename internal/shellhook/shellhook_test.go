package shellhook_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/shellhook"
)

// needShell returns the path of shell, skipping the test when it is not
// installed, except under CI=true, where every shell must be.
func needShell(t testing.TB, shell string) string {
	t.Helper()
	p, err := exec.LookPath(shell)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; CI installs it (.ci/run)", shell)
		}
		t.Skipf("%s is not installed", shell)
	}
	return p
}

func TestScript(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, sh := range shellhook.Shells() {
			s, err := shellhook.Script(sh, shellhook.Params{Bin: "/opt/it's/reel", Locks: `/s/a\b`})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(s, "@REEL_") {
				t.Errorf("%s: placeholder left", sh)
			}
		}
	})
	t.Run("ErrUnknownShell", func(t *testing.T) {
		if _, err := shellhook.Script("tcsh", shellhook.Params{}); reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("err = %v, want EINVALID", err)
		}
	})
	t.Run("Syntax", func(t *testing.T) {
		checks := map[string][]string{"bash": {"-n"}, "zsh": {"-n"}, "fish": {"--no-execute"}}
		for _, sh := range shellhook.Shells() {
			t.Run(sh, func(t *testing.T) {
				bin := needShell(t, sh)
				s, _ := shellhook.Script(sh, shellhook.Params{Bin: "/x/reel", Locks: "/x/rec"})
				path := filepath.Join(t.TempDir(), "hook")
				os.WriteFile(path, []byte(s), 0o600)
				if out, err := exec.Command(bin, append(checks[sh], path)...).CombinedOutput(); err != nil {
					t.Errorf("%s rejects the script: %v\n%s", sh, err, out)
				}
			})
		}
	})
}

// TestQuote checks that quoted values come back unchanged in each shell.
func TestQuote(t *testing.T) {
	values := []string{"plain", "it's", `back\slash`, `\'`, "sp ace", "$HOME `x` \"q\"", "ünï", ""}
	for _, sh := range shellhook.Shells() {
		t.Run(sh, func(t *testing.T) {
			bin := needShell(t, sh)
			for _, v := range values {
				code := shellhook.Assign(sh, [][2]string{{"v", v}})
				code += map[string]string{"fish": "printf '%s' $v", "zsh": "printf '%s' \"$v\"", "bash": "printf '%s' \"$v\""}[sh]
				out, err := exec.Command(bin, "-c", code).Output()
				if err != nil || string(out) != v {
					t.Errorf("%q came back as %q (%v)", v, out, err)
				}
			}
		})
	}
}

// TestJSON feeds awkward command lines to each script's JSON escaper, in
// the real shell, and decodes what it made.
func TestJSON(t *testing.T) {
	inputs := []string{
		`a\b"c`, "two\nlines", "tab\there", "cr\rhere", "esc \x1b[31mred\x1b[0m", "bell\x07",
		"ünïcødé 日本", "$HOME `date` $(id) %s %d", "trailing newline\n", "", "   ", `\\n is not a newline`,
		"for f in *.go; do\n  echo \"$f\"\ndone",
	}
	call := map[string]string{
		"bash": `__reel_json "$REEL_IN"; printf '%s' "$__reel_j"`,
		"zsh":  `__reel_json "$REEL_IN"; printf '%s' "$REPLY"`,
		"fish": `__reel_json "$REEL_IN"`,
	}
	for _, sh := range shellhook.Shells() {
		t.Run(sh, func(t *testing.T) {
			bin := needShell(t, sh)
			s, _ := shellhook.Script(sh, shellhook.Params{Bin: "/x/reel", Locks: "/x/rec"})
			path := filepath.Join(t.TempDir(), "hook")
			os.WriteFile(path, []byte(s), 0o600)
			for _, in := range inputs {
				cmd := exec.Command(bin, "-c", "source "+shellhook.Quote(path)+"\n"+call[sh])
				cmd.Env = append(os.Environ(), "REEL_IN="+in, "LC_ALL=C.UTF-8")
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("%q: %v", in, err)
				}
				var got string
				if err := json.Unmarshal([]byte(`"`+string(out)+`"`), &got); err != nil {
					t.Errorf("%q escaped to invalid JSON %q: %v", in, out, err)
					continue
				}
				if got != in {
					t.Errorf("%q came back as %q (escaped %q)", in, got, out)
				}
			}
		})
	}
}

package runbook_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/runbook"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// session builds a session of command events as the shell importer makes
// them: text, exit code, time, and the folder in Input.
func session(title, root string, cmds ...[3]string) (reel.Session, []reel.Event) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	sess := reel.Session{ID: "3f2a9c0d1e2b3a4c5d6e7f8091a2b3c4", Source: "shell", Title: title, Host: "web1", Project: root, StartedAt: t0}
	var evs []reel.Event
	for i, c := range cmds {
		exit, _ := strconv.Atoi(c[2])
		cwd := c[1]
		if !filepath.IsAbs(cwd) {
			cwd = filepath.Join(root, cwd)
		}
		in, _ := json.Marshal(map[string]any{"cwd": cwd, "n": i + 1})
		evs = append(evs, reel.Event{Seq: int64(i), Kind: reel.KindCommand, Text: c[0], ExitCode: &exit,
			Time: t0.Add(time.Duration(i) * time.Second), Duration: 1500 * time.Millisecond, Input: in})
	}
	evs = append(evs, reel.Event{Kind: reel.KindOutput, Text: "not a command"})
	return sess, evs
}

// deploy is a realistic recording with repeated literals.
func deploy() (reel.Session, []reel.Event) {
	return session("deploy-api", "/home/dev/api",
		[3]string{"cd services/api", "", ""},
		[3]string{"docker build -t ghcr.io/acme/api:1.4.2 .", "services/api", ""},
		[3]string{"docker push ghcr.io/acme/api:1.4.2", "services/api", ""},
		[3]string{"git tag v1.4.2 && git push origin v1.4.2", ".", ""},
		[3]string{"sl", ".", "127"},
		[3]string{`ssh deploy@db.internal "pg_dump app > /srv/backups/app-$(date +%F).sql"`, ".", ""},
		[3]string{"ssh deploy@db.internal 'systemctl restart api'", ".", ""},
		[3]string{"curl -fsS https://api.example.com/health | jq .status", ".", ""},
		[3]string{"for h in web1 web2; do\n  curl -fsS --retry 3 \"https://$h.example.com/health\"\ndone", ".", ""},
		[3]string{"echo \"done with ${{ matrix }} and `whoami`\" > /tmp/release-v1.4.2.txt", "/tmp", ""},
		[3]string{"reel rec stop", ".", ""},
	)
}

func TestWrite_Golden(t *testing.T) {
	sess, evs := deploy()
	rb := runbook.FromEvents(sess, evs)
	for _, format := range runbook.Formats() {
		for _, param := range []bool{false, true} {
			name := format
			if param {
				name += "-parameterized"
			}
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := runbook.Write(&buf, format, rb, runbook.Options{Parameterize: param}); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "runbook", "deploy", name+".golden")
				if *update {
					os.MkdirAll(filepath.Dir(golden), 0o755)
					os.WriteFile(golden, buf.Bytes(), 0o644)
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("%s differs from %s:\n%s", name, golden, buf.String())
				}
			})
		}
	}
}

func TestWrite_Errors(t *testing.T) {
	sess, evs := deploy()
	rb := runbook.FromEvents(sess, evs)
	if err := runbook.Write(&bytes.Buffer{}, "powershell", rb, runbook.Options{}); reel.ErrorCode(err) != reel.EINVALID {
		t.Errorf("unknown format: %v, want EINVALID", err)
	}
	empty := runbook.FromEvents(sess, []reel.Event{{Kind: reel.KindMessage, Text: "hi"}})
	if err := runbook.Write(&bytes.Buffer{}, "bash", empty, runbook.Options{}); reel.ErrorCode(err) != reel.ENOTFOUND {
		t.Errorf("no commands: %v, want ENOTFOUND", err)
	}
}

func TestFromEvents(t *testing.T) {
	sess, evs := deploy()
	rb := runbook.FromEvents(sess, evs)
	if len(rb.Steps) != 11 {
		t.Fatalf("%d steps, want the 11 commands (not the output)", len(rb.Steps))
	}
	if s := rb.Steps[1]; s.Cwd != "/home/dev/api/services/api" || s.N != 2 || s.Failed() {
		t.Errorf("step 2 = %+v", s)
	}
	if !rb.Steps[4].Failed() {
		t.Error("step 5 exited 127 but is not failed")
	}
}

// builder is a recording whose commands really run: they build files the
// test then checks.
func builder() (reel.Session, []reel.Event) {
	return session("build", "/home/dev/proj",
		[3]string{"mkdir -p build/out", ".", ""},
		[3]string{`echo "v1.4.2" > build/VERSION`, ".", ""},
		[3]string{"cd build", ".", ""},
		[3]string{`printf '%s\n' "$((6*7))" > out/answer`, "build", ""},
		[3]string{"false", "build", "1"},
		[3]string{"for f in build/out/*; do\n  echo \"$f\" >> list.txt\ndone", ".", ""},
		[3]string{"echo v1.4.2 >> build/out/answer", ".", ""},
	)
}

func checkBuilt(t *testing.T, dir, version string) {
	t.Helper()
	want := map[string]string{
		"build/VERSION":    version + "\n",
		"build/out/answer": "42\n" + version + "\n",
		"list.txt":         "build/out/answer\n",
	}
	for f, w := range want {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || string(got) != w {
			t.Errorf("%s = %q (%v), want %q", f, got, err, w)
		}
	}
}

func TestWrite_BashRuns(t *testing.T) {
	sess, evs := builder()
	rb := runbook.FromEvents(sess, evs)
	for _, tc := range []struct {
		name    string
		param   bool
		env     []string
		version string
	}{
		{"Literal", false, nil, "v1.4.2"},
		{"Parameterized", true, nil, "v1.4.2"},
		{"Overridden", true, []string{"VERSION=v9.9.9"}, "v9.9.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := runbook.Write(&buf, "bash", rb, runbook.Options{Parameterize: tc.param}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			script := filepath.Join(t.TempDir(), "run.sh")
			os.WriteFile(script, buf.Bytes(), 0o700)
			cmd := exec.Command("bash", script)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), tc.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("script failed: %v\n%s\n%s", err, out, buf.String())
			}
			checkBuilt(t, dir, tc.version)
		})
	}
}

func TestWrite_MakefileRuns(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	sess, evs := builder()
	rb := runbook.FromEvents(sess, evs)
	for _, param := range []bool{false, true} {
		var buf bytes.Buffer
		if err := runbook.Write(&buf, "makefile", rb, runbook.Options{Parameterize: param}); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		mk := filepath.Join(t.TempDir(), "Makefile")
		os.WriteFile(mk, buf.Bytes(), 0o600)
		args := []string{"-f", mk, "run", "ROOT=" + dir}
		version := "v1.4.2"
		if param {
			args, version = append(args, "VERSION=v2.0.0"), "v2.0.0"
		}
		if out, err := exec.Command("make", args...).CombinedOutput(); err != nil {
			t.Fatalf("make failed: %v\n%s\n%s", err, out, buf.String())
		}
		checkBuilt(t, dir, version)
	}
}

// TestWrite_YAML checks that the CI formats parse and hold every step.
func TestWrite_YAML(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil || exec.Command(py, "-c", "import yaml").Run() != nil {
		t.Skip("no YAML parser (python3 with PyYAML) here")
	}
	sess, evs := deploy()
	rb := runbook.FromEvents(sess, evs)
	for format, query := range map[string]string{
		"github-action": `d=yaml.safe_load(sys.stdin); s=d["jobs"]["runbook"]["steps"]; print(len(s)-1, s[2]["run"].strip(), d["jobs"]["runbook"].get("env", {}).get("VERSION", "-"))`,
		"gitlab-ci":     `d=yaml.safe_load(sys.stdin); s=[x for x in d["runbook"]["script"] if not x.startswith("cd ")]; print(len(s), s[1].strip(), d.get("variables", {}).get("VERSION", "-"))`,
	} {
		for _, param := range []bool{false, true} {
			var buf bytes.Buffer
			runbook.Write(&buf, format, rb, runbook.Options{Parameterize: param})
			cmd := exec.Command(py, "-c", "import sys, yaml\n"+query)
			cmd.Stdin = &buf
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s does not parse: %v\n%s", format, err, out)
			}
			want := "8 docker push ghcr.io/acme/api:1.4.2 -"
			if param {
				want = `8 docker push "${IMAGE}" v1.4.2`
			}
			if got := strings.TrimSpace(string(out)); got != want {
				t.Errorf("%s (parameterize %v): %q, want %q", format, param, got, want)
			}
		}
	}
}

package cli_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/lockfile"
	"github.com/reel-sh/reel/internal/testenv"
)

// dmEnv is the environment of a reel process on home and reelHome, with
// no client folder named by the environment.
func dmEnv(home, reelHome string) []string {
	return append(os.Environ(), asReel+"=1", "HOME="+home, "REEL_HOME="+reelHome, "NO_COLOR=1", "REEL_STORE=",
		"REEL_CONFIG=", "XDG_DATA_HOME=", "XDG_CONFIG_HOME=", "XDG_STATE_HOME=", "XDG_RUNTIME_DIR=", "HISTFILE=",
		"GEMINI_CLI_HOME=", "PI_CODING_AGENT_DIR=", "PI_CODING_AGENT_SESSION_DIR=", "COPILOT_HOME=", "CODEX_HOME=",
		"CLAUDE_CONFIG_DIR=")
}

// dmRun runs reel and returns its standard output, standard error and
// exit code.
func dmRun(t *testing.T, home, reelHome string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = dmEnv(home, reelHome)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("reel %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// dmStatus is the part of `reel daemon status --json` the tests read.
type dmStatus struct {
	Running   bool   `json:"running"`
	PID       int    `json:"pid"`
	Socket    string `json:"socket"`
	Answering bool   `json:"answering"`
	Status    *struct {
		Syncs          int `json:"syncs"`
		SyncsSkipped   int `json:"syncs_skipped"`
		SyncErrors     int `json:"sync_errors"`
		WatchedFolders int `json:"watched_folders"`
	} `json:"status"`
}

func dmStatusJSON(t *testing.T, home, reelHome string) (dmStatus, int) {
	t.Helper()
	out, _, code := dmRun(t, home, reelHome, "daemon", "status", "--json")
	var st dmStatus
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("daemon status --json: %v\n%s", err, out)
	}
	return st, code
}

// startReelDaemon starts `reel daemon` and waits until its socket answers
// and its first sync is done. The channel is closed when it has exited.
func startReelDaemon(t *testing.T, home, reelHome string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "daemon")
	cmd.Env = dmEnv(home, reelHome)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("reel daemon exited: %v\n%s", cmd.ProcessState, errb.String())
		default:
		}
		if st, _ := dmStatusJSON(t, home, reelHome); st.Answering && st.PID == cmd.Process.Pid && st.Status.Syncs > 0 {
			return cmd, exited
		}
		if time.Now().After(deadline) {
			t.Fatalf("reel daemon did not answer:\n%s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDaemon_CLI runs `reel daemon` as a real process on a new machine's
// home: status names it, a Claude Code session written into
// ~/.claude/projects (absent at start) is in the store within the debounce
// window, and `reel daemon stop` ends it with exit 0.
func TestDaemon_CLI(t *testing.T) {
	home, reelHome := t.TempDir(), t.TempDir()
	toml := "[daemon]\nsync_interval = \"1h\"\nsync_debounce = \"100ms\"\n"
	if err := os.WriteFile(filepath.Join(reelHome, "config.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, code := dmRun(t, home, reelHome, "daemon", "status"); code != 3 {
		t.Errorf("daemon status with none running: exit %d, want 3", code)
	}
	d, exited := startReelDaemon(t, home, reelHome)
	pid := d.Process.Pid

	out, _, code := dmRun(t, home, reelHome, "daemon", "status")
	if code != 0 || !strings.Contains(out, "running: pid "+strconv.Itoa(pid)) || !strings.Contains(out, filepath.Join(reelHome, "run", "reel.sock")) {
		t.Errorf("daemon status: exit %d\n%s", code, out)
	}
	if _, errOut, code := dmRun(t, home, reelHome, "daemon"); code != 4 || !strings.Contains(errOut, "pid "+strconv.Itoa(pid)) {
		t.Errorf("second reel daemon: exit %d, %q; want 4 naming pid %d", code, errOut, pid)
	}

	// A session appears in a folder the client has not even created yet.
	fixture := filepath.Join(testenv.RepoRoot(t), "internal", "ingest", "testdata", "claude", "projects", "-home-dev-shop")
	const native = "5f0c2a8e-3b1d-4c6e-9a7f-1d2e3f4a5b6c"
	data, err := os.ReadFile(filepath.Join(fixture, native+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, ".claude", "projects", "-home-dev-shop")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	if err := os.WriteFile(filepath.Join(dir, native+".jsonl"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := reel.SessionID("claude-code", native)
	for {
		out, _, _ := dmRun(t, home, reelHome, "sessions", "--json")
		if strings.Contains(out, want) {
			break
		}
		if time.Since(written) > 10*time.Second {
			log, _ := os.ReadFile(filepath.Join(reelHome, "state", "daemon.log"))
			t.Fatalf("after 10s the store lacks session %s:\n%s\ndaemon.log:\n%s", want, out, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the session was in the store %s after its file was written (debounce 100ms)", time.Since(written).Round(time.Millisecond))

	if st, _ := dmStatusJSON(t, home, reelHome); st.Status == nil || st.Status.WatchedFolders < 2 {
		t.Errorf("status after the session appeared: %+v", st.Status)
	}
	// While another sync holds the lock, the daemon's sync is skipped,
	// not failed.
	lock, _, err := lockfile.TryAcquire(filepath.Join(reelHome, "state", "sync.lock"), lockfile.Self("reel sync"))
	if err != nil || lock == nil {
		t.Fatalf("take the sync lock: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "notes.jsonl"), []byte("{}\n"), 0o600)
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := dmStatusJSON(t, home, reelHome)
		if st.Status != nil && st.Status.SyncsSkipped > 0 {
			if st.Status.SyncErrors != 0 {
				t.Errorf("a skipped sync counted as failed: %+v", st.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sync skipped while the lock was held: %+v", st.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	lock.Release()

	out, errOut, code := dmRun(t, home, reelHome, "daemon", "stop")
	if code != 0 || !strings.Contains(out, "Stopped the reel daemon (pid "+strconv.Itoa(pid)+")") {
		t.Errorf("daemon stop: exit %d\n%s%s", code, out, errOut)
	}
	select {
	case <-exited:
		if code := d.ProcessState.ExitCode(); code != 0 {
			t.Errorf("reel daemon after stop: exit %d, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Error("reel daemon still running 10s after stop")
	}
	if st, code := dmStatusJSON(t, home, reelHome); code != 3 || st.Running {
		t.Errorf("daemon status after stop: exit %d, %+v; want 3, not running", code, st)
	}
	if _, err := os.Lstat(filepath.Join(reelHome, "run", "reel.sock")); !os.IsNotExist(err) {
		t.Errorf("socket left after stop: %v", err)
	}
	if _, _, code := dmRun(t, home, reelHome, "daemon", "stop"); code != 3 {
		t.Errorf("daemon stop with none running: exit %d, want 3", code)
	}
}

// TestDaemon_IdleRSS logs the resident memory of `reel daemon` idle after
// its first sync, with its store open (this test binary running as reel;
// under -race the figure is several times reel's).
func TestDaemon_IdleRSS(t *testing.T) {
	home, reelHome := t.TempDir(), t.TempDir()
	d, _ := startReelDaemon(t, home, reelHome)
	time.Sleep(500 * time.Millisecond)
	status, err := os.ReadFile("/proc/" + strconv.Itoa(d.Process.Pid) + "/status")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			t.Logf("idle reel daemon: %s", strings.Join(strings.Fields(l), " "))
		}
	}
	d.Process.Signal(syscall.SIGTERM)
}

func TestDaemonInstall(t *testing.T) {
	home, reelHome := t.TempDir(), t.TempDir()
	bin, _ := filepath.EvalSymlinks(os.Args[0])
	t.Run("SystemdPrint", func(t *testing.T) {
		out, errOut, code := dmRun(t, home, reelHome, "daemon", "install", "--print", "--manager", "systemd")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{
			"ExecStart=\"" + bin + "\" daemon\n", "Restart=on-failure\n", "RestartPreventExitStatus=4\n", "Environment=\"REEL_HOME=" + reelHome + "\"\n",
			"WantedBy=default.target\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("unit lacks %q:\n%s", want, out)
			}
		}
		if _, err := os.Stat(filepath.Join(home, ".config", "systemd")); !os.IsNotExist(err) {
			t.Errorf("--print wrote something: %v", err)
		}
	})
	t.Run("SystemdInstallUninstall", func(t *testing.T) {
		unit := filepath.Join(home, ".config", "systemd", "user", "reel.service")
		out, errOut, code := dmRun(t, home, reelHome, "daemon", "install", "--manager", "systemd")
		if code != 0 || !strings.Contains(out, "Wrote "+unit) || !strings.Contains(out, "systemctl --user daemon-reload && systemctl --user enable --now reel.service") {
			t.Fatalf("install: exit %d\n%s%s", code, out, errOut)
		}
		data, err := os.ReadFile(unit)
		if err != nil || !strings.Contains(string(data), "ExecStart=\""+bin+"\" daemon") {
			t.Fatalf("unit file: %v\n%s", err, data)
		}
		// What systemctl enable makes.
		wants := filepath.Join(filepath.Dir(unit), "default.target.wants")
		os.MkdirAll(wants, 0o700)
		os.Symlink(unit, filepath.Join(wants, "reel.service"))
		out, _, code = dmRun(t, home, reelHome, "daemon", "uninstall", "--manager", "systemd")
		if code != 0 || !strings.Contains(out, "Removed "+unit) {
			t.Errorf("uninstall: exit %d\n%s", code, out)
		}
		for _, p := range []string{unit, filepath.Join(wants, "reel.service")} {
			if _, err := os.Lstat(p); !os.IsNotExist(err) {
				t.Errorf("%s still there after uninstall", p)
			}
		}
		if out, _, code := dmRun(t, home, reelHome, "daemon", "uninstall", "--manager", "systemd"); code != 0 || !strings.Contains(out, "No service installed") {
			t.Errorf("second uninstall: exit %d\n%s", code, out)
		}
	})
	t.Run("Launchd", func(t *testing.T) {
		plist := filepath.Join(home, "Library", "LaunchAgents", "sh.reel.daemon.plist")
		out, errOut, code := dmRun(t, home, reelHome, "daemon", "install", "--manager", "launchd")
		if code != 0 || !strings.Contains(out, "launchctl bootstrap gui/$(id -u) '"+plist+"'") {
			t.Fatalf("install: exit %d\n%s%s", code, out, errOut)
		}
		data, err := os.ReadFile(plist)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Dict struct {
				Keys    []string `xml:"key"`
				Strings []string `xml:"string"`
				Array   struct {
					Strings []string `xml:"string"`
				} `xml:"array"`
			} `xml:"dict"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("plist is not XML: %v\n%s", err, data)
		}
		if got := doc.Dict.Array.Strings; len(got) != 2 || got[0] != bin || got[1] != "daemon" {
			t.Errorf("ProgramArguments = %q, want [%s daemon]", got, bin)
		}
		if len(doc.Dict.Strings) == 0 || doc.Dict.Strings[0] != "sh.reel.daemon" {
			t.Errorf("Label = %q", doc.Dict.Strings)
		}
		if !strings.Contains(string(data), "<key>REEL_HOME</key>\n    <string>"+reelHome+"</string>") {
			t.Errorf("plist lacks REEL_HOME:\n%s", data)
		}
		if _, _, code := dmRun(t, home, reelHome, "daemon", "uninstall", "--manager", "launchd"); code != 0 {
			t.Errorf("uninstall: exit %d", code)
		}
		if _, err := os.Stat(plist); !os.IsNotExist(err) {
			t.Error("plist still there after uninstall")
		}
	})
}

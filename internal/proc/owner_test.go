package proc_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-sh/reel/internal/proc"
)

// TestHelperAlive prints whether the owner in REEL_OWNER is alive, as seen
// by a process that may not signal it.
func TestHelperAlive(t *testing.T) {
	if os.Getenv("REEL_HELPER") != "alive" {
		t.Skip("helper process")
	}
	var o proc.Owner
	json.Unmarshal([]byte(os.Getenv("REEL_OWNER")), &o)
	err := syscall.Kill(o.PID, 0)
	os.Stdout.WriteString(map[bool]string{true: "alive", false: "dead"}[o.Alive()] + " " + errName(err) + "\n")
	os.Exit(0)
}

func errName(err error) string {
	if errors.Is(err, syscall.EPERM) {
		return "EPERM"
	}
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// testAliveEPERM checks that a process we may not signal counts as alive:
// kill(pid, 0) fails with EPERM for a process that exists. As root, the
// check runs in a helper under the nobody user, against this process.
func testAliveEPERM(t *testing.T) {
	if os.Getuid() != 0 {
		o := proc.OwnerOf(1)
		if err := syscall.Kill(1, 0); !errors.Is(err, syscall.EPERM) {
			t.Skipf("kill(1, 0) = %v here, not EPERM", err)
		}
		if !o.Alive() {
			t.Error("pid 1 (EPERM) counted as dead")
		}
		return
	}
	// Copy the test binary where nobody may run it.
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // t.TempDir makes both levels 0700
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "proc.test")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(dst, src)
	src.Close()
	dst.Close()
	owner, _ := json.Marshal(proc.OwnerOf(os.Getpid()))
	cmd := exec.Command(bin, "-test.run=^TestHelperAlive$")
	cmd.Dir = dir
	cmd.Env = []string{"REEL_HELPER=alive", "REEL_OWNER=" + string(owner), "HOME=" + dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("cannot run a helper as nobody: %v %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "alive EPERM" {
		t.Errorf("helper as nobody saw this process as %q, want \"alive EPERM\"", got)
	}
}

func TestOwner_Alive(t *testing.T) {
	t.Run("Self", func(t *testing.T) {
		if !proc.OwnerOf(os.Getpid()).Alive() {
			t.Error("this process is not alive")
		}
	})
	t.Run("Exited", func(t *testing.T) {
		cmd := exec.Command("true")
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		o := proc.OwnerOf(os.Getpid())
		o.PID = cmd.Process.Pid
		if o.Alive() {
			t.Errorf("exited pid %d is alive", o.PID)
		}
	})
	t.Run("OtherBoot", func(t *testing.T) {
		o := proc.OwnerOf(os.Getpid())
		if o.Boot == "" {
			t.Skip("no boot id here")
		}
		o.Boot = "another-boot"
		if o.Alive() {
			t.Error("owner from another boot is alive")
		}
	})
	t.Run("OtherHost", func(t *testing.T) {
		o := proc.Owner{PID: 1 << 30, Host: "elsewhere.invalid"}
		if !o.Alive() {
			t.Error("an owner on another host must count as alive")
		}
	})
	t.Run("EPERM", func(t *testing.T) { testAliveEPERM(t) })
}

func TestOwner_AliveZombie(t *testing.T) {
	// An exited child not yet reaped still answers kill(pid, 0).
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	o := proc.OwnerOf(cmd.Process.Pid)
	for range 100 {
		if data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", o.PID)); strings.Contains(string(data), ") Z ") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := syscall.Kill(o.PID, 0); err != nil {
		t.Skipf("kill(zombie, 0) = %v", err)
	}
	if o.Alive() {
		t.Error("a zombie counts as alive")
	}
}

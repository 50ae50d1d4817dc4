package httpapi

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/unixsock"
)

// helperSocketEnv names the socket TestHelperServe serves on.
const helperSocketEnv = "REEL_HTTPAPI_HELPER_SOCKET"

// TestHelperServe is not a test: it is the server process that
// TestServer_Killed starts and kills. It serves an empty API on the
// socket and says so on stdout.
func TestHelperServe(t *testing.T) {
	path := os.Getenv(helperSocketEnv)
	if path == "" {
		t.Skip("runs only as TestServer_Killed's helper process")
	}
	l, err := unixsock.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("serving\n")
	NewServer(Services{}, Options{}).HTTPServer().Serve(l)
}

// TestServer_Killed starts a server in another process and kills it
// with SIGKILL, which leaves its socket behind: while it runs, a second
// server is refused with EBUSY and the client reaches it; once it is
// dead, the client reports the daemon unavailable and a new server takes
// the socket over.
func TestServer_Killed(t *testing.T) {
	path := filepath.Join(shortDir(t), "reel.sock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServe$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperSocketEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "serving") {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the helper exited before serving")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the helper did not start serving")
	}

	c, err := Dial(path)
	if err != nil {
		t.Fatalf("Dial of the live helper = %v", err)
	}
	_, err = unixsock.Listen(path)
	wantCode(t, err, reel.EBUSY, "answers on")

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("after SIGKILL the socket should stay behind: %v %v", fi, err)
	}
	c.Close()
	if err := c.Health(context.Background()); !IsUnavailable(err) {
		t.Fatalf("Health of the killed helper = %v, want unavailable", err)
	}
	l, err := unixsock.Listen(path)
	if err != nil {
		t.Fatalf("Listen after the kill = %v", err)
	}
	serve(t, NewServer(Services{}, Options{}), l)
	if err := c.Health(context.Background()); err != nil {
		t.Fatalf("Health of the new server = %v", err)
	}
}

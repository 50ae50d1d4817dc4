package search

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const killEnv = "REEL_EMBED_KILL_HELPER"

// TestHelperEmbed is the child of TestEmbedKilled: it embeds the store
// at $REEL_EMBED_KILL_HELPER slowly, printing each committed batch.
func TestHelperEmbed(t *testing.T) {
	path := os.Getenv(killEnv)
	if path == "" {
		t.Skip("runs as TestEmbedKilled's child")
	}
	st := openStore(t, path)
	e := &fakeEmbedder{dim: 48, delay: 30 * time.Millisecond}
	err := EmbedPending(context.Background(), st, e, func(done, total int64) {
		fmt.Printf("embedded %d\n", done)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEmbedKilled kills an embedding run with SIGKILL between batches and
// checks that every committed batch survived and the next run embeds
// exactly the rest.
func TestEmbedKilled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reel.db")
	st := openStore(t, path)
	var texts []string
	for i := range 20 * EmbedBatch {
		texts = append(texts, fmt.Sprintf("line %d of the build log, step%d", i, i%13))
	}
	write(t, st, "claude-code", "kill", "/src/k", 0, texts...)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEmbed$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	sc := bufio.NewScanner(out)
	var reported int64
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "embedded "); ok {
			fmt.Sscan(n, &reported)
			if reported >= 3*EmbedBatch {
				break
			}
		}
	}
	if reported < 3*EmbedBatch {
		t.Fatalf("helper ended after %d events", reported)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	e := &fakeEmbedder{dim: 48}
	c := coverage(t, st, e.Model().ID)
	if c.Embedded < reported || c.Embedded%EmbedBatch != 0 || c.Embedded >= c.Total {
		t.Fatalf("after the kill: %d of %d embedded, helper had reported %d; want whole batches, at least those reported, not all",
			c.Embedded, c.Total, reported)
	}
	var done int64
	if err := EmbedPending(context.Background(), st, e, func(d, _ int64) { done = d }); err != nil {
		t.Fatal(err)
	}
	if done != c.Total-c.Embedded {
		t.Fatalf("resumed run embedded %d, want the %d left", done, c.Total-c.Embedded)
	}
	if c := coverage(t, st, e.Model().ID); c.Embedded != c.Total {
		t.Fatalf("after resuming: %+v", c)
	}
}

package sqlite

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bandHelperEnv names the database TestHelperBandApply writes.
const bandHelperEnv = "REEL_SQLITE_BAND_HELPER"

// TestHelperBandApply is not a test: it is the process
// TestStore_BandsSurviveKill starts and kills. It applies batches of
// common words, some replacing a session's tail, and prints a line after
// each Apply, until it is killed.
func TestHelperBandApply(t *testing.T) {
	db := os.Getenv(bandHelperEnv)
	if db == "" {
		t.Skip("runs only as TestStore_BandsSurviveKill's helper process")
	}
	s := openTest(t, db)
	r := rand.New(rand.NewPCG(uint64(os.Getpid()), 5))
	for i := 0; ; i++ {
		b := message("codex", fmt.Sprint("k", i), 0, bandCorpus(r, 400)...)
		if i%4 == 3 {
			// Replace the tail of an earlier session.
			b = message("codex", fmt.Sprint("k", i-2), 200, bandCorpus(r, 300)...)
		}
		apply(t, s, b)
		fmt.Printf("applied %d\n", i)
	}
}

// TestStore_BandsSurviveKill kills a process with SIGKILL while it applies
// batches: the bands it left are those a rebuild from the index gives,
// and rank as FTS5 does, and Apply keeps them current after.
func TestStore_BandsSurviveKill(t *testing.T) {
	db := filepath.Join(t.TempDir(), "reel.db")
	for round, wait := range []int{10, 16} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBandApply$", "-test.v")
		cmd.Env = append(os.Environ(), bandHelperEnv+"="+db)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		applied := 0
		for applied < wait && sc.Scan() {
			if strings.HasPrefix(sc.Text(), "applied ") {
				applied++
			}
		}
		// Kill it part way into a later Apply.
		time.Sleep(time.Duration(5+round*20) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if applied < wait {
			t.Fatalf("helper applied %d batches before it ended", applied)
		}
		s := openTest(t, db)
		checkBandsRebuilt(t, s)
		for _, w := range []string{"alpha", "gamma"} {
			checkBandTop(t, s, w, 20)
		}
		apply(t, s, message("codex", fmt.Sprint("after", round), 0, bandCorpus(rand.New(rand.NewPCG(9, 9)), 300)...))
		checkBandsRebuilt(t, s)
		checkBandTop(t, s, "gamma", 20)
	}
}

package hookinstall

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/hooks")

// goldenBin is the reel binary the golden files' entries run.
const goldenBin = "/usr/local/bin/reel"

// TestGolden runs each case in testdata/hooks: op says "install CLIENT"
// or "uninstall CLIENT"; before.json or before.toml is the file (none: no
// file yet); after.* is the file the edit must give, or error.txt the
// error's code and message. Each edit is then run again on its own
// output: it must change nothing.
func TestGolden(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "hooks")
	cases, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range cases {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join(root, d.Name())
			op, err := os.ReadFile(filepath.Join(dir, "op"))
			if err != nil {
				t.Fatal(err)
			}
			verb, name, _ := strings.Cut(strings.TrimSpace(string(op)), " ")
			c, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			ext := ".json"
			if c.Format == FormatCodexNotify {
				ext = ".toml"
			}
			before, err := os.ReadFile(filepath.Join(dir, "before"+ext))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			edit := func(data []byte) ([]byte, Change, error) {
				if verb == "install" {
					return Install(c, "before"+ext, data, goldenBin)
				}
				return Uninstall(c, "before"+ext, data)
			}
			out, ch, editErr := edit(before)
			var got []byte
			name = "after" + ext
			if editErr != nil {
				got, name = []byte(fmt.Sprintf("%s: %s\nhint: %s\n", reel.ErrorCode(editErr), editErr, reel.ErrorHint(editErr))), "error.txt"
			} else {
				got = out
			}
			golden := filepath.Join(dir, name)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s %s gave (%+v):\n%s\nwant %s:\n%s", verb, c.Name, ch, got, name, want)
			}
			if editErr != nil {
				return
			}
			again, ch2, err := edit(out)
			if err != nil || !ch2.Empty() || !bytes.Equal(again, out) {
				t.Errorf("a second %s changed %+v (err %v):\n%s", verb, ch2, err, again)
			}
			if verb == "install" {
				st, err := Inspect(c, "after", out)
				if err != nil || len(st.Missing) != 0 || len(st.Commands) != 1 || !IsReelCommand(strings.Join(Argv(c, goldenBin), " ")) {
					t.Errorf("after install, Inspect = %+v, %v", st, err)
				}
			}
		})
	}
}

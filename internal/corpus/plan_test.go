package corpus

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSample_OK(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tt := range []struct {
		n int64
		k int
	}{{10, 10}, {10, 1}, {1000, 999}, {1 << 40, 50}, {5, 0}} {
		got := sample(r, tt.n, tt.k)
		seen := map[int64]bool{}
		for _, x := range got {
			if x < 0 || x >= tt.n || seen[x] {
				t.Fatalf("sample(%d, %d) = %v: out of range or repeated", tt.n, tt.k, got)
			}
			seen[x] = true
		}
		if len(got) != tt.k {
			t.Fatalf("sample(%d, %d) has %d numbers", tt.n, tt.k, len(got))
		}
	}
}

func TestInsertWord_OK(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []string{"", "one", "two words", "a b c d e f `go test ./...` fails."} {
		for range 20 {
			got := insertWord(s, "zqx", r)
			if strings.Count(got, "zqx") != 1 || len(got) != len(s)+4 {
				t.Fatalf("insertWord(%q) = %q", s, got)
			}
			// The word stands alone: a space before it, and a space or the
			// end after it.
			i := strings.Index(got, "zqx")
			if i > 0 && got[i-1] != ' ' || i+3 < len(got) && got[i+3] != ' ' {
				t.Fatalf("insertWord(%q) = %q: not a word of its own", s, got)
			}
			if strings.ReplaceAll(got, " zqx", "") != s && strings.TrimPrefix(got, "zqx") != s && got != s+" zqx" {
				t.Fatalf("insertWord(%q) = %q changed the text", s, got)
			}
		}
	}
}

func TestParseTemplates_OK(t *testing.T) {
	got := parseTemplates("import { {Type} } from \"{noun}\";\nplain")
	want := []string{"import { ", "Type", " } from \"", "noun", "\";", ""}
	if strings.Join(got[0], "|") != strings.Join(want, "|") || len(got) != 2 || strings.Join(got[1], "|") != "plain|" {
		t.Fatalf("parseTemplates = %q", got)
	}
}

func TestClaudeDirName_OK(t *testing.T) {
	if got := claudeDirName("/home/dev/src/my_app.v2"); got != "-home-dev-src-my-app-v2" {
		t.Fatalf("claudeDirName = %q", got)
	}
}

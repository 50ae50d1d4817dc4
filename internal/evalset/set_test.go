package evalset

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// stopWords are words too common to count as shared content.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or but of to in on at by for with from into onto as is are was
		were be been being it its this that these those there then than so not no yes do does did done i me my we
		our you your he she they them their his her what which who when where why how all any each every some
		one two after before while until about over under again also only just very too out up off own same
		can could should would will shall may might must have has had get got keep kept`) {
		stopWords[w] = true
	}
}

// contentWords splits s into lowercase words of letters and digits and
// returns the stems of those that are not stop words.
func contentWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !stopWords[w] {
			out[stem(w)] = true
		}
	}
	return out
}

// stem is a crude suffix stripper, more eager than any search tokenizer,
// so that "stalls" and "stalled" share a stem with "stall".
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s", "ly", "er", "e"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

func TestStem(t *testing.T) {
	for _, g := range [][]string{{"stalls", "stalled", "stalling", "stall"}, {"migrations", "migration"}, {"uploads", "upload", "uploaded"}} {
		for _, w := range g[1:] {
			if stem(w) != stem(g[0]) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q", w, stem(w), g[0], stem(g[0]))
			}
		}
	}
}

func generate(t *testing.T, opts Options) *Set {
	t.Helper()
	set, err := Generate(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestGenerate_Invariants(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		set := generate(t, Options{Seed: seed})
		if len(set.Queries) < 60 {
			t.Fatalf("seed %d: %d queries, want at least 60", seed, len(set.Queries))
		}
		stories := map[string]bool{}
		classes := map[string]int{}
		for _, q := range set.Queries {
			stories[q.Story] = true
			classes[q.Class]++
			if len(q.Targets) == 0 {
				t.Fatalf("seed %d: query %s has no target", seed, q.ID)
			}
			for _, id := range q.Targets {
				sess, ok := set.Session(id)
				if !ok {
					t.Fatalf("seed %d: query %s: target %s is not in the corpus", seed, q.ID, id)
				}
				if _, err := os.Stat(filepath.Join(set.Home, sess.Path)); err != nil {
					t.Fatalf("seed %d: query %s: %v", seed, q.ID, err)
				}
				if sess.Story != q.Story {
					t.Errorf("seed %d: query %s targets a session of story %q", seed, q.ID, sess.Story)
				}
				switch q.Class {
				case ClassParaphrase:
					target := contentWords(sess.Text)
					for w := range contentWords(q.Text) {
						if target[w] {
							t.Errorf("seed %d: paraphrase %s %q shares %q with its target", seed, q.ID, q.Text, w)
						}
					}
				case ClassError:
					if !strings.Contains(sess.Text, q.Text) {
						t.Errorf("seed %d: error query %s %q is not in its target's text", seed, q.ID, q.Text)
					}
				case ClassIdentifier, ClassCommand:
					text := strings.ToLower(sess.Text)
					for _, w := range strings.Fields(strings.ToLower(q.Text)) {
						if !strings.Contains(text, w) {
							t.Errorf("seed %d: %s query %s: %q is not in its target's text", seed, q.Class, q.ID, w)
						}
					}
				}
			}
		}
		if len(stories) < 60 {
			t.Errorf("seed %d: %d distinct targets, want at least 60", seed, len(stories))
		}
		for _, c := range Classes {
			if classes[c] < 60 {
				t.Errorf("seed %d: %d %s queries, want at least 60", seed, classes[c], c)
			}
		}
		if want := len(stories) * (1 + DefaultDistractors); len(set.Sessions) != want {
			t.Errorf("seed %d: %d sessions, want %d", seed, len(set.Sessions), want)
		}
	}
}

// TestParaphrases_AvoidEverySlotValue checks the paraphrases against every
// value a seed can put in a session, so that no unseen seed can give a
// paraphrase a word of its target.
func TestParaphrases_AvoidEverySlotValue(t *testing.T) {
	for _, st := range stories {
		used := map[string]bool{"proj": true} // the working directory
		for _, f := range []string{st.ask, st.cmd, st.out, st.cause, st.file, st.old, st.new, st.ident, st.errStr, st.cmdQ} {
			for _, m := range slotRE.FindAllStringSubmatch(f, -1) {
				used[m[1]] = true
			}
		}
		for name := range used {
			for _, v := range slotPools[name] {
				for w := range contentWords(v) {
					if contentWords(st.para)[w] {
						t.Errorf("%s: paraphrase %q has %q, a value of {%s}", st.key, st.para, w, name)
					}
				}
			}
		}
	}
}

// corpusBytes reads every file of a corpus, keyed by path.
func corpusBytes(t *testing.T, set *Set) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, s := range set.Sessions {
		b, err := os.ReadFile(filepath.Join(set.Home, s.Path))
		if err != nil {
			t.Fatal(err)
		}
		out[s.Path] = b
	}
	return out
}

func TestGenerate_SeedsDiffer(t *testing.T) {
	a, a2, b := generate(t, Options{Seed: 1}), generate(t, Options{Seed: 1}), generate(t, Options{Seed: 2})
	fa, fa2, fb := corpusBytes(t, a), corpusBytes(t, a2), corpusBytes(t, b)
	for p, x := range fa {
		if !bytes.Equal(x, fa2[p]) {
			t.Fatalf("seed 1 twice: %s differs", p)
		}
	}
	same := 0
	for p := range fa {
		if _, ok := fb[p]; ok {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 1 and 2 share %d file paths", same)
	}
	changed := 0
	for i := range a.Queries {
		if a.Queries[i].Class == ClassIdentifier && a.Queries[i].Text != b.Queries[i].Text {
			changed++
		}
	}
	if changed < 15 {
		t.Errorf("only %d identifier queries differ between seeds 1 and 2", changed)
	}
	differ := 0
	for i := range a.Sessions {
		if a.Sessions[i].Story != "" && contentWordsDiffer(a.Sessions[i].Text, b.Sessions[i].Text) {
			differ++
		}
	}
	if stories := len(a.Queries) / len(Classes); differ < stories*9/10 {
		t.Errorf("only %d story sessions have different words between seeds", differ)
	}
}

func contentWordsDiffer(x, y string) bool {
	a, b := contentWords(x), contentWords(y)
	if len(a) != len(b) {
		return true
	}
	for w := range a {
		if !b[w] {
			return true
		}
	}
	return false
}

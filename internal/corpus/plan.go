package corpus

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"github.com/reel-sh/reel"
)

// tool is a kind of tool call. Claude Code sessions use the first seven,
// Codex sessions shell and patch.
type tool uint8

const (
	toolBash tool = iota
	toolRead
	toolEdit
	toolGrep
	toolGlob
	toolWrite
	toolTodo
	toolPatch
)

// step is one model response: optional reasoning and text, then tool calls
// (each answered by a result).
type step struct {
	thinking bool
	text     bool
	tools    []tool
}

// turn is a user prompt and the responses that follow it. The last step
// always has text and no tool call.
type turn struct{ steps []step }

// script is the shape of one session: everything that decides how many
// events and needle slots it has. It is drawn from the session's structure
// stream alone, so both passes see the same one.
type script struct {
	source   string
	project  int
	summary  bool // a Claude Code session that starts with a summary record
	turns    []turn
	events   int
	eligible int // user prompts and assistant texts: where needles may go
}

// sessionPlan is what the first pass keeps of a session.
type sessionPlan struct {
	index     int
	target    int
	events    int
	eligible  int
	eligStart int64 // global index of the session's first eligible block
	source    string
	project   int
}

// mix derives an independent 64-bit seed from the corpus seed, a session
// index and a stream number (SplitMix64 finalizer).
func mix(seed int64, index, stream uint64) uint64 {
	z := uint64(seed) ^ (index+1)*0x9e3779b97f4a7c15 ^ stream*0xbf58476d1ce4e5b9
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Random streams (each uses two numbers): a session's shape, its text
// and times, and the needles' places.
const (
	streamShape  = 1
	streamText   = 3
	streamNeedle = 5
)

func newRand(seed int64, index, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed, index, stream), mix(seed, index, stream+1)))
}

// drawHead draws a session's source, project and wanted size.
func drawHead(r *rand.Rand, opt *Options) (source string, proj, target int) {
	source = reel.SourceClaudeCode
	if r.Float64() < opt.CodexShare {
		source = reel.SourceCodex
	}
	// A few projects get most of the sessions, as with real users.
	proj = int(rand.NewZipf(r, 1.3, 1.5, uint64(opt.Projects-1)).Uint64())
	// Session sizes are heavy-tailed: most are short, a few run long.
	target = int(math.Exp(r.NormFloat64()*0.9 + math.Log(90)))
	return source, proj, min(max(target, 6), 1500)
}

// drawScript draws the turns of a session until it has target events.
func drawScript(r *rand.Rand, source string, proj, target int) *script {
	sc := &script{source: source, project: proj}
	if source == reel.SourceClaudeCode {
		sc.summary = r.IntN(12) == 0
		if sc.summary {
			sc.events++
		}
	} else {
		sc.events++ // the environment context message
	}
	for sc.events < target {
		var t turn
		sc.events++ // the prompt
		sc.eligible++
		n := 1
		for n < 12 && r.Float64() < 0.62 {
			n++
		}
		for i := 0; i < n; i++ {
			var s step
			s.thinking = r.Float64() < 0.3
			if i == n-1 {
				s.text = true
			} else {
				s.text = r.Float64() < 0.45
				calls := 1
				for calls < 4 && r.Float64() < 0.12 {
					calls++
				}
				for range calls {
					s.tools = append(s.tools, drawTool(r, source))
				}
			}
			if s.thinking {
				sc.events++
			}
			if s.text {
				sc.events++
				sc.eligible++
			}
			sc.events += 2 * len(s.tools)
			t.steps = append(t.steps, s)
		}
		sc.turns = append(sc.turns, t)
	}
	return sc
}

func drawTool(r *rand.Rand, source string) tool {
	x := r.IntN(100)
	if source == reel.SourceCodex {
		if x < 85 {
			return toolBash
		}
		return toolPatch
	}
	for i, w := range []int{35, 25, 15, 9, 5, 5, 6} {
		if x < w {
			return tool(i)
		}
		x -= w
	}
	return toolBash
}

// plan runs the first pass: it draws sessions until they hold opt.Events
// events and numbers their eligible blocks.
func plan(opt *Options) []sessionPlan {
	var plans []sessionPlan
	var events int
	var elig int64
	for i := 0; events < opt.Events; i++ {
		r := newRand(opt.Seed, uint64(i), streamShape)
		source, proj, target := drawHead(r, opt)
		// The last sessions shrink so the corpus ends near the size asked for.
		target = min(target, max(opt.Events-events, 6))
		sc := drawScript(r, source, proj, target)
		plans = append(plans, sessionPlan{
			index: i, target: target, events: sc.events, eligible: sc.eligible,
			eligStart: elig, source: source, project: proj,
		})
		events += sc.events
		elig += int64(sc.eligible)
	}
	return plans
}

// placement puts text into one eligible block.
type placement struct {
	block int64
	text  string
}

// The needle phrase's words: made up, so they occur nowhere else.
const (
	phraseA = "zorblax"
	phraseB = "quindle"
)

// placeNeedles chooses the blocks of every needle and returns the
// placements sorted by block, with the manifest's needle list.
func placeNeedles(seed int64, plans []sessionPlan) ([]placement, []Needle) {
	last := plans[len(plans)-1]
	total := last.eligStart + int64(last.eligible)
	r := newRand(seed, math.MaxUint32, streamNeedle)
	var counts []int
	for _, c := range []int{1, 1, 2, 3, 5, 8, 10} {
		if int64(c)*4 <= total {
			counts = append(counts, c)
		}
	}
	for _, c := range []int{100, 1000, 10000, 100000} {
		if int64(c)*10 <= total {
			counts = append(counts, c)
		}
	}
	var places []placement
	var needles []Needle
	union := map[int64]bool{}
	for i, c := range counts {
		term := NeedleStem + twoDigits(i+1)
		blocks := sample(r, total, c)
		for _, b := range blocks {
			places = append(places, placement{b, term})
			union[b] = true
		}
		needles = append(needles, Needle{Query: term, Term: term, Kind: TermNeedle, Count: c, BySource: bySource(plans, blocks)})
	}
	if len(union) > 0 {
		needles = append(needles, Needle{Query: NeedleStem + "*", Term: NeedleStem, Kind: PrefixNeedle, Count: len(union), BySource: bySource(plans, mapKeys(union))})
	}
	// The phrase goes in k blocks in order, in m more reversed, and its first
	// word alone in m more: a phrase search must tell them apart.
	k := int(min(max(total/2000, 2), 200))
	m := (k + 1) / 2
	if int64(k+2*m)*4 <= total {
		blocks := sample(r, total, k+2*m)
		r.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
		in, rev, alone := blocks[:k], blocks[k:k+m], blocks[k+m:]
		for _, b := range in {
			places = append(places, placement{b, phraseA + " " + phraseB})
		}
		for _, b := range rev {
			places = append(places, placement{b, phraseB + " " + phraseA})
		}
		for _, b := range alone {
			places = append(places, placement{b, phraseA})
		}
		phrase := phraseA + " " + phraseB
		needles = append(needles,
			Needle{Query: `"` + phrase + `"`, Term: phrase, Kind: PhraseNeedle, Count: k, BySource: bySource(plans, in)},
			Needle{Query: phraseA, Term: phraseA, Kind: TermNeedle, Count: k + 2*m, BySource: bySource(plans, blocks)},
			Needle{Query: phraseB, Term: phraseB, Kind: TermNeedle, Count: k + m, BySource: bySource(plans, blocks[:k+m])},
		)
	}
	slices.SortStableFunc(places, func(a, b placement) int { return cmp.Compare(a.block, b.block) })
	return places, needles
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// sample returns k distinct numbers in [0, n) (Floyd's algorithm).
func sample(r *rand.Rand, n int64, k int) []int64 {
	seen := make(map[int64]bool, k)
	out := make([]int64, 0, k)
	for j := n - int64(k); j < n; j++ {
		t := r.Int64N(j + 1)
		if seen[t] {
			t = j
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func mapKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// bySource counts blocks per source of the session that holds them.
func bySource(plans []sessionPlan, blocks []int64) map[string]int {
	out := map[string]int{}
	for _, b := range blocks {
		i := sort.Search(len(plans), func(i int) bool { return plans[i].eligStart+int64(plans[i].eligible) > b })
		out[plans[i].source]++
	}
	return out
}

// placementsFor returns the placements that fall in p's eligible blocks.
func placementsFor(places []placement, p *sessionPlan) []placement {
	lo := sort.Search(len(places), func(i int) bool { return places[i].block >= p.eligStart })
	hi := sort.Search(len(places), func(i int) bool { return places[i].block >= p.eligStart+int64(p.eligible) })
	return places[lo:hi]
}

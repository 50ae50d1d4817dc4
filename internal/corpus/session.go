package corpus

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// projectRoot is where the sessions' working directories live. It is a
// path inside the files, not on this machine.
const projectRoot = "/home/dev/src/"

// Event kinds the generator counts, in the manifest's terms.
const (
	kMessage = iota
	kReasoning
	kToolCall
	kToolResult
	kSummary
	kSystem
	numKinds
)

var kindNames = [numKinds]string{reel.KindMessage, reel.KindReasoning, reel.KindToolCall, reel.KindToolResult, reel.KindSummary, reel.KindSystem}

// sessionResult is what writing one session adds to the manifest.
type sessionResult struct {
	file   SessionFile
	kinds  [numKinds]int64
	termDF [trackedTerms]int64
	phrDF  [64]int64
}

// sessionOut writes one session file and keeps its clock and counts.
type sessionOut struct {
	g       *textGen
	r       *rand.Rand
	enc     *json.Encoder
	now     time.Time
	records int64
	kinds   [numKinds]int64
	err     error
	elig    int64       // global index of the next eligible block
	places  []placement // this session's needle placements, by block
	planted int
}

// emit writes one record as a JSON line. Write errors stick in the
// buffered writer and surface when the file is flushed; a marshal error
// (a bug) is kept.
func (o *sessionOut) emit(v any) {
	o.records++
	if err := o.enc.Encode(v); err != nil && o.err == nil {
		o.err = err
	}
}

// tick advances the session clock by a random duration in [lo, hi).
func (o *sessionOut) tick(lo, hi time.Duration) {
	o.now = o.now.Add(lo + time.Duration(o.r.Int64N(int64(hi-lo))))
}

func (o *sessionOut) ts() string { return stamp(o.now) }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// eligible returns text as the next eligible block: with every needle
// that was placed in it.
func (o *sessionOut) eligible(text string) string {
	for len(o.places) > 0 && o.places[0].block == o.elig {
		text = insertWord(text, o.places[0].text, o.r)
		o.places = o.places[1:]
		o.planted++
	}
	o.elig++
	return text
}

// insertWord puts w between two words of s, so that it is a word of its
// own to any tokenizer.
func insertWord(s, w string, r *rand.Rand) string {
	n := strings.Count(s, " ")
	if n == 0 {
		return s + " " + w
	}
	at := r.IntN(n)
	i := -1
	for range at + 1 {
		i += 1 + strings.IndexByte(s[i+1:], ' ')
	}
	return s[:i] + " " + w + s[i:]
}

// Ids in the clients' formats.

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

func uuid4(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// uuid7 is a time-ordered uuid, as Codex names its sessions.
func uuid7(r *rand.Rand, t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	v := r.Uint64()
	for i := 6; i < 14; i++ {
		b[i] = byte(v >> (8 * (i - 6)))
	}
	w := r.Uint32()
	b[14], b[15] = byte(w), byte(w>>8)
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func randBase64(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// claudeDirName is the folder Claude Code keeps a working directory's
// sessions in: the path with every character other than a letter, digit
// or '-' turned into '-'.
func claudeDirName(cwd string) string {
	b := []byte(cwd)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}

// writeSession runs the second pass for one session: it draws the session
// again, with its text, and writes its file under root.
func writeSession(root string, opt *Options, p *sessionPlan, places []placement, sessions int) (*sessionResult, error) {
	rs := newRand(opt.Seed, uint64(p.index), streamShape)
	source, proj, _ := drawHead(rs, opt)
	sc := drawScript(rs, source, proj, p.target)
	if sc.events != p.events || sc.eligible != p.eligible {
		return nil, reel.Errorf(reel.EINTERNAL, "session %d drew %d events the second time, %d the first", p.index, sc.events, p.events)
	}
	rt := newRand(opt.Seed, uint64(p.index), streamText)
	pr := &projects[proj]
	cwd := projectRoot + pr.name

	// Sessions follow each other over the span, in index order, and none
	// runs past End: maxRun bounds the clock's ticks (see the writers).
	maxRun := time.Duration(len(sc.turns))*8*time.Minute + time.Duration(sc.events)*41*time.Second
	frac := (float64(p.index) + rt.Float64()) / float64(sessions)
	start := opt.End.Add(-opt.Span).Add(time.Duration(frac * float64(opt.Span)))
	if start.Add(maxRun).After(opt.End) {
		start = opt.End.Add(-maxRun)
	}
	start = start.Truncate(time.Millisecond)

	var id, rel string
	if source == reel.SourceClaudeCode {
		id = uuid4(rt)
		rel = filepath.Join(".claude", "projects", claudeDirName(cwd), id+".jsonl")
	} else {
		id = uuid7(rt, start)
		u := start.UTC()
		rel = filepath.Join(".codex", "sessions", u.Format("2006"), u.Format("01"), u.Format("02"),
			"rollout-"+u.Format("2006-01-02T15-04-05")+"-"+id+".jsonl")
	}
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create session folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create session file: %w", err)
	}
	cw := &countWriter{w: f}
	bw := bufio.NewWriterSize(cw, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // the clients write <, > and & as they are
	g := newTextGen(rt, pr, cwd)
	o := &sessionOut{g: g, r: rt, enc: enc, now: start, elig: p.eligStart, places: places}
	if source == reel.SourceClaudeCode {
		writeClaude(o, sc, id, cwd)
	} else {
		writeCodex(o, sc, id, cwd)
	}
	err = o.err
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write session file: %w", err)
	}
	if o.elig != p.eligStart+int64(p.eligible) || len(o.places) > 0 {
		return nil, reel.Errorf(reel.EINTERNAL, "session %d wrote %d eligible blocks, planned %d", p.index, o.elig-p.eligStart, p.eligible)
	}
	if err := os.Chtimes(path, o.now, o.now); err != nil {
		return nil, fmt.Errorf("set session file time: %w", err)
	}
	res := &sessionResult{
		file: SessionFile{
			Path: filepath.ToSlash(rel), Source: source, NativeID: id, Project: cwd,
			Started: start.UTC(), Ended: o.now.UTC(), Records: o.records, Events: int64(sc.events), Bytes: cw.n,
		},
		kinds: o.kinds, termDF: g.termDF, phrDF: g.phrDF,
	}
	var n int64
	for _, k := range o.kinds {
		n += k
	}
	if n != int64(sc.events) {
		return nil, reel.Errorf(reel.EINTERNAL, "session %d wrote %d events, planned %d", p.index, n, sc.events)
	}
	return res, nil
}

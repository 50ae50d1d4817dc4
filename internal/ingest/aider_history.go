package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// aider writes "\n# aider chat started at %Y-%m-%d %H:%M:%S\n\n" when it
// starts (aider/io.py, InputOutput.__init__): a blank line, the header, a
// blank line.
const (
	aiderHeaderPrefix = "# aider chat started at "
	aiderTimeLayout   = "2006-01-02 15:04:05"
	// aiderUndated keys the one session of a file that has no header.
	aiderUndated = "undated"
)

// aiderRun is one aider launch: the bytes [off, end) of the history file.
type aiderRun struct {
	// key is the header's time as written, made unique within the file by
	// " #2", " #3"... for later runs that share it.
	key     string
	started time.Time
	off     int64
	end     int64
	// contentEnd is the offset just past the run's last non-blank line:
	// the engine passes no blank line to the parser, so this is where the
	// parser sees the run end.
	contentEnd int64
	hash       string
}

// aiderHistory is one history file's bytes and runs.
type aiderHistory struct {
	data []byte
	runs []aiderRun
}

// find returns the run with key.
func (h *aiderHistory) find(key string) (aiderRun, bool) {
	for _, r := range h.runs {
		if r.key == key {
			return r, true
		}
	}
	return aiderRun{}, false
}

// aiderHeaderTime returns the time text of a header line, and whether line
// is one. The line may keep its terminator.
func aiderHeaderTime(line []byte) (string, bool) {
	if !bytes.HasPrefix(line, []byte(aiderHeaderPrefix)) {
		return "", false
	}
	return strings.TrimSpace(string(line[len(aiderHeaderPrefix):])), true
}

// aiderBlankLine reports whether line holds nothing but its terminator.
func aiderBlankLine(line []byte) bool {
	return len(bytes.TrimRight(line, "\r\n")) == 0
}

// indexAider splits a history file into runs. A run starts at its header
// line, or at the blank line just before it, which aider writes in the same
// call: so appending a run never changes the bytes of the runs before it.
// Bytes before the first run belong to it, and a file with no header at
// all is one run keyed "undated": every byte belongs to exactly one run.
func indexAider(data []byte, loc *time.Location) []aiderRun {
	if len(data) == 0 {
		return nil
	}
	var runs []aiderRun
	seen := map[string]int{}
	var prevOff int64 = -1 // offset of the previous line, if blank
	for off := int64(0); off < int64(len(data)); {
		end := aiderLineEnd(data, off, int64(len(data)))
		line := data[off:end]
		if stamp, ok := aiderHeaderTime(line); ok {
			start := off
			if prevOff >= 0 {
				start = prevOff
			}
			if len(runs) == 0 {
				start = 0
			} else {
				runs[len(runs)-1].end = start
			}
			runs = append(runs, aiderRun{key: aiderRunKey(stamp, seen), started: aiderParseTime(stamp, loc), off: start})
		}
		prevOff = -1
		if aiderBlankLine(line) {
			prevOff = off
		}
		off = end
	}
	if len(runs) == 0 {
		runs = append(runs, aiderRun{key: aiderUndated})
	}
	runs[len(runs)-1].end = int64(len(data))
	for i := range runs {
		r := &runs[i]
		r.contentEnd = r.off
		for off := r.off; off < r.end; {
			end := aiderLineEnd(data, off, r.end)
			if len(bytes.TrimSpace(data[off:end])) > 0 {
				r.contentEnd = end
			}
			off = end
		}
		sum := sha256.Sum256(data[r.off:r.end])
		r.hash = hex.EncodeToString(sum[:])
	}
	return runs
}

// aiderRunKey returns the key of a run whose header says stamp.
func aiderRunKey(stamp string, seen map[string]int) string {
	if stamp == "" {
		stamp = "untimed"
	}
	seen[stamp]++
	if n := seen[stamp]; n > 1 {
		return fmt.Sprintf("%s #%d", stamp, n)
	}
	return stamp
}

// aiderParseTime reads a header's time, which aider writes in local time
// without a zone; the zero time when it does not parse.
func aiderParseTime(stamp string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation(aiderTimeLayout, stamp, loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// loadHistory returns path's runs as the file is now, from the cache
// while the file is unchanged.
func (a *Aider) loadHistory(path string) (*aiderHistory, error) {
	return a.cache.load(path, func(data []byte) (*aiderHistory, error) {
		return &aiderHistory{data: data, runs: indexAider(data, a.loc)}, nil
	})
}

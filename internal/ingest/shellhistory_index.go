package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// shellUndated keys the one session of a file with no timestamp at all.
const shellUndated = "undated"

// shellEntry is one history entry: the bytes [off, end) of the file, as
// the shell reads them back as one command (a bash timestamp line with its
// command, a zsh command continued over lines, a fish entry with its
// fields).
type shellEntry struct {
	off, end int64
	day      int // index in shellFile.days
}

// shellDay is one session: the entries of a local day.
type shellDay struct {
	key   string // "2006-01-02" or "undated"
	index int
	size  int64
	hash  string
}

// shellFile is a history file's bytes, entries and days.
type shellFile struct {
	shell   string
	data    []byte
	entries []shellEntry
	days    []shellDay
}

// indexShell splits a history file into entries and groups them by day.
// An entry without a time belongs to the day of the dated entry before it,
// or, before any, to the first dated day; a file with no time at all is
// one "undated" day. Every byte belongs to exactly one entry.
func indexShell(shell string, data []byte, loc *time.Location) *shellFile {
	h := &shellFile{shell: shell, data: data}
	spans := shellSpans(shell, data)
	keys := make([]string, len(spans))
	first := ""
	for i, sp := range spans {
		if t, ok := shellEntryTime(shell, data[sp[0]:sp[1]]); ok {
			keys[i] = t.In(loc).Format(time.DateOnly)
			if first == "" {
				first = keys[i]
			}
		}
	}
	if first == "" {
		first = shellUndated
	}
	cur := first
	byKey := map[string]int{}
	for i := range keys {
		if keys[i] == "" {
			keys[i] = cur
		}
		cur = keys[i]
		byKey[keys[i]] = 0
	}
	for k := range byKey {
		h.days = append(h.days, shellDay{key: k})
	}
	sort.Slice(h.days, func(i, j int) bool { return h.days[i].key < h.days[j].key })
	hashes := make([]hash.Hash, len(h.days))
	for i := range h.days {
		h.days[i].index = i
		byKey[h.days[i].key] = i
		hashes[i] = sha256.New()
	}
	h.entries = make([]shellEntry, len(spans))
	for i, sp := range spans {
		d := byKey[keys[i]]
		h.entries[i] = shellEntry{off: sp[0], end: sp[1], day: d}
		hashes[d].Write(data[sp[0]:sp[1]])
		h.days[d].size += sp[1] - sp[0]
	}
	for i := range h.days {
		h.days[i].hash = hex.EncodeToString(hashes[i].Sum(nil))
	}
	return h
}

// shellSpans splits data into entries by the shell's own reading rules.
func shellSpans(shell string, data []byte) [][2]int64 {
	lines := shellLineSpans(data)
	var spans [][2]int64
	add := func(from, to int) { spans = append(spans, [2]int64{lines[from][0], lines[to-1][1]}) }
	line := func(i int) []byte { return data[lines[i][0]:lines[i][1]] }
	switch shell {
	case shellBash:
		// bash (lib/readline/histfile.c): a file whose first line is a
		// timestamp keeps multi-line commands, so every line up to the
		// next timestamp belongs to the entry; otherwise a timestamp
		// dates the one line after it.
		multi := len(lines) > 0 && bashTimestampLine(line(0))
		for i := 0; i < len(lines); {
			j := i + 1
			if bashTimestampLine(line(i)) {
				for j < len(lines) && !bashTimestampLine(line(j)) && (multi || j == i+1) {
					j++
				}
			}
			add(i, j)
			i = j
		}
	case shellZsh:
		// zsh (Src/hist.c, readhistline): a line ending in a backslash
		// continues on the next.
		for i := 0; i < len(lines); {
			j := i + 1
			for j < len(lines) && zshContinues(line(j-1)) {
				j++
			}
			add(i, j)
			i = j
		}
	case shellFish:
		// fish: "- cmd:" starts an entry, indented lines are its fields.
		for i := 0; i < len(lines); {
			j := i + 1
			if l := line(i); len(l) > 0 && l[0] == '-' {
				for j < len(lines) && fishFieldLine(line(j)) {
					j++
				}
			}
			add(i, j)
			i = j
		}
	}
	return spans
}

// shellLineSpans returns each line's [start, end), terminator included.
func shellLineSpans(data []byte) [][2]int64 {
	var lines [][2]int64
	for off := int64(0); off < int64(len(data)); {
		end := off
		for end < int64(len(data)) && data[end] != '\n' {
			end++
		}
		if end < int64(len(data)) {
			end++
		}
		lines = append(lines, [2]int64{off, end})
		off = end
	}
	return lines
}

// bashTimestampLine reports whether bash reads line as a timestamp: the
// history comment character followed by a digit (HIST_TIMESTAMP_START).
func bashTimestampLine(line []byte) bool {
	return len(line) > 1 && line[0] == '#' && line[1] >= '0' && line[1] <= '9'
}

// zshContinues reports whether a zsh history line goes on to the next.
func zshContinues(line []byte) bool {
	n := len(line)
	return n >= 2 && line[n-1] == '\n' && line[n-2] == '\\'
}

// fishFieldLine reports whether line belongs to the fish entry above it.
func fishFieldLine(line []byte) bool {
	return len(line) > 0 && (line[0] == ' ' || line[0] == '\t' || line[0] == '\n' || line[0] == '\r')
}

// shellUnixLimit bounds the seconds reel reads as a time: to 2255, inside
// what every store keeps exactly (reel.StorableTime).
const shellUnixLimit = 9_000_000_000

// shellUnix reads leading decimal seconds since the epoch.
func shellUnix(b []byte) (time.Time, bool) {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	sec, err := strconv.ParseInt(string(b[:n]), 10, 64)
	if err != nil || sec > shellUnixLimit {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// loadHistory returns path's entries and days as the file is now, from
// the cache while the file is unchanged.
func (s *ShellHistory) loadHistory(path string) (*shellFile, error) {
	return s.cache.load(path, func(data []byte) (*shellFile, error) {
		shell, err := detectShell(filepath.Base(path), data[:min(len(data), shellDetectLimit)])
		if err != nil {
			return nil, err
		}
		return indexShell(shell, data, s.loc), nil
	})
}

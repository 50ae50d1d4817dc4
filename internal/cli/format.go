package cli

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
)

// writeJSON prints v as indented JSON: the --json output of every command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// timeFilter parses --since and --until into f.
func timeFilter(f *reel.Filter, since, until string) error {
	var err error
	f.Since, f.Until, err = humanize.ParseRange(since, until, time.Now())
	return err
}

// clock formats a time for tables: the time of day for today, else a date.
func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	t = t.Local()
	now := time.Now()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	if t.Year() == now.Year() {
		return t.Format("Jan 02 15:04")
	}
	return t.Format("2006-01-02")
}

// truncate cuts s to at most n runes on one line, marking the cut.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// projectName is the last element of a project path, for narrow columns.
func projectName(p string) string {
	if p == "" {
		return "-"
	}
	return filepath.Base(p)
}

// highlight paints the highlighted ranges of a snippet.
func highlight(s *Streams, text string, ranges [][2]int) string {
	if len(ranges) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, r := range ranges {
		if r[0] < last || r[1] > len(text) || r[0] > r[1] {
			continue
		}
		b.WriteString(text[last:r[0]])
		if s.color {
			b.WriteString(s.Paint(styleMatch, text[r[0]:r[1]]))
		} else {
			b.WriteString("[" + text[r[0]:r[1]] + "]")
		}
		last = r[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

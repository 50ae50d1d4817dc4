package humanize

import (
	"strconv"
	"strings"
	"time"

	"github.com/reel-sh/reel"
)

// ParseTime reads a time as people type it in --since and --until (and the
// MCP tools' since and until): a duration back from now ("90m", "36h",
// "7d", "2w"), a date ("2026-01-02", local time), a local date and time, or
// RFC 3339. The empty string is the zero time (no bound). EINVALID, with a
// hint listing the forms, for anything else.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if n := len(s); n > 1 {
		if v, err := strconv.Atoi(s[:n-1]); err == nil && v >= 0 {
			switch s[n-1] {
			case 'd':
				return now.AddDate(0, 0, -v), nil
			case 'w':
				return now.AddDate(0, 0, -7*v), nil
			}
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, reel.Errorf(reel.EINVALID, "cannot read time %q", s).
		WithHint(`use a duration back from now (90m, 36h, 7d, 2w), a date (2026-01-02) or RFC 3339`)
}

// ParseRange reads a since and an until as ParseTime does, both against
// the same now.
func ParseRange(since, until string, now time.Time) (from, to time.Time, err error) {
	if from, err = ParseTime(since, now); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if to, err = ParseTime(until, now); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return from, to, nil
}

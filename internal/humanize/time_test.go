package humanize_test

import (
	"testing"
	"time"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/humanize"
)

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.Local)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"90m", now.Add(-90 * time.Minute)},
		{" 36h ", now.Add(-36 * time.Hour)},
		{"7d", now.AddDate(0, 0, -7)},
		{"2w", now.AddDate(0, 0, -14)},
		{"2026-01-02", time.Date(2026, 1, 2, 0, 0, 0, 0, time.Local)},
		{"2026-01-02 15:04", time.Date(2026, 1, 2, 15, 4, 0, 0, time.Local)},
		{"2026-01-02T15:04:05Z", time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)},
	} {
		got, err := humanize.ParseTime(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"yesterday", "-5d", "7x", "2026-13-01"} {
		if _, err := humanize.ParseTime(in, now); reel.ErrorCode(err) != reel.EINVALID || reel.ErrorHint(err) == "" {
			t.Errorf("ParseTime(%q) error = %v, want EINVALID with a hint", in, err)
		}
	}
}

func TestParseRange(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	from, to, err := humanize.ParseRange("2d", "1d", now)
	if err != nil || !from.Equal(now.AddDate(0, 0, -2)) || !to.Equal(now.AddDate(0, 0, -1)) {
		t.Errorf("ParseRange(2d, 1d) = %v, %v, %v", from, to, err)
	}
	if _, _, err := humanize.ParseRange("1d", "soon", now); reel.ErrorCode(err) != reel.EINVALID {
		t.Errorf("ParseRange(1d, soon) error = %v, want EINVALID", err)
	}
}

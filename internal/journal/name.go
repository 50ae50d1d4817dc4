package journal

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/reel-sh/reel"
)

// MaxNameLen bounds a recording's name.
const MaxNameLen = 100

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ValidName returns EINVALID unless name is 1 to MaxNameLen letters,
// digits, '_' and '-'.
func ValidName(name string) error {
	if !namePattern.MatchString(name) || len(name) > MaxNameLen {
		return reel.Errorf(reel.EINVALID, "invalid recording name %q", name).
			WithHint(fmt.Sprintf("use 1 to %d letters, digits, '_' and '-'", MaxNameLen))
	}
	return nil
}

// DefaultName is the name of a recording started at t without one.
func DefaultName(t time.Time) string { return "session-" + stamp(t) }

// RecoveredName is the name a recording started at t gets when it is
// recovered.
func RecoveredName(t time.Time) string { return "recovered-" + stamp(t) }

func stamp(t time.Time) string { return t.Local().Format("2006-01-02-150405") }

// uniqueName returns base, or base-2, base-3… for the first one not taken.
func uniqueName(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for i := 2; ; i++ {
		if n := base + "-" + strconv.Itoa(i); !taken[n] {
			return n
		}
	}
}

// NewID returns a new recording id: 32 random lowercase hex digits, so
// that its first few tell recordings apart.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

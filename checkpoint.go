package reel

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// MaxCheckpointLabel is the longest checkpoint label, in bytes.
const MaxCheckpointLabel = 200

// MaxCheckpointState is the largest checkpoint state, in bytes.
const MaxCheckpointState = 1 << 20

// CheckpointID returns the deterministic id of the checkpoint of session
// sessionID at seq with label and time t: 32 lowercase hex digits of
// SHA-256 over all four, so every reader of the same journal line, and
// every host, derives the same id.
func CheckpointID(sessionID string, seq int64, label string, t time.Time) string {
	h := sha256.New()
	h.Write([]byte("checkpoint\x00"))
	h.Write([]byte(sessionID))
	h.Write([]byte{0})
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	h.Write(n[:])
	h.Write([]byte(label))
	h.Write([]byte{0})
	if !t.IsZero() {
		binary.BigEndian.PutUint64(n[:], uint64(t.UnixNano()))
		h.Write(n[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Validate returns EINVALID, naming the checkpoint, if no Store can keep
// c: no id or session id, a negative seq, a time outside StorableTime, a
// state that is not JSON or is longer than MaxCheckpointState bytes, or a
// label longer than MaxCheckpointLabel bytes or holding a control
// character (a label is printed on one line). It does not check that the
// session exists or that seq is within it; stores do.
func (c *Checkpoint) Validate() error {
	if c.ID == "" {
		return Errorf(EINVALID, "put checkpoint: no id")
	}
	invalid := func(format string, args ...any) error {
		return Errorf(EINVALID, "put checkpoint %q: "+format, append([]any{c.ID}, args...)...)
	}
	switch {
	case c.SessionID == "":
		return invalid("no session id")
	case c.Seq < 0:
		return invalid("negative seq %d", c.Seq)
	case !StorableTime(c.Time):
		return invalid("time %s is outside the years 1678 to 2262", c.Time)
	case len(c.State) > MaxCheckpointState:
		return invalid("state is %d bytes, more than %d", len(c.State), MaxCheckpointState)
	case len(c.State) > 0 && !json.Valid(c.State):
		return invalid("state is not valid JSON")
	case len(c.Label) > MaxCheckpointLabel:
		return invalid("label is %d bytes, longer than %d", len(c.Label), MaxCheckpointLabel)
	case strings.IndexFunc(c.Label, unicode.IsControl) >= 0:
		return invalid("label %q holds a control character", c.Label)
	}
	return nil
}

// FindCheckpoint returns the checkpoint of cps that ref names: the one
// whose id is ref, else the one whose label is ref, else the one whose id
// starts with ref. ENOTFOUND, naming ref and hinting at the labels that
// exist, if none does (or ref is empty); EAMBIGUOUS if ref is a prefix
// of several ids.
func FindCheckpoint(cps []Checkpoint, ref string) (Checkpoint, error) {
	if ref != "" {
		for _, c := range cps {
			if c.ID == ref {
				return c, nil
			}
		}
		for _, c := range cps {
			if c.Label != "" && c.Label == ref {
				return c, nil
			}
		}
		var found []Checkpoint
		for _, c := range cps {
			if strings.HasPrefix(c.ID, ref) {
				found = append(found, c)
			}
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
		default:
			return Checkpoint{}, Errorf(EAMBIGUOUS, "checkpoint id %q is ambiguous: %d checkpoints start with it", ref, len(found)).
				WithHint("type more of the id, or name the checkpoint by its label")
		}
	}
	var labels []string
	for _, c := range cps {
		if c.Label != "" {
			labels = append(labels, c.Label)
		}
	}
	sort.Strings(labels)
	e := Errorf(ENOTFOUND, "checkpoint %q not found", ref)
	switch {
	case len(cps) == 0:
		return Checkpoint{}, e.WithHint("the session has no checkpoints; make one with reel checkpoint")
	case len(labels) == 0:
		return Checkpoint{}, e.WithHint("the session's checkpoints have no labels; name one by its id (reel checkpoints SESSION)")
	}
	const show = 10
	list := strings.Join(labels[:min(len(labels), show)], ", ")
	if len(labels) > show {
		list += fmt.Sprintf(" and %d more", len(labels)-show)
	}
	return Checkpoint{}, e.WithHint("labels: " + list)
}

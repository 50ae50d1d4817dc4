package reel_test

import (
	"strings"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func TestFindCheckpoint(t *testing.T) {
	cps := []reel.Checkpoint{
		{ID: "abc111", Label: "start"},
		{ID: "abc222", Label: "abc111x"},
		{ID: "abd333"},
		{ID: "start0", Label: "mid"}, // its id is another's label
	}
	tests := []struct {
		name, ref string
		cps       []reel.Checkpoint
		want      string // id, or the error code
		hint      string // a substring of the error's hint
	}{
		{"OKExactID", "abc222", cps, "abc222", ""},
		{"OKLabel", "mid", cps, "start0", ""},
		{"OKLabelBeforePrefix", "start", cps, "abc111", ""},
		{"OKIDBeforeLabel", "abc111", cps, "abc111", ""},
		{"OKLabelThatLooksLikePrefix", "abc111x", cps, "abc222", ""},
		{"OKPrefix", "abd", cps, "abd333", ""},
		{"ErrAmbiguous", "abc", cps, reel.EAMBIGUOUS, "label"},
		{"ErrNotFound", "nope", cps, reel.ENOTFOUND, "abc111x, mid, start"},
		{"ErrEmpty", "", cps, reel.ENOTFOUND, "labels:"},
		{"ErrNoCheckpoints", "x", nil, reel.ENOTFOUND, "reel checkpoint"},
		{"ErrNoLabels", "x", []reel.Checkpoint{{ID: "a"}}, reel.ENOTFOUND, "by its id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reel.FindCheckpoint(tt.cps, tt.ref)
			if err != nil {
				if code := reel.ErrorCode(err); code != tt.want {
					t.Fatalf("FindCheckpoint(%q) = %v (%s), want %s", tt.ref, err, code, tt.want)
				}
				if !strings.Contains(reel.ErrorHint(err), tt.hint) {
					t.Errorf("hint = %q, want it to hold %q", reel.ErrorHint(err), tt.hint)
				}
				if tt.ref != "" && !strings.Contains(err.Error(), tt.ref) {
					t.Errorf("error %q does not name %q", err, tt.ref)
				}
				return
			}
			if got.ID != tt.want {
				t.Errorf("FindCheckpoint(%q) = %q, want %q", tt.ref, got.ID, tt.want)
			}
		})
	}
}

func TestCheckpointID(t *testing.T) {
	tm := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	id := reel.CheckpointID("s", 3, "mid", tm)
	if len(id) != 32 || id != reel.CheckpointID("s", 3, "mid", tm.In(time.FixedZone("x", 3600))) {
		t.Fatalf("id %q is not 32 digits or depends on the zone", id)
	}
	for _, other := range []string{
		reel.CheckpointID("t", 3, "mid", tm), reel.CheckpointID("s", 4, "mid", tm),
		reel.CheckpointID("s", 3, "mid2", tm), reel.CheckpointID("s", 3, "mid", tm.Add(1)),
		reel.CheckpointID("s", 3, "mid", time.Time{}),
	} {
		if other == id {
			t.Errorf("two checkpoints share id %q", id)
		}
	}
}

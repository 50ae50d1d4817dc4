package agentrecord

import (
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

func TestDecode(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
		rec, err := Encode(reel.AgentSession{ID: "i", Name: "n", CreatedAt: at, Pause: &reel.Pause{At: at}})
		if err != nil {
			t.Fatal(err)
		}
		a, err := Decode("i", rec)
		if err != nil || !a.CreatedAt.Equal(at) || a.CreatedAt.Location() != time.UTC || a.Pause.At.Location() != time.UTC {
			t.Errorf("Decode = %+v, %v", a, err)
		}
	})
	t.Run("ErrCorrupt", func(t *testing.T) {
		if _, err := Decode("i", "{not json"); reel.ErrorCode(err) != reel.ECORRUPT {
			t.Errorf("Decode = %v, want ECORRUPT", err)
		}
	})
	t.Run("ErrNoName", func(t *testing.T) {
		if _, err := Encode(reel.AgentSession{ID: "i"}); reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("Encode = %v, want EINVALID", err)
		}
	})
}

package live_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/live"
)

const header = `{"t":"start","v":1,"session_id":"abc","source":"hooks","native_id":"claude-code:x","started_at":"2026-12-01T09:00:00Z","owner":{"pid":1,"host":"h"}}` + "\n"

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "abc.ndjson")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRead(t *testing.T) {
	ev := func(seq string) string {
		return `{"t":"event","seq":` + seq + `,"time":"2026-12-01T09:00:01Z","kind":"message","text":"hi"}` + "\n"
	}
	t.Run("OK", func(t *testing.T) {
		p := writeFile(t, header+ev("0")+ev("1")+`{"t":"end","status":"completed","events":2}`+"\n")
		j, err := live.Read(p, nil)
		if err != nil || j.Events != 2 || j.End == nil || j.Torn != nil || len(j.Bad) != 0 || j.Good != j.Size {
			t.Fatalf("Read = %+v, %v", j, err)
		}
	})
	t.Run("TornAndBad", func(t *testing.T) {
		p := writeFile(t, header+ev("0")+"not json\n"+`{"t":"event","seq":0,"kind":"x"}`+"\n"+ev("2")+`{"t":"event","seq":3,"ki`)
		j, err := live.Read(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(j.Bad) != 2 || j.Bad[0].Line != 3 || j.Bad[1].Line != 4 || !strings.HasPrefix(j.Bad[0].String(), p+":3: ") {
			t.Errorf("bad lines %v", j.Bad)
		}
		if j.Torn == nil || j.Torn.Line != 6 || j.Events != 3 {
			t.Errorf("torn %+v, events %d (seq 1 lost, 2 read)", j.Torn, j.Events)
		}
		torn, err := live.Repair(p)
		if err != nil || torn == nil {
			t.Fatalf("Repair = %v, %v", torn, err)
		}
		data, _ := os.ReadFile(p)
		if !strings.HasSuffix(string(data), ev("2")) {
			t.Errorf("after repair the journal ends %q", data[len(data)-40:])
		}
		if again, err := live.Repair(p); again != nil || err != nil {
			t.Errorf("second Repair = %v, %v", again, err)
		}
	})
	t.Run("TornParseableLastLine", func(t *testing.T) {
		// A last line that is JSON but has no terminator was not written
		// whole: it counts as torn.
		p := writeFile(t, header+strings.TrimSuffix(ev("0"), "\n"))
		j, err := live.Read(p, nil)
		if err != nil || j.Torn == nil || j.Events != 0 {
			t.Errorf("Read = %+v, %v", j, err)
		}
	})
	t.Run("ErrCorrupt", func(t *testing.T) {
		for _, body := range []string{ev("0") + ev("1"), "", `{"t":"sta`} {
			if _, err := live.Read(writeFile(t, body), nil); reel.ErrorCode(err) != reel.ECORRUPT {
				t.Errorf("Read(%q) = %v, want ECORRUPT", body, err)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := live.Read(filepath.Join(t.TempDir(), "none.ndjson"), nil); reel.ErrorCode(err) != reel.ENOTFOUND {
			t.Errorf("Read of no file = %v", err)
		}
	})
}

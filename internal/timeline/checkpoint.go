package timeline

import (
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
)

// maxListed is how many checkpoints a not-found hint names.
const maxListed = 10

// checkpoint returns the checkpoint of sess that ref names, as
// reel.FindCheckpoint does. Its ENOTFOUND names ref and the session, and its
// hint lists the session's checkpoints (labels, or ids where unlabelled).
func checkpoint(sess reel.Session, cps []reel.Checkpoint, ref string) (reel.Checkpoint, error) {
	c, err := reel.FindCheckpoint(cps, ref)
	if reel.ErrorCode(err) != reel.ENOTFOUND {
		return c, err
	}
	e := reel.Errorf(reel.ENOTFOUND, "checkpoint %q not found in session %s", ref, reel.ShortID(sess.ID))
	if len(cps) == 0 {
		return c, e.WithHint("the session has no checkpoints")
	}
	var names []string
	for _, c := range cps {
		if len(names) == maxListed {
			names = append(names, fmt.Sprintf("and %d more", len(cps)-maxListed))
			break
		}
		if c.Label != "" {
			names = append(names, c.Label)
		} else {
			names = append(names, reel.ShortID(c.ID)+" (no label)")
		}
	}
	return c, e.WithHint("the session's checkpoints: " + strings.Join(names, ", "))
}

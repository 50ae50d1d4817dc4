package timeline

import (
	"fmt"
	"strings"

	"github.com/reel-sh/reel"
)

// findCheckpoint returns the checkpoint of cps that ref names: the one
// whose id is ref, else the one labelled ref, else the one whose id ref
// is a unique prefix of. ENOTFOUND if none does, EAMBIGUOUS if several
// ids start with ref.
//
// It keeps the rules of reel.FindCheckpoint, which can replace it.
func findCheckpoint(cps []reel.Checkpoint, ref string) (reel.Checkpoint, error) {
	if ref == "" {
		return reel.Checkpoint{}, reel.Errorf(reel.ENOTFOUND, "no checkpoint given")
	}
	for _, c := range cps {
		if c.ID == ref {
			return c, nil
		}
	}
	for _, c := range cps {
		if c.Label == ref {
			return c, nil
		}
	}
	var found []reel.Checkpoint
	for _, c := range cps {
		if strings.HasPrefix(c.ID, ref) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return reel.Checkpoint{}, reel.Errorf(reel.ENOTFOUND, "checkpoint %q not found", ref)
	case 1:
		return found[0], nil
	}
	return reel.Checkpoint{}, reel.Errorf(reel.EAMBIGUOUS, "checkpoint id %q is ambiguous: %d checkpoints start with it", ref, len(found)).
		WithHint("type more of the id, or use the checkpoint's label")
}

// maxListed is how many checkpoints a not-found hint names.
const maxListed = 10

// checkpoint returns the checkpoint of sess that ref names, as
// findCheckpoint does. Its ENOTFOUND names ref and the session, and its
// hint lists the session's checkpoints (labels, or ids where unlabelled).
func checkpoint(sess reel.Session, cps []reel.Checkpoint, ref string) (reel.Checkpoint, error) {
	c, err := findCheckpoint(cps, ref)
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

package archive

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
)

// checkpointPutter is a store that keeps checkpoints.
type checkpointPutter interface {
	PutCheckpoint(ctx context.Context, c reel.Checkpoint) error
}

// importBatch is how many raw records and events go in one batch of an
// import; all the batches are applied in one transaction anyway.
const importBatch = 1000

// Import writes doc's session into st, replacing what an earlier import
// of it wrote: its raw records and events in one Apply, so atomically,
// then its checkpoints one by one. doc must be consistent, as Read
// returns it.
//
// ECONFLICT, with a hint, if st holds the session but not from an import
// (this machine syncs it from its own file, which stays the truth about
// it); EUNSUPPORT if doc has checkpoints and st cannot keep them; in both
// cases nothing is written. A checkpoint's label that another checkpoint
// of the session has fails as PutCheckpoint does (ECONFLICT), after the
// events were written: importing again once the clash is resolved
// completes it. Checkpoints that an earlier import wrote and doc lacks
// are left.
func Import(ctx context.Context, st reel.Store, doc *Document) error {
	id := doc.Session.ID
	putter, ok := st.(checkpointPutter)
	if len(doc.Checkpoints) > 0 && !ok {
		return reel.Errorf(reel.EUNSUPPORT, "import session %s: the store cannot keep its %d checkpoints", id, len(doc.Checkpoints))
	}
	switch held, err := st.Session(ctx, id); reel.ErrorCode(err) {
	case reel.ENOTFOUND:
	case "":
		_, err := st.Cursor(ctx, CursorPrefix+id)
		switch reel.ErrorCode(err) {
		case "":
		case reel.ENOTFOUND:
			return reel.Errorf(reel.ECONFLICT, "import session %s: the store already holds it, synced from %s", id, held.Path).
				WithHint("this machine reads the session from its own file; there is nothing to import")
		default:
			return fmt.Errorf("import session %s: %w", id, err)
		}
	default:
		return fmt.Errorf("import session %s: %w", id, err)
	}
	if err := st.Apply(ctx, Batches(doc, importBatch)...); err != nil {
		return fmt.Errorf("import session %s: %w", id, err)
	}
	for _, c := range doc.Checkpoints {
		if err := putter.PutCheckpoint(ctx, c); err != nil {
			return fmt.Errorf("import session %s: checkpoint %q: %w", id, c.Label, err)
		}
	}
	return nil
}

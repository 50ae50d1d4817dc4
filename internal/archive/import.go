package archive

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
)

// importBatch is how many raw records and events go in one batch of an
// import; all the batches are applied in one transaction anyway.
const importBatch = 1000

// Import writes doc's session into st, replacing what an earlier import
// of it wrote: its raw records, events and checkpoints in one Apply, so
// atomically. doc must be consistent, as Read returns it.
//
// ECONFLICT, with a hint, if st holds the session but not from an import
// (this machine syncs it from its own file, which stays the truth about
// it), or if a checkpoint's label names another checkpoint of the
// session (one put there since the last import); in both cases nothing
// is written. Checkpoints that an earlier import wrote and doc lacks are
// left.
func Import(ctx context.Context, st reel.Store, doc *Document) error {
	id := doc.Session.ID
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
	return nil
}

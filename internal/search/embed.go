package search

import (
	"context"
	"fmt"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/vecstore"
)

// EmbedBatch is how many events EmbedPending embeds and commits at once.
const EmbedBatch = 64

// MaxEmbedChars is how much of an event's text is embedded: the start of
// a long tool output says what it is about.
const MaxEmbedChars = 4000

// vectorStore returns store as a vecstore.Store, or EUNSUPPORT.
func vectorStore(store reel.Store) (vecstore.Store, error) {
	vs, ok := store.(vecstore.Store)
	if !ok {
		return nil, reel.Errorf(reel.EUNSUPPORT, "store %T keeps no vectors", store)
	}
	return vs, nil
}

// EmbedPending embeds every event with text that has no vector of e's
// model, EmbedBatch events at a time, committing each batch, so that a
// stopped run loses at most one batch and the next run goes on from
// there. progress, when not nil, is called after each batch with the
// events embedded so far in this run and the number there were to embed
// when it started (events synced meanwhile are embedded too, so done may
// pass total). It returns ctx's error when cancelled between batches,
// and the embedder's (EUNSUPPORT when its model is unavailable) as is.
func EmbedPending(ctx context.Context, store reel.Store, e reel.Embedder, progress func(done, total int64)) error {
	vs, err := vectorStore(store)
	if err != nil {
		return err
	}
	m := e.Model()
	if m.ID == "" || m.Dim <= 0 {
		return reel.Errorf(reel.EINVALID, "embed events: model %q has dimension %d", m.ID, m.Dim)
	}
	cov, err := vs.VectorCoverage(ctx, m.ID)
	if err != nil {
		return err
	}
	total := max(0, cov.Total-cov.Embedded)
	var done, after int64
	if progress != nil {
		progress(0, total)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ps, err := vs.PendingEvents(ctx, m.ID, after, EmbedBatch)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return nil
		}
		texts := make([]string, len(ps))
		for i, p := range ps {
			texts[i] = clip(p.Text, MaxEmbedChars)
		}
		vecs, err := e.Embed(ctx, texts)
		if err != nil {
			return err
		}
		if len(vecs) != len(ps) {
			return reel.Errorf(reel.EINTERNAL, "embed events: model %s returned %d vectors for %d texts", m.ID, len(vecs), len(ps))
		}
		out := make([]vecstore.Vector, len(ps))
		for i, p := range ps {
			if len(vecs[i]) != m.Dim {
				return reel.Errorf(reel.EINTERNAL, "embed events: model %s returned %d dims, says %d", m.ID, len(vecs[i]), m.Dim)
			}
			s, q := vecstore.Quantize(vecs[i])
			out[i] = vecstore.Vector{SessionID: p.SessionID, Seq: p.Seq, Scale: s, Data: q}
		}
		if err := vs.PutVectors(ctx, m, out); err != nil {
			return fmt.Errorf("store vectors: %w", err)
		}
		after = ps[len(ps)-1].ID
		done += int64(len(ps))
		if progress != nil {
			progress(done, total)
		}
	}
}

// clip returns s cut to at most n bytes, at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

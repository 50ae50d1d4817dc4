package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/reel-sh/reel"
)

func testConcurrency(t *testing.T, open func(*testing.T) reel.Store) {
	t.Run("OKNoLostWrites", func(t *testing.T) {
		// Writers append to their own sessions batch by batch while a
		// reader searches and lists; every event must arrive.
		const writers, sessions, batches, perBatch = 4, 3, 8, 5
		ctx := context.Background()
		st := open(t)
		var wg sync.WaitGroup
		errs := make(chan error, writers+1)
		for w := range writers {
			wg.Go(func() {
				for n := range batches {
					for s := range sessions {
						ss := newSession(reel.SourceClaudeCode, fmt.Sprintf("w%d-s%d", w, s))
						evs := make([]ev, perBatch)
						for i := range evs {
							evs[i] = ev{text: fmt.Sprintf("writer%d concurrent batch%d", w, n)}
						}
						if err := st.Apply(ctx, batch(ss, int64(n*perBatch), evs...)); err != nil {
							errs <- fmt.Errorf("writer %d: %w", w, err)
							return
						}
					}
				}
			})
		}
		done := make(chan struct{})
		var rg sync.WaitGroup
		rg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				q := reel.SearchQuery{Query: reel.ParseQuery("concurrent")}
				if _, err := st.Search(ctx, q); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
				if _, err := st.Sessions(ctx, reel.Filter{}); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
			}
		})
		wg.Wait()
		close(done)
		rg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}

		for w := range writers {
			for s := range sessions {
				id := reel.SessionID(reel.SourceClaudeCode, fmt.Sprintf("w%d-s%d", w, s))
				equal(t, "events of "+id[:8], len(events(t, st, id, reel.Filter{})), batches*perBatch)
				equal(t, "raw records of "+id[:8], len(rawData(t, st, id)), batches*perBatch)
			}
			hits := search(t, st, fmt.Sprintf("writer%d", w), reel.Filter{Limit: 1000})
			equal(t, fmt.Sprintf("hits of writer %d", w), len(hits), sessions*batches*perBatch)
		}
		got := statsBySource(t, st)[reel.SourceClaudeCode]
		equal(t, "events counted", got.Events, int64(writers*sessions*batches*perBatch))
	})
}

package syncer

import (
	"context"
	"fmt"
	"sync"

	"github.com/reel-sh/reel"
)

// writer commits every worker's batches from one goroutine. Most session
// files are small, and the store pays per transaction (the full-text index
// writes a segment per commit), so batches waiting in the queue are
// committed together, up to groupEvents events. Batches of one file are
// sent, and so committed, in order; each still carries its own cursor, so a
// crash leaves every file at a committed batch boundary.
type writer struct {
	store reel.Store
	in    chan *reel.Batch
	done  chan struct{}

	mu  sync.Mutex
	err error
}

// groupEvents bounds one transaction; queueBatches bounds what waits, and
// so the memory that parsed but uncommitted records take.
const (
	groupEvents  = 8000
	queueBatches = 8
)

func startWriter(ctx context.Context, store reel.Store) *writer {
	w := &writer{store: store, in: make(chan *reel.Batch, queueBatches), done: make(chan struct{})}
	go w.loop(ctx)
	return w
}

func (w *writer) loop(ctx context.Context) {
	defer close(w.done)
	for b := range w.in {
		group, n := []*reel.Batch{b}, len(b.Events)
	more:
		for n < groupEvents {
			select {
			case next, ok := <-w.in:
				if !ok {
					break more
				}
				group = append(group, next)
				n += len(next.Events)
			default:
				break more
			}
		}
		if w.failed() != nil {
			continue // drain, so that senders never block
		}
		if err := w.store.Apply(ctx, group...); err != nil {
			w.mu.Lock()
			w.err = &storeError{fmt.Errorf("write %s%s: %w", group[0].Cursor.Path, others(len(group)), err)}
			w.mu.Unlock()
		}
	}
}

func others(n int) string {
	if n <= 1 {
		return ""
	}
	return fmt.Sprintf(" and %d more batches", n-1)
}

func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// send queues b for commit. It fails once an earlier commit has failed.
func (w *writer) send(ctx context.Context, b *reel.Batch) error {
	if err := w.failed(); err != nil {
		return err
	}
	select {
	case w.in <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close waits for every queued batch to be committed and returns the first
// commit error.
func (w *writer) close() error {
	close(w.in)
	<-w.done
	return w.failed()
}

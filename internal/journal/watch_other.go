//go:build !linux

package journal

import (
	"os"
	"time"
)

// watch reports growth of the file at path by polling its size, where
// there is no inotify.
func watch(path string) (<-chan struct{}, func(), error) {
	ch := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		var last int64 = -1
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			fi, err := os.Stat(path)
			if err != nil || fi.Size() == last {
				continue
			}
			last = fi.Size()
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch, func() { close(done) }, nil
}

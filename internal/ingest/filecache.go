package ingest

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// fileCacheSize bounds the files a fileCache remembers.
const fileCacheSize = 64

// fileCache keeps what was parsed from each of a few files, by size and
// time, for importers whose sessions are slices of one file (aider runs,
// shell history days): Discover and the Stamp of every slice then read the
// file once per change.
type fileCache[T any] struct {
	mu    sync.Mutex
	files map[string]cachedFile[T]
	reads int // file reads, for tests
}

type cachedFile[T any] struct {
	size  int64
	mtime time.Time
	v     T
}

// load returns parse of path's bytes as the file is now, parsing it again
// only when its size or time changed.
func (c *fileCache[T]) load(path string, parse func(data []byte) (T, error)) (T, error) {
	var zero T
	info, err := os.Stat(path)
	if err != nil {
		return zero, err
	}
	if !info.Mode().IsRegular() {
		return zero, fmt.Errorf("%s is not a regular file", path)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.files[path]; ok && e.size == info.Size() && e.mtime.Equal(info.ModTime()) {
		return e.v, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return zero, err
	}
	c.reads++
	v, err := parse(data)
	if err != nil {
		return zero, err
	}
	if int64(len(data)) != info.Size() {
		return v, nil // written to while read: do not remember it
	}
	if c.files == nil {
		c.files = map[string]cachedFile[T]{}
	}
	if len(c.files) >= fileCacheSize {
		for k := range c.files {
			delete(c.files, k)
			break
		}
	}
	c.files[path] = cachedFile[T]{size: info.Size(), mtime: info.ModTime(), v: v}
	return v, nil
}

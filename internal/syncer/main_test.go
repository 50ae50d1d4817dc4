package syncer_test

import (
	"os"
	"testing"
)

// TestMain removes the corpora the tests generated; a helper process
// (see TestHelperSync) generates none.
func TestMain(m *testing.M) {
	code := m.Run()
	corpora.mu.Lock()
	for _, c := range corpora.m {
		if c.dir != "" {
			os.RemoveAll(c.dir)
		}
	}
	corpora.mu.Unlock()
	os.Exit(code)
}

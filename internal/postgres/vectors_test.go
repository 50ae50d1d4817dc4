package postgres

import (
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/storetest"
)

func TestVectors(t *testing.T) {
	storetest.RunVectors(t, func(t *testing.T) reel.Store { return openTest(t) })
}

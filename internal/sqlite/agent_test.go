package sqlite

import (
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/storetest"
)

func TestStore_Agents(t *testing.T) {
	storetest.RunAgents(t, func(t *testing.T) reel.AgentRegistry { return openTest(t, "") })
}

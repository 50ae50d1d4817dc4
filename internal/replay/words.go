package replay

import "github.com/reel-sh/reel/internal/shellwords"

// simpleCommands, unwrap and base are the shellwords functions the
// danger rules are written with.
var (
	simpleCommands = shellwords.Split
	unwrap         = shellwords.Unwrap
	base           = shellwords.Base
)

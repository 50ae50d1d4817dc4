package tmux

// agentPID returns the agent's process under the pane's shell panePID:
// its oldest child, or 0 if it has none (yet) or panePID is unknown.
func agentPID(panePID int) int {
	if panePID <= 0 {
		return 0
	}
	kids := children(panePID)
	if len(kids) == 0 {
		return 0
	}
	return kids[0]
}

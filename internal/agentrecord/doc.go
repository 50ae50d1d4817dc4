// Package agentrecord is how both stores keep a reel.AgentSession: as one
// JSON record beside its keys, so that a field added to the session needs
// no migration. It holds the encoding, its inverse and the one conflict
// error, so that the stores cannot drift apart.
package agentrecord

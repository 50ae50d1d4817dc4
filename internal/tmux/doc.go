// Package tmux supervises agent sessions in tmux: reel.Supervisor over
// the tmux command line, with the sessions kept in a reel.AgentRegistry.
//
// Each session runs in a detached tmux session of its own, "reel-" plus
// its name, whose one pane runs the user's shell, which runs the agent as
// its child: so the agent's process is found under the pane's process
// (PID capture, from /proc on Linux and ps elsewhere), and the pane stays
// (remain-on-exit) after the agent exits, its output still readable,
// until the session is stopped.
//
// Every tmux call goes through a Runner. ExecRunner runs the tmux binary,
// on the server that REEL_TMUX_SOCKET names (tmux -L) or tmux's default
// one. A Runner tells three failures apart, because the reaper must:
// tmux is not installed (EUNSUPPORT), no server is running (ErrNoServer:
// then there are truly no sessions), and any other failure (nothing can
// be concluded, so nothing is reaped).
//
// Status: a session is starting until its agent's process is found, then
// running while its pane prints and idle after a quiet period (Options.
// IdleAfter, default 2 minutes). Once a hook has reported on the session
// (ObserveHook), the hook's status stands until the next hook: waiting
// stays waiting, running turns idle only when neither hooks nor output
// came for the quiet period. Paused and stopped are set by the user (or
// the reaper) and are never changed by activity.
package tmux

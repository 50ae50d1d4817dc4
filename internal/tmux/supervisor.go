package tmux

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reel-sh/reel"
)

// DefaultIdleAfter is how long a session's pane may print nothing before
// the session counts as idle.
const DefaultIdleAfter = 2 * time.Minute

// Options configure a Supervisor.
type Options struct {
	// Runner runs tmux; required.
	Runner Runner
	// Registry keeps the sessions; required.
	Registry reel.AgentRegistry
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// IdleAfter is the quiet period after which a running session is
	// idle; DefaultIdleAfter if 0.
	IdleAfter time.Duration
	// Shell runs each command (as SHELL -c), so that it is the parent of
	// the agent's process; $SHELL, else /bin/sh, if empty.
	Shell string
}

// Supervisor is the reel.Supervisor over tmux. It is safe for concurrent
// use; its changes to one registry are serialised within the process.
type Supervisor struct {
	run       Runner
	reg       reel.AgentRegistry
	now       func() time.Time
	idleAfter time.Duration
	shell     string
	// socket names the tmux server the runner talks to: an ExecRunner's
	// Socket, else "".
	socket string
	// mu serialises read-modify-write cycles of the registry.
	mu sync.Mutex
}

var _ reel.Supervisor = (*Supervisor)(nil)

// New returns a Supervisor.
func New(o Options) *Supervisor {
	s := &Supervisor{run: o.Runner, reg: o.Registry, now: o.Now, idleAfter: o.IdleAfter, shell: o.Shell}
	if s.now == nil {
		s.now = time.Now
	}
	if s.idleAfter <= 0 {
		s.idleAfter = DefaultIdleAfter
	}
	if s.shell == "" {
		s.shell = os.Getenv("SHELL")
	}
	if s.shell == "" {
		s.shell = "/bin/sh"
	}
	if r, ok := o.Runner.(*ExecRunner); ok {
		s.socket = r.Socket
	}
	return s
}

// pane is what a tmux listing says about a session's first pane.
type pane struct {
	Session      string
	ID           string // %N
	PID          int    // the pane's process: the shell
	Dead         bool
	Activity     time.Time
	Command      string // the pane's foreground command
	Path         string
	StartCommand string
}

// paneFormat is the format of a pane's line in a listing. Its fields are
// parted by fieldSep, printable ASCII: tmux prints a tab or any other
// control character as '_' unless its locale is UTF-8. The last field
// takes the rest of the line.
const (
	fieldSep   = "|@|"
	paneFormat = "#{session_name}" + fieldSep + "#{pane_id}" + fieldSep + "#{pane_pid}" + fieldSep + "#{pane_dead}" +
		fieldSep + "#{window_activity}" + fieldSep + "#{pane_current_command}" + fieldSep + "#{pane_current_path}" +
		fieldSep + "#{pane_start_command}"
)

// panes lists every tmux session's first pane, by session name. No
// running server means no sessions: an empty map, not an error. Any
// other failure is an error, so that no caller takes it for "no
// sessions".
func (s *Supervisor) panes(ctx context.Context) (map[string]pane, error) {
	out, err := s.run.Run(ctx, "list-panes", "-a", "-F", paneFormat)
	if errors.Is(err, ErrNoServer) {
		return map[string]pane{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]pane{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		f := strings.SplitN(line, fieldSep, 8)
		if len(f) < 8 {
			continue
		}
		if _, seen := m[f[0]]; seen {
			continue
		}
		p := pane{Session: f[0], ID: f[1], Dead: f[3] == "1", Command: f[5], Path: f[6], StartCommand: f[7]}
		p.PID, _ = strconv.Atoi(f[2])
		if sec, err := strconv.ParseInt(f[4], 10, 64); err == nil && sec > 0 {
			p.Activity = time.Unix(sec, 0).UTC()
		}
		m[p.Session] = p
	}
	return m, nil
}

// target returns the tmux target of a's session (exact, never a prefix
// of another session's name) and of its active pane.
func sessionTarget(a reel.AgentSession) string { return "=" + a.Tmux }
func paneTarget(a reel.AgentSession) string    { return "=" + a.Tmux + ":" }

// load returns the registry, reconciled with tmux when tmux answers:
// activity, status and missing PIDs are brought up to date and saved.
// tmux's failure is returned beside the list, which is then the registry
// as it is.
func (s *Supervisor) load(ctx context.Context) ([]reel.AgentSession, map[string]pane, error) {
	list, err := s.reg.Agents(ctx)
	if err != nil {
		return nil, nil, err
	}
	panes, perr := s.panes(ctx)
	if perr != nil {
		return list, nil, perr
	}
	now := s.now()
	for i := range list {
		a := &list[i]
		p, ok := panes[a.Tmux]
		if !ok || !s.mine(*a) || !s.refresh(a, p, now) {
			continue
		}
		if err := s.reg.PutAgent(ctx, *a); err != nil {
			return nil, nil, err
		}
	}
	return list, panes, nil
}

// refresh brings a up to date with its pane p, and reports whether it
// changed.
func (s *Supervisor) refresh(a *reel.AgentSession, p pane, now time.Time) bool {
	before := *a
	if a.Status == reel.AgentStopped {
		return false
	}
	if a.Pane == "" {
		a.Pane = p.ID
	}
	if p.Activity.After(a.LastActivity) {
		a.LastActivity = p.Activity
	}
	if a.PID == 0 && !p.Dead {
		if pid := agentPID(p.PID); pid > 0 {
			a.PID = pid
			if a.Status == reel.AgentStarting {
				a.Status = reel.AgentRunning
			}
		}
	}
	quiet := now.Sub(a.LastActivity) >= s.idleAfter
	switch {
	case a.Status == reel.AgentPaused, a.Status == reel.AgentStarting:
	case a.SessionID != "":
		// A hook reported on this session: its status stands, except
		// that running with no hook and no output for a while is idle,
		// and idle with output since is running again.
		if a.Status == reel.AgentRunning && quiet {
			a.Status = reel.AgentIdle
		} else if a.Status == reel.AgentIdle && !quiet {
			a.Status = reel.AgentRunning
		}
	case quiet:
		a.Status = reel.AgentIdle
	default:
		a.Status = reel.AgentRunning
	}
	return a.Status != before.Status || a.PID != before.PID || a.Pane != before.Pane ||
		!a.LastActivity.Equal(before.LastActivity)
}

// Agents lists the registry, newest first, reconciled with tmux when it
// answers. Sessions whose tmux session is gone keep their last status
// until Reap.
func (s *Supervisor) Agents(ctx context.Context) ([]reel.AgentSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, _, err := s.load(ctx)
	if list == nil && err != nil {
		return nil, err
	}
	return list, nil
}

// Agent returns the session that key names: its id, a unique prefix of
// its id, or its name. ENOTFOUND, with the closest names in the hint, or
// EAMBIGUOUS.
func (s *Supervisor) Agent(ctx context.Context, key string) (reel.AgentSession, error) {
	list, err := s.Agents(ctx)
	if err != nil {
		return reel.AgentSession{}, err
	}
	i, err := resolve(list, key)
	if err != nil {
		return reel.AgentSession{}, err
	}
	return list[i], nil
}

// find loads the registry and returns the session key names.
func (s *Supervisor) find(ctx context.Context, key string) (reel.AgentSession, error) {
	list, _, err := s.load(ctx)
	if list == nil {
		return reel.AgentSession{}, err
	}
	i, err := resolve(list, key)
	if err != nil {
		return reel.AgentSession{}, err
	}
	return list[i], nil
}

// resolve returns the index of the session key names: an exact id, then
// an exact name, then a unique id prefix.
func resolve(list []reel.AgentSession, key string) (int, error) {
	if key == "" {
		return -1, reel.Errorf(reel.EINVALID, "no session named: give an id, id prefix or name")
	}
	for i, a := range list {
		if a.ID == key {
			return i, nil
		}
	}
	for i, a := range list {
		if a.Name == key {
			return i, nil
		}
	}
	found := -1
	var ids []string
	for i, a := range list {
		if strings.HasPrefix(a.ID, key) {
			found = i
			ids = append(ids, reel.ShortID(a.ID)+" ("+a.Name+")")
		}
	}
	switch len(ids) {
	case 1:
		return found, nil
	case 0:
		return -1, notFound(list, key)
	}
	return -1, reel.Errorf(reel.EAMBIGUOUS, "%q is the prefix of %d session ids", key, len(ids)).
		WithHint("give more of the id, or the name: " + strings.Join(ids, ", "))
}

// notFound is the ENOTFOUND of key, naming the closest names.
func notFound(list []reel.AgentSession, key string) error {
	e := reel.Errorf(reel.ENOTFOUND, "no supervised session %q", key)
	if len(list) == 0 {
		return e.WithHint("no session is supervised; start one with: reel run -- COMMAND")
	}
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, a := range list {
		cs = append(cs, cand{a.Name, editDistance(strings.ToLower(key), strings.ToLower(a.Name))})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var names []string
	for _, c := range cs[:min(3, len(cs))] {
		names = append(names, c.name)
	}
	return e.WithHint("closest: " + strings.Join(names, ", ") + " (reel ps --all lists them)")
}

// editDistance is the Levenshtein distance of a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// mine reports whether a runs on this supervisor's tmux server.
func (s *Supervisor) mine(a reel.AgentSession) bool { return a.Socket == s.socket }

// foreign is the ECONFLICT of an operation on a session that runs on
// another tmux server, nil for one of this server.
func (s *Supervisor) foreign(op string, a reel.AgentSession) error {
	if s.mine(a) {
		return nil
	}
	server := "tmux's default server"
	if a.Socket != "" {
		server = "tmux server " + a.Socket
	}
	return reel.Errorf(reel.ECONFLICT, "%s %s: it runs on %s", op, a.Name, server).
		WithHint("set REEL_TMUX_SOCKET=" + a.Socket + " to control it")
}

// put saves a, naming it in the error.
func (s *Supervisor) put(ctx context.Context, a reel.AgentSession) error {
	if err := s.reg.PutAgent(ctx, a); err != nil {
		return fmt.Errorf("save session %s: %w", a.Name, err)
	}
	return nil
}

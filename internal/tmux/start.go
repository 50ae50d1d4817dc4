package tmux

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/reel-sh/reel"
)

// Prefix starts the name of every tmux session that Start creates.
const Prefix = "reel-"

// validName is what a session's name may be: it is a tmux session name
// too, where '.' and ':' mean something.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// Start starts req.Command in a new detached tmux session, through the
// user's shell, and registers it as starting. EINVALID for an empty
// command, a folder that does not exist, a bad name or environment
// variable; ECONFLICT if req.Name is taken by a session that is not
// stopped (a stopped one's record is replaced) or by a tmux session reel
// did not start. It makes one quick try to find the agent's process and
// never waits for it: CapturePIDs finds it later.
func (s *Supervisor) Start(ctx context.Context, req reel.StartRequest) (reel.AgentSession, error) {
	if len(req.Command) == 0 || strings.TrimSpace(req.Command[0]) == "" {
		return reel.AgentSession{}, reel.Errorf(reel.EINVALID, "start: no command").
			WithHint("give the command after --, e.g. reel run -- claude")
	}
	dir, err := startDir(req.Dir)
	if err != nil {
		return reel.AgentSession{}, err
	}
	env, err := envArgs(req.Env)
	if err != nil {
		return reel.AgentSession{}, err
	}
	if req.Name != "" && !validName.MatchString(req.Name) {
		return reel.AgentSession{}, reel.Errorf(reel.EINVALID, "start: bad name %q", req.Name).
			WithHint("a name is letters, digits, '-' and '_', at most 64, starting with a letter or digit")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list, panes, err := s.load(ctx)
	if err != nil {
		return reel.AgentSession{}, err
	}
	name, replace, err := pickName(list, panes, req.Name, dir)
	if err != nil {
		return reel.AgentSession{}, err
	}
	id, err := newID()
	if err != nil {
		return reel.AgentSession{}, err
	}
	tmuxName := Prefix + name
	args := []string{"new-session", "-d", "-s", tmuxName, "-c", dir, "-x", "200", "-y", "50", "-P", "-F", "#{pane_id} #{pane_pid}"}
	args = append(args, env...)
	args = append(args, "--", s.shell, "-c", shellScript(req.Command),
		// The pane stays after the agent exits, its output readable, and
		// the reaper sees the agent's end as a dead pane.
		";", "set-option", "-w", "-t", "="+tmuxName+":", "remain-on-exit", "on")
	out, err := s.run.Run(ctx, args...)
	if err != nil {
		return reel.AgentSession{}, fmt.Errorf("start %s: %w", name, err)
	}
	paneID, panePID, _ := strings.Cut(strings.TrimSpace(strings.SplitN(out, "\n", 2)[0]), " ")
	now := s.now().UTC()
	a := reel.AgentSession{
		ID: id, Name: name, Status: reel.AgentStarting, Agent: agentOf(req.Command),
		Command: req.Command, Dir: dir, Tmux: tmuxName, Pane: paneID, Socket: s.socket, CreatedAt: now, LastActivity: now,
	}
	if pid, err := strconv.Atoi(panePID); err == nil {
		if a.PID = agentPID(pid); a.PID > 0 {
			a.Status = reel.AgentRunning
		}
	}
	if replace != "" {
		if err := s.reg.DeleteAgent(ctx, replace); err != nil {
			s.kill(ctx, a)
			return reel.AgentSession{}, err
		}
	}
	if err := s.put(ctx, a); err != nil {
		s.kill(ctx, a)
		return reel.AgentSession{}, err
	}
	return a, nil
}

// newID returns a new session id, a UUIDv7.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new session id: %w", err)
	}
	return id.String(), nil
}

// kill ends a's tmux session after a failed start, best effort.
func (s *Supervisor) kill(ctx context.Context, a reel.AgentSession) {
	_, _ = s.run.Run(context.WithoutCancel(ctx), "kill-session", "-t", sessionTarget(a))
}

// startDir returns dir (the working folder if empty) as an absolute
// path, EINVALID if it is not a folder.
func startDir(dir string) (string, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("start: %w", err)
		}
		dir = wd
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", reel.Errorf(reel.EINVALID, "start: folder %q: %v", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil || !fi.IsDir() {
		return "", reel.Errorf(reel.EINVALID, "start: %s is not a folder", abs).
			WithHint("give an existing folder with --dir")
	}
	return abs, nil
}

// envArgs returns tmux's -e arguments for env, in a stable order.
func envArgs(env map[string]string) ([]string, error) {
	keys := make([]string, 0, len(env))
	for k := range env {
		if k == "" || strings.ContainsAny(k, "= \t\n\x00") {
			return nil, reel.Errorf(reel.EINVALID, "start: bad environment variable name %q", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var args []string
	for _, k := range keys {
		args = append(args, "-e", k+"="+env[k])
	}
	return args, nil
}

// pickName returns the session's name: want if free, else one derived
// from dir's base name and made unique with -2, -3, … . replace is the
// id of a stopped session whose name want takes over.
func pickName(list []reel.AgentSession, panes map[string]pane, want, dir string) (name, replace string, err error) {
	byName := map[string]reel.AgentSession{}
	for _, a := range list {
		byName[a.Name] = a
	}
	if want != "" {
		a, registered := byName[want]
		if registered && a.Status != reel.AgentStopped {
			return "", "", reel.Errorf(reel.ECONFLICT, "start: a session named %q is %s", want, a.Status).
				WithHint("choose another name with -n, or stop it first: reel stop " + want)
		}
		if _, ok := panes[Prefix+want]; ok {
			hint := "choose another name with -n, or take it over: reel adopt " + Prefix + want
			if registered {
				hint = "choose another name with -n, or end it: reel stop " + want
			}
			return "", "", reel.Errorf(reel.ECONFLICT, "start: tmux already has a session %s%s", Prefix, want).WithHint(hint)
		}
		if registered {
			replace = a.ID
		}
		return want, replace, nil
	}
	base := slug(filepath.Base(dir))
	for n := 1; ; n++ {
		name = base
		if n > 1 {
			name = base + "-" + strconv.Itoa(n)
		}
		_, taken := byName[name]
		_, inTmux := panes[Prefix+name]
		if !taken && !inTmux {
			return name, "", nil
		}
	}
}

// slug turns a folder's name into a session name: lower case, runs of
// anything but letters and digits as one '-', at most 40 bytes; "agent"
// if nothing is left.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= 40 {
				break
			}
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "agent"
	}
	return b.String()
}

// shellScript returns the script the user's shell runs: command, each
// word quoted, then a no-op, so that no shell replaces itself with the
// command (bash and zsh exec a lone command) and the shell stays the
// agent's parent. Single quotes with '\” for a quote work in sh, bash,
// zsh and fish alike.
func shellScript(command []string) string {
	words := make([]string, len(command))
	for i, w := range command {
		words[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(words, " ") + "; true"
}

// agents maps a command's base name to the client it runs.
var agents = map[string]string{
	"claude": "claude-code", "claude-code": "claude-code", "codex": "codex", "gemini": "gemini",
	"opencode": "opencode", "aider": "aider", "cursor-agent": "cursor", "cursor": "cursor",
	"amp": "amp", "droid": "droid", "copilot": "copilot", "pi": "pi", "goose": "goose", "qwen": "qwen",
	"crush": "crush", "kiro": "kiro", "kiro-cli": "kiro", "cline": "cline",
}

// launchers run the command that follows them.
var launchers = map[string]bool{"env": true, "npx": true, "bunx": true, "pnpx": true, "uvx": true,
	"command": true, "exec": true, "nohup": true, "time": true}

// agentOf names the client a command runs: the known agent's source
// name, or the command's base name. Launchers (env, npx, …), their
// options and VAR=value words are skipped.
func agentOf(command []string) string {
	first := ""
	for i, w := range command {
		base := filepath.Base(w)
		if i == 0 {
			first = base
		}
		if launchers[base] || strings.HasPrefix(w, "-") || strings.Contains(w, "=") {
			continue
		}
		base = strings.TrimSuffix(base, filepath.Ext(base))
		if name, ok := agents[base]; ok {
			return name
		}
		return filepath.Base(w)
	}
	return first
}

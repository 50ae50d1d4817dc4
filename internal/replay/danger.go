package replay

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/reel-sh/reel"
)

// Presets, least to most cautious. Each holds the rules of the ones before
// it.
const (
	PresetMinimal  = "minimal"  // only what destroys a machine or its data
	PresetModerate = "moderate" // also privilege, remote scripts, force pushes, SQL drops (the default)
	PresetStrict   = "strict"   // also any rm, git push, deletes in SQL and clusters, publishing
)

// Presets lists the presets, least cautious first.
func Presets() []string { return []string{PresetMinimal, PresetModerate, PresetStrict} }

var presetLevel = map[string]int{PresetMinimal: 0, PresetModerate: 1, PresetStrict: 2}

// Rule is one kind of dangerous command.
type Rule struct {
	ID  string
	Why string
	// Level is the least cautious preset that holds the rule: 0 minimal,
	// 1 moderate, 2 strict.
	Level int
	// argv matches one simple command (wrappers removed); line matches
	// the whole command line.
	argv func(argv []string) bool
	line func(string) bool
}

// Finding is a dangerous command and the rule it breaks.
type Finding struct {
	Rule string `json:"rule"`
	Why  string `json:"why"`
}

// Policy decides which commands are dangerous: a preset's rules and the
// user's own patterns.
type Policy struct {
	Preset string
	rules  []Rule
	custom []*regexp.Regexp
}

// NewPolicy returns the policy of preset ("" for moderate) with custom
// patterns, Go regular expressions matched against the whole command line.
// EINVALID for an unknown preset or a bad pattern.
func NewPolicy(preset string, patterns []string) (*Policy, error) {
	if preset == "" {
		preset = PresetModerate
	}
	level, ok := presetLevel[preset]
	if !ok {
		return nil, reel.Errorf(reel.EINVALID, "unknown danger preset %q", preset).
			WithHint("use " + strings.Join(Presets(), ", "))
	}
	p := &Policy{Preset: preset}
	for _, r := range rules {
		if r.Level <= level {
			p.rules = append(p.rules, r)
		}
	}
	for _, pat := range patterns {
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, &reel.Error{Code: reel.EINVALID, Message: fmt.Sprintf("danger pattern %q", pat), Err: err}
		}
		p.custom = append(p.custom, re)
	}
	return p, nil
}

// Rules returns the rules the policy applies.
func (p *Policy) Rules() []Rule { return p.rules }

// Check returns the first rule that cmd breaks, or nil when it looks safe.
func (p *Policy) Check(cmd string) *Finding {
	for _, re := range p.custom {
		if re.MatchString(cmd) {
			return &Finding{Rule: "custom", Why: "matches the pattern " + re.String()}
		}
	}
	cmds := simpleCommands(cmd)
	for _, r := range p.rules {
		if r.line != nil && r.line(cmd) {
			return &Finding{Rule: r.ID, Why: r.Why}
		}
		if r.argv == nil {
			continue
		}
		for _, argv := range cmds {
			// Wrappers are checked as they are (sudo is a rule), then the
			// command they run.
			if r.argv(argv) {
				return &Finding{Rule: r.ID, Why: r.Why}
			}
			if inner := unwrap(argv); len(inner) > 0 && len(inner) < len(argv) && r.argv(inner) {
				return &Finding{Rule: r.ID, Why: r.Why}
			}
		}
	}
	return nil
}

var rules = []Rule{
	// minimal
	{ID: "rm-root", Level: 0, Why: "deletes the root, home or a system folder", argv: func(a []string) bool {
		return is(a, "rm") && (recursive(a) && anyArg(a, rootish) || hasFlag(a, "--no-preserve-root"))
	}},
	{ID: "mkfs", Level: 0, Why: "formats a file system", argv: func(a []string) bool {
		return len(a) > 0 && (strings.HasPrefix(base(a[0]), "mkfs") || base(a[0]) == "mkswap" || base(a[0]) == "wipefs")
	}},
	{ID: "dd-device", Level: 0, Why: "writes a raw device with dd", argv: func(a []string) bool {
		return is(a, "dd") && anyArg(a, func(s string) bool { return strings.HasPrefix(s, "of=/dev/") && !harmlessDevice(s[3:]) })
	}},
	{ID: "device-write", Level: 0, Why: "overwrites a disk device", line: matches(`>\s*/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|md\d|dm-|mapper/)`)},
	{ID: "shred-device", Level: 0, Why: "shreds a device", argv: func(a []string) bool {
		return is(a, "shred") && anyArg(a, func(s string) bool { return strings.HasPrefix(s, "/dev/") && !harmlessDevice(s) })
	}},
	{ID: "fork-bomb", Level: 0, Why: "is a fork bomb", line: isForkBomb},
	{ID: "chmod-777-root", Level: 0, Why: "opens the root or a system folder to everyone", argv: func(a []string) bool {
		return is(a, "chmod") && recursive(a) && anyArg(a, worldWritable) && anyArg(a, rootish)
	}},
	// moderate
	{ID: "pipe-to-shell", Level: 1, Why: "runs a script fetched from the network", line: matches(
		`\b(curl|wget|fetch)\b[^|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(env\s+)?(ba|z|da|k|fi)?sh\b|\b(ba|z|da)?sh\s+(-\S+\s+)*(<\(|"?\$\()\s*(curl|wget)\b`)},
	{ID: "chmod-777", Level: 1, Why: "makes a tree writable by everyone", argv: func(a []string) bool {
		return is(a, "chmod") && recursive(a) && anyArg(a, worldWritable)
	}},
	{ID: "chown-root", Level: 1, Why: "changes the owner of the root or a system folder", argv: func(a []string) bool {
		return (is(a, "chown") || is(a, "chgrp")) && recursive(a) && anyArg(a, rootish)
	}},
	{ID: "rm-broad", Level: 1, Why: "deletes a whole folder tree by wildcard or parent", argv: func(a []string) bool {
		return is(a, "rm") && recursive(a) && anyArg(a, func(s string) bool {
			switch strings.TrimRight(s, "/") {
			case "", ".", "..", "*", "./*", "../*", "..*", "~*":
				return true
			}
			return false
		})
	}},
	{ID: "sql-drop", Level: 1, Why: "drops a table, database or schema", line: matches(`(?i)\bdrop\s+(table|database|schema)\b`)},
	{ID: "sql-truncate", Level: 1, Why: "empties a table", line: matches(`(?i)\btruncate\s+(table\s+)?\w+`)},
	{ID: "git-force-push", Level: 1, Why: "force-pushes, rewriting the remote's history", argv: func(a []string) bool {
		return is(a, "git") && hasWord(a, "push") && (hasFlag(a, "--force") || hasShortFlag(a, 'f') || anyArg(a, func(s string) bool { return strings.HasPrefix(s, "+") }))
	}},
	{ID: "git-reset-hard", Level: 1, Why: "throws away uncommitted work", argv: func(a []string) bool {
		return is(a, "git") && hasWord(a, "reset") && hasFlag(a, "--hard")
	}},
	{ID: "git-clean", Level: 1, Why: "deletes untracked files", argv: func(a []string) bool {
		return is(a, "git") && hasWord(a, "clean") && (hasShortFlag(a, 'f') || hasFlag(a, "--force"))
	}},
	{ID: "kill-all", Level: 1, Why: "kills every process it can", argv: func(a []string) bool {
		return (is(a, "kill") && hasWord(a, "-1")) || is(a, "killall5")
	}},
	{ID: "power", Level: 1, Why: "shuts down or reboots the machine", argv: func(a []string) bool {
		return is(a, "shutdown") || is(a, "reboot") || is(a, "halt") || is(a, "poweroff") ||
			is(a, "init") && (hasWord(a, "0") || hasWord(a, "6")) ||
			is(a, "systemctl") && (hasWord(a, "poweroff") || hasWord(a, "reboot") || hasWord(a, "halt"))
	}},
	{ID: "find-delete-root", Level: 1, Why: "deletes files found under the root or a system folder", argv: func(a []string) bool {
		return is(a, "find") && len(a) > 1 && rootish(a[1]) && (hasWord(a, "-delete") || hasWord(a, "rm"))
	}},
	{ID: "crontab-remove", Level: 1, Why: "removes the crontab", argv: func(a []string) bool { return is(a, "crontab") && hasShortFlag(a, 'r') }},
	{ID: "firewall-flush", Level: 1, Why: "flushes the firewall", argv: func(a []string) bool {
		return (is(a, "iptables") || is(a, "ip6tables")) && (hasShortFlag(a, 'F') || hasFlag(a, "--flush")) ||
			is(a, "nft") && hasWord(a, "flush") && hasWord(a, "ruleset")
	}},
	{ID: "docker-prune", Level: 1, Why: "deletes Docker data", argv: func(a []string) bool {
		return (is(a, "docker") || is(a, "podman")) && hasWord(a, "prune") && (hasWord(a, "system") || hasWord(a, "volume"))
	}},
	{ID: "system-file-write", Level: 1, Why: "overwrites a system file", line: matches(`(^|[^>])>\s*/(etc|boot|usr|bin|sbin|lib)/`)},
	{ID: "sudo", Level: 1, Why: "runs as another user (sudo, doas, su)", argv: func(a []string) bool {
		return is(a, "sudo") || is(a, "doas") || is(a, "su") || is(a, "pkexec")
	}},
	// strict
	{ID: "rm", Level: 2, Why: "deletes files", argv: func(a []string) bool { return is(a, "rm") || is(a, "rmdir") || is(a, "unlink") }},
	{ID: "git-push", Level: 2, Why: "pushes to a remote", argv: func(a []string) bool { return is(a, "git") && hasWord(a, "push") }},
	{ID: "sql-delete", Level: 2, Why: "deletes rows", line: matches(`(?i)\bdelete\s+from\b`)},
	{ID: "sql-update", Level: 2, Why: "updates rows", line: matches(`(?i)\bupdate\s+\w+\s+set\b`)},
	{ID: "cluster-delete", Level: 2, Why: "deletes cloud or cluster resources", argv: func(a []string) bool {
		return is(a, "kubectl") && hasWord(a, "delete") || is(a, "helm") && (hasWord(a, "uninstall") || hasWord(a, "delete")) ||
			is(a, "terraform") && (hasWord(a, "destroy") || hasWord(a, "apply")) || is(a, "docker") && (hasWord(a, "rm") || hasWord(a, "rmi"))
	}},
	{ID: "publish", Level: 2, Why: "publishes a package", argv: func(a []string) bool {
		return (is(a, "npm") || is(a, "cargo") || is(a, "yarn") || is(a, "pnpm")) && hasWord(a, "publish") || is(a, "twine") && hasWord(a, "upload")
	}},
	{ID: "chmod-recursive", Level: 2, Why: "changes permissions of a tree", argv: func(a []string) bool {
		return (is(a, "chmod") || is(a, "chown") || is(a, "chgrp")) && recursive(a)
	}},
	{ID: "mv-dev-null", Level: 2, Why: "moves files into /dev/null", argv: func(a []string) bool { return is(a, "mv") && hasWord(a, "/dev/null") }},
}

// forkBombShape finds `f(){ f|f& };f` and its spacings; the check that the
// name repeats is in forkBomb.
var forkBombShape = regexp.MustCompile(`([A-Za-z_:.][A-Za-z0-9_:.]*)\s*\(\s*\)\s*\{[^}]*\|[^}]*&[^}]*\}`)

// isForkBomb reports a function that pipes itself into itself in the
// background.
func isForkBomb(line string) bool {
	for _, m := range forkBombShape.FindAllStringSubmatch(line, -1) {
		body := strings.ReplaceAll(m[0][strings.Index(m[0], "{"):], " ", "")
		if strings.Contains(body, m[1]+"|"+m[1]) {
			return true
		}
	}
	return false
}

// matches returns a line check for a regular expression.
func matches(expr string) func(string) bool { return regexp.MustCompile(expr).MatchString }

// is reports whether argv runs the command name.
func is(argv []string, name string) bool { return len(argv) > 0 && base(argv[0]) == name }

func anyArg(argv []string, f func(string) bool) bool {
	for _, a := range argv[1:] {
		if f(a) {
			return true
		}
	}
	return false
}

func hasWord(argv []string, w string) bool {
	return anyArg(argv, func(s string) bool { return s == w })
}

func hasFlag(argv []string, f string) bool {
	return anyArg(argv, func(s string) bool { return s == f || strings.HasPrefix(s, f+"=") })
}

// hasShortFlag reports a one-letter option, alone or in a cluster (-rf).
func hasShortFlag(argv []string, c byte) bool {
	return anyArg(argv, func(s string) bool {
		return len(s) > 1 && s[0] == '-' && s[1] != '-' && strings.IndexByte(s[1:], c) >= 0
	})
}

func recursive(argv []string) bool {
	return hasShortFlag(argv, 'r') || hasShortFlag(argv, 'R') || hasFlag(argv, "--recursive")
}

// systemDirs are the top-level folders a system cannot lose.
var systemDirs = map[string]bool{
	"bin": true, "boot": true, "dev": true, "etc": true, "home": true, "lib": true, "lib32": true, "lib64": true,
	"opt": true, "proc": true, "root": true, "sbin": true, "srv": true, "sys": true, "usr": true, "var": true,
	"Users": true, "System": true, "Library": true, "Applications": true,
}

// rootish reports a path that is the root, a home folder or a system
// folder, or everything inside one.
func rootish(p string) bool {
	if p == "" {
		return false
	}
	abs := p[0] == '/'
	p = strings.TrimSuffix(strings.TrimSuffix(p, "/*"), "/")
	switch p {
	case "~", "$HOME", "${HOME}", "/.", "/..":
		return true
	case "":
		return abs
	}
	if strings.HasPrefix(p, "/") && !strings.Contains(p[1:], "/") {
		return systemDirs[p[1:]]
	}
	return false
}

func worldWritable(mode string) bool {
	switch mode {
	case "777", "0777", "a+rwx", "ugo+rwx", "a=rwx", "ugo=rwx", "o+w", "a+w":
		return true
	}
	return false
}

func harmlessDevice(dev string) bool {
	switch dev {
	case "/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/random", "/dev/urandom":
		return true
	}
	return strings.HasPrefix(dev, "/dev/fd/") || strings.HasPrefix(dev, "/dev/pts/")
}

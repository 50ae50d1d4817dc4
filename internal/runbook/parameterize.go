package runbook

import (
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// variable is a literal that several steps repeat, given a name.
type variable struct {
	Name  string
	Value string
	// Steps counts the steps that use it; a value may repeat within one.
	Steps int
}

// use is one place in a step's command where a variable's value stood.
type use struct {
	start, end int
	// dq says the value stood inside double quotes.
	dq bool
	v  *variable
}

// safeLiteral is what a parameterized value may hold: nothing a shell,
// make or YAML would read specially, so it can be moved into a variable
// and back without quoting.
const safeChars = `A-Za-z0-9._:/@+,%-`

var (
	plainWord  = regexp.MustCompile(`^[` + safeChars + `]+$`)
	quotedWord = regexp.MustCompile(`^"([` + safeChars + `]+)"$`)
	optionWord = regexp.MustCompile(`^(--?[A-Za-z0-9][A-Za-z0-9_-]*=|[A-Za-z_][A-Za-z0-9_]*=)("?)([` + safeChars + `]+)("?)$`)
	ipv4       = regexp.MustCompile(`^\d{1,3}(\.\d{1,3}){3}(:\d+)?$`)
	version    = regexp.MustCompile(`^v?\d+(\.\d+)+([-+][0-9A-Za-z.-]+)?$`)
	remote     = regexp.MustCompile(`^[^@/:]+@[^@/]+$`)
	scpTarget  = regexp.MustCompile(`^([A-Za-z0-9._-]+@[A-Za-z0-9._-]+):[` + safeChars + `]*$`)
	image      = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9._-]+$`)
	hostname   = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)+$`)
	nonAlnum   = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// stopWords are too common to be worth a variable.
var stopWords = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "null": true, "none": true, "all": true}

// fileExts tell a file name from a host name.
var fileExts = map[string]bool{
	"yaml": true, "yml": true, "json": true, "txt": true, "md": true, "go": true, "py": true, "js": true, "ts": true,
	"sh": true, "toml": true, "conf": true, "cfg": true, "log": true, "sql": true, "tar": true, "gz": true, "tgz": true,
	"zip": true, "csv": true, "xml": true, "html": true, "env": true, "lock": true, "ini": true, "rb": true, "rs": true,
	"c": true, "h": true, "java": true, "pem": true, "key": true, "crt": true, "deb": true, "rpm": true, "whl": true,
}

// reservedNames are variables a shell or CI already uses.
var reservedNames = map[string]bool{
	"PATH": true, "HOME": true, "USER": true, "PWD": true, "OLDPWD": true, "SHELL": true, "ROOT": true, "IFS": true,
	"TERM": true, "LANG": true, "HOSTNAME": true, "UID": true, "CI": true,
}

// parameterize finds the literals that two or more steps share and
// records where each stood, so the writers can put a variable there.
func (p *plan) parameterize() {
	type occurrence struct {
		step       int
		start, end int
		dq         bool
	}
	byValue := map[string][]occurrence{}
	steps := map[string]map[int]bool{}
	var order []string
	for i, st := range p.steps {
		if st.skip != "" {
			continue
		}
		for _, w := range st.words {
			if w.op || w.cmdPos {
				continue
			}
			v, start, end, dq, ok := literalOf(w)
			if !ok || !worthAVariable(v) {
				continue
			}
			if steps[v] == nil {
				steps[v] = map[int]bool{}
				order = append(order, v)
			}
			steps[v][i] = true
			byValue[v] = append(byValue[v], occurrence{i, start, end, dq})
		}
	}
	taken := map[string]bool{}
	for _, v := range order {
		if len(byValue[v]) < 2 {
			continue
		}
		name := nameFor(v)
		if reservedNames[name] {
			name += "_VALUE"
		}
		for n := 2; taken[name]; n++ {
			name = strings.TrimSuffix(name, "_"+strconv.Itoa(n-1)) + "_" + strconv.Itoa(n)
		}
		taken[name] = true
		vr := &variable{Name: name, Value: v, Steps: len(steps[v])}
		p.vars = append(p.vars, *vr)
		for _, o := range byValue[v] {
			p.steps[o.step].uses = append(p.steps[o.step].uses, use{o.start, o.end, o.dq, vr})
		}
	}
	for i := range p.steps {
		sort.Slice(p.steps[i].uses, func(a, b int) bool { return p.steps[i].uses[a].start < p.steps[i].uses[b].start })
	}
}

// literalOf returns the literal value a word holds and where it stands:
// a plain word, a double-quoted one, or the value of --opt=value or
// NAME=value.
func literalOf(w word) (v string, start, end int, dq, ok bool) {
	t := w.text
	switch {
	case scpTarget.MatchString(t):
		// user@host:path: the remote is what other steps repeat.
		at := scpTarget.FindStringSubmatchIndex(t)
		return t[:at[3]], w.start, w.start + at[3], false, true
	case plainWord.MatchString(t):
		return t, w.start, w.end, false, true
	case quotedWord.MatchString(t):
		return t[1 : len(t)-1], w.start + 1, w.end - 1, true, true
	}
	if m := optionWord.FindStringSubmatch(t); m != nil && m[2] == m[4] {
		s := w.start + len(m[1]) + len(m[2])
		return m[3], s, s + len(m[3]), m[2] == `"`, true
	}
	return "", 0, 0, false, false
}

func worthAVariable(v string) bool {
	if len(v) < 3 || v[0] == '-' || stopWords[strings.ToLower(v)] || !strings.ContainsAny(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") {
		return false
	}
	if _, err := strconv.Atoi(v); err == nil && len(v) < 4 {
		return false
	}
	// A bare word (push, origin, status) is a subcommand or a name of
	// the tool's own far more often than a value to vary.
	return strings.ContainsAny(v, ".:/@_-0123456789")
}

// nameFor names a variable after what its value looks like.
func nameFor(v string) string {
	switch {
	case ipv4.MatchString(v):
		return "HOST"
	case strings.Contains(v, "://"):
		return "URL"
	case version.MatchString(v):
		return "VERSION"
	case remote.MatchString(v):
		return "REMOTE"
	case image.MatchString(v) && !strings.Contains(v, "://"):
		return "IMAGE"
	case strings.Contains(v, "/"):
		base := path.Base(strings.TrimRight(v, "/"))
		if base == "." || base == "/" || base == "" {
			return "DIR"
		}
		return upper(strings.TrimSuffix(base, path.Ext(base))) + "_PATH"
	case hostname.MatchString(v):
		if ext := path.Ext(v); fileExts[strings.TrimPrefix(ext, ".")] {
			return upper(strings.TrimSuffix(v, ext)) + "_FILE"
		}
		return "HOST"
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n >= 1024 && n <= 65535 {
			return "PORT"
		}
		return "NUMBER"
	}
	return upper(v)
}

// upper turns a value into a variable name: letters and digits in upper
// case, joined by '_', never starting with a digit.
func upper(s string) string {
	n := strings.Trim(nonAlnum.ReplaceAllString(strings.ToUpper(s), "_"), "_")
	if n == "" {
		return "VALUE"
	}
	if n[0] >= '0' && n[0] <= '9' {
		n = "V_" + n
	}
	return n
}

// text returns a step's command with each parameterized value replaced by
// ref(name, inDoubleQuotes) and every other part passed through esc.
func (st planStep) text(esc func(string) string, ref func(name string, dq bool) string) string {
	var b strings.Builder
	at := 0
	for _, u := range st.uses {
		b.WriteString(esc(st.Command[at:u.start]))
		b.WriteString(ref(u.v.Name, u.dq))
		at = u.end
	}
	b.WriteString(esc(st.Command[at:]))
	return b.String()
}

// shellRef refers to a variable from shell code.
func shellRef(name string, dq bool) string {
	if dq {
		return "${" + name + "}"
	}
	return `"${` + name + `}"`
}

func same(s string) string { return s }

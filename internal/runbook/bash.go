package runbook

import (
	"fmt"
	"io"
	"strings"
)

// writeBash writes a script that stops at the first failure. ROOT is the
// folder the recording started in: the current folder unless set.
func writeBash(w io.Writer, p *plan) error {
	b := &strings.Builder{}
	b.WriteString("#!/usr/bin/env bash\n")
	for _, l := range p.header() {
		b.WriteString("# " + l + "\n")
	}
	b.WriteString("set -euo pipefail\n\n")
	b.WriteString(`ROOT="${ROOT:-$PWD}"` + "\n")
	for _, v := range p.vars {
		fmt.Fprintf(b, "%s=\"${%s:-%s}\"\n", v.Name, v.Name, v.Value)
	}
	dir := ""
	for _, st := range p.steps {
		b.WriteString("\n")
		if st.skip != "" {
			fmt.Fprintf(b, "# step %d %s:\n%s\n", st.N, st.skip, commentOut(st.Command, "# "))
			continue
		}
		if st.dir != dir {
			dir = st.dir
			b.WriteString("cd " + shellDir(dir) + "\n")
		}
		fmt.Fprintf(b, "# step %d\n%s\n", st.N, st.text(same, shellRef))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shellDir refers to a step's folder from shell code.
func shellDir(dir string) string {
	switch {
	case dir == ".":
		return `"$ROOT"`
	case strings.HasPrefix(dir, "/"):
		return shellQuote(dir)
	}
	return `"$ROOT"/` + shellQuote(dir)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// commentOut prefixes every line of s.
func commentOut(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
